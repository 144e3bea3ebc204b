package catalog

import (
	"testing"
)

// BenchmarkLoad decodes the embedded bytes from scratch each time (not the
// cached Default), which is what a CLI run pays once.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(embedded)))
	for b.Loop() {
		if _, err := decode(embedded); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAction(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Action("S3:getobject"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExpandAll(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		if as, _ := c.Expand("*"); len(as) != c.NumActions() {
			b.Fatal(len(as))
		}
	}
}

func BenchmarkExpandS3Get(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		if as, _ := c.Expand("s3:Get*"); len(as) == 0 {
			b.Fatal("empty")
		}
	}
}

func BenchmarkExpandAllServicesDescribe(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		if as, _ := c.Expand("*:Describe*"); len(as) == 0 {
			b.Fatal("empty")
		}
	}
}

func BenchmarkMatchCached(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		if s := c.Match("s3:Get*"); s.IsEmpty() {
			b.Fatal("empty")
		}
	}
}

func BenchmarkActionSetHas(b *testing.B) {
	c := Default()
	s := c.Match("s3:Get*")
	a, _ := c.Action("s3:GetObject")
	b.ReportAllocs()
	for b.Loop() {
		if !s.Has(a.ID) {
			b.Fatal("missing")
		}
	}
}

func BenchmarkResourceTypesForARN(b *testing.B) {
	c := Default()
	c.ResourceTypesForARN("*") // build the template index outside the loop
	b.ReportAllocs()
	for b.Loop() {
		if len(c.ResourceTypesForARN("arn:aws:s3:::engify-ai-uploads/users/a.txt")) == 0 {
			b.Fatal("no type")
		}
	}
}

func BenchmarkConditionKeyTemplated(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := c.ConditionKey("aws:RequestTag/Env"); !ok {
			b.Fatal("missing")
		}
	}
}
