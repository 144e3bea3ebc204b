package capability

import (
	"testing"

	"github.com/iamguard/iamguard/internal/generate/internal/yamljson/convert"
)

// TestEmbeddedJSONIsCurrent: the binary embeds capabilities.json, generated from
// the reviewed capabilities.yaml, and it holds no field the reader would skip.
func TestEmbeddedJSONIsCurrent(t *testing.T) {
	t.Parallel()
	var v []*Entry
	convert.CheckCurrent(t, "capabilities.yaml", data, &v, "./internal/generate/capability")
}
