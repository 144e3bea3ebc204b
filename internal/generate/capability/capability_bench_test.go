package capability

import (
	"testing"

	"github.com/iamguard/iamguard/catalog"
)

// BenchmarkIndexBuild is the one-off cost of the description index, paid
// by the first suggest that no curated entry answers.
func BenchmarkIndexBuild(b *testing.B) {
	cat := catalog.Default()
	b.ReportAllocs()
	for b.Loop() {
		buildIndex(cat)
	}
}

func BenchmarkSearch(b *testing.B) {
	Search("warm up", 1)
	b.ReportAllocs()
	for b.Loop() {
		Search("reboot an EC2 instance", 5)
	}
}

func BenchmarkFind(b *testing.B) {
	Entries()
	b.ReportAllocs()
	for b.Loop() {
		Find("I need to add file upload to S3")
	}
}

// BenchmarkParseEntries is the one-off cost of loading the catalog data.
func BenchmarkParseEntries(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
