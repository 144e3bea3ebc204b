package sdkmap

import (
	"testing"

	"github.com/iamguard/iamguard/catalog"
)

// BenchmarkParse is the one-off cost of loading the mapping data.
func BenchmarkParse(b *testing.B) {
	cat := catalog.Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, cat); err != nil {
			b.Fatal(err)
		}
	}
}
