package capability

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/iamguard/iamguard/internal/generate/internal/yamljson/convert"
)

// TestEmbeddedJSONIsCurrent: the binary embeds capabilities.json, generated
// from the reviewed capabilities.yaml; an edit of the YAML without
// "go generate ./internal/generate/capability" fails here.
func TestEmbeddedJSONIsCurrent(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("capabilities.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := convert.YAMLToJSON(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Fatal("capabilities.json is not the conversion of capabilities.yaml: run go generate ./internal/generate/capability")
	}
	// Parse uses json.Unmarshal, which skips unknown fields: refuse them
	// here, so a misspelt key in the YAML cannot drop data unseen.
	var v []*Entry
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("capabilities.json: %v", err)
	}
}
