package sdkmap

import (
	"testing"

	"github.com/iamguard/iamguard/internal/generate/internal/yamljson/convert"
)

// TestEmbeddedJSONIsCurrent: the binary embeds sdkmap.json, generated from
// the reviewed sdkmap.yaml, and it holds no field the reader would skip.
func TestEmbeddedJSONIsCurrent(t *testing.T) {
	t.Parallel()
	var v Map
	convert.CheckCurrent(t, "sdkmap.yaml", data, &v, "./internal/generate/sdkmap")
}
