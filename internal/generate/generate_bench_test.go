package generate

import (
	"testing"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/internal/generate/capability"
)

func benchConfig(b *testing.B) *config.Config {
	cfg, err := config.Parse("iamguard.yaml", []byte("project: SynthCoreAI\n"))
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

// BenchmarkSuggest is seed 001's example end to end: match, render, lint,
// prove.
func BenchmarkSuggest(b *testing.B) {
	opts := Options{Config: benchConfig(b)}
	b.ReportAllocs()
	cpu := processCPU()
	defer func() { b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op") }()
	for b.Loop() {
		if _, err := Suggest("I need to add file upload to S3", opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSuggestSearch is a need no curated entry answers: the BM25
// index over every action description (built once, before the loop).
func BenchmarkSuggestSearch(b *testing.B) {
	opts := Options{Config: benchConfig(b)}
	capability.Search("warm up", 1)
	b.ReportAllocs()
	cpu := processCPU()
	defer func() { b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op") }()
	for b.Loop() {
		if _, err := Suggest("reboot an EC2 instance", opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExtend(b *testing.B) {
	opts := Options{Config: benchConfig(b)}
	current := loadPoliciesB(b, "SynthCoreAI-S3-ReadOnly.json", "SynthCoreAI-S3-DenyWrites.json")
	b.ReportAllocs()
	cpu := processCPU()
	defer func() { b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op") }()
	for b.Loop() {
		plan, err := PlanNeed("I need to add file upload to S3", opts)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Extend(current, plan, opts); err != nil {
			b.Fatal(err)
		}
	}
}
