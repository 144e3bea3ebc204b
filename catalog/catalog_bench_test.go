package catalog

import (
	"testing"
	"time"
)

// reportCPU adds the CPU time per operation since start (user+system, all
// threads) as "cpu-ns/op": the figure to compare on a loaded machine.
func reportCPU(b *testing.B, start time.Duration) {
	if d := cpuTime() - start; start > 0 && d > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkLoad decodes the embedded bytes from scratch each time (not the
// cached Default), which is what a CLI run pays once: services, resource
// types and keys, with every service's actions left encoded.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(embedded)))
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := decode(embedded, false); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}

// BenchmarkLoadEager decodes everything, every service's actions included:
// what Load does for a file from outside, and the upper bound of a run
// that touches every service.
func BenchmarkLoadEager(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(embedded)))
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := decode(embedded, true); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}

func BenchmarkAction(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := c.Action("S3:getobject"); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}

func BenchmarkExpandAll(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if as, _ := c.Expand("*"); len(as) != c.NumActions() {
			b.Fatal(len(as))
		}
	}
	reportCPU(b, cpu0)
}

// BenchmarkLoadThenExpandAll is a fresh process's first Expand("*"): the
// load, then every service's actions decoded on the way.
func BenchmarkLoadThenExpandAll(b *testing.B) {
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		c, err := decode(embedded, false)
		if err != nil {
			b.Fatal(err)
		}
		if as, _ := c.Expand("*"); len(as) != c.NumActions() {
			b.Fatal(len(as))
		}
	}
	reportCPU(b, cpu0)
}

func BenchmarkExpandS3Get(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if as, _ := c.Expand("s3:Get*"); len(as) == 0 {
			b.Fatal("empty")
		}
	}
	reportCPU(b, cpu0)
}

func BenchmarkExpandAllServicesDescribe(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if as, _ := c.Expand("*:Describe*"); len(as) == 0 {
			b.Fatal("empty")
		}
	}
	reportCPU(b, cpu0)
}

func BenchmarkMatchCached(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if s := c.Match("s3:Get*"); s.IsEmpty() {
			b.Fatal("empty")
		}
	}
	reportCPU(b, cpu0)
}

func BenchmarkActionSetHas(b *testing.B) {
	c := Default()
	s := c.Match("s3:Get*")
	a, _ := c.Action("s3:GetObject")
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if !s.Has(a.ID) {
			b.Fatal("missing")
		}
	}
	reportCPU(b, cpu0)
}

func BenchmarkResourceTypesForARN(b *testing.B) {
	c := Default()
	c.ResourceTypesForARN("*") // build the template index outside the loop
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if len(c.ResourceTypesForARN("arn:aws:s3:::engify-ai-uploads/users/a.txt")) == 0 {
			b.Fatal("no type")
		}
	}
	reportCPU(b, cpu0)
}

func BenchmarkConditionKeyTemplated(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, ok := c.ConditionKey("aws:RequestTag/Env"); !ok {
			b.Fatal("missing")
		}
	}
	reportCPU(b, cpu0)
}

// BenchmarkResourceTypesForARNWildcards: a pattern whose '*' in the region
// and account may cross segments, over the service with the most templates.
func BenchmarkResourceTypesForARNWildcards(b *testing.B) {
	c := Default()
	c.ResourceTypesForARN("*")
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if len(c.ResourceTypesForARN("arn:aws:ec2:*:*:instance/*")) == 0 {
			b.Fatal("no type")
		}
	}
	reportCPU(b, cpu0)
}
