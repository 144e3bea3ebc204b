package sdkmap

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/iamguard/iamguard/internal/generate/internal/yamljson/convert"
)

// TestEmbeddedJSONIsCurrent: the binary embeds sdkmap.json, generated
// from the reviewed sdkmap.yaml; an edit of the YAML without
// "go generate ./internal/generate/sdkmap" fails here.
func TestEmbeddedJSONIsCurrent(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("sdkmap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := convert.YAMLToJSON(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Fatal("sdkmap.json is not the conversion of sdkmap.yaml: run go generate ./internal/generate/sdkmap")
	}
	// Parse uses json.Unmarshal, which skips unknown fields: refuse them
	// here, so a misspelt key in the YAML cannot drop data unseen.
	var v Map
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("sdkmap.json: %v", err)
	}
}
