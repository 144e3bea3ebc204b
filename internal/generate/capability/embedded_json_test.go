package capability

import (
	"bytes"
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
}
