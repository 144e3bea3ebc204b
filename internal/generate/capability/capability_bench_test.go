package capability

import (
	"testing"

	"github.com/iamguard/iamguard/catalog"
)

// BenchmarkIndexBuild is the cost of building the description index from
// the catalog: what go generate pays now (search.idx), and what the first
// suggest no curated entry answered used to pay at run time.
func BenchmarkIndexBuild(b *testing.B) {
	cat := catalog.Default()
	b.ReportAllocs()
	cpu := processCPU()
	defer func() { b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op") }()
	for b.Loop() {
		buildIndex(cat)
	}
}

func BenchmarkSearch(b *testing.B) {
	Search("warm up", 1)
	b.ReportAllocs()
	cpu := processCPU()
	defer func() { b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op") }()
	for b.Loop() {
		Search("reboot an EC2 instance", 5)
	}
}

// BenchmarkOpenIndex is what a run pays to use the embedded index: nothing
// is decoded.
func BenchmarkOpenIndex(b *testing.B) {
	cat := catalog.Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := openSearchIndex(embeddedIndex, cat); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFind(b *testing.B) {
	Entries()
	b.ReportAllocs()
	cpu := processCPU()
	defer func() { b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op") }()
	for b.Loop() {
		Find("I need to add file upload to S3")
	}
}

// BenchmarkParseEntries is the one-off cost of loading the catalog data.
func BenchmarkParseEntries(b *testing.B) {
	b.ReportAllocs()
	cpu := processCPU()
	defer func() { b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op") }()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
