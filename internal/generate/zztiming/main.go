package main

import (
	"fmt"
	"syscall"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/internal/generate"
	"github.com/iamguard/iamguard/internal/generate/capability"
	"github.com/iamguard/iamguard/internal/generate/sdkmap"
	"github.com/iamguard/iamguard/lint"
)

func cpu() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

func main() {
	t := cpu()
	lap := func(s string) { n := cpu(); fmt.Printf("%-12s %6.1f ms cpu\n", s, n-t); t = n }
	lap("init")
	cfg, _ := config.Parse("x", []byte("project: SynthCoreAI\n"))
	lap("config")
	cat := catalog.Default()
	lap("catalog")
	cat.ResourceTypesForARN("arn:aws:s3:::x")
	lap("templates")
	sdkmap.Default()
	lap("sdkmap")
	capability.Entries()
	lap("capability")
	lint.New(cfg)
	lap("lint.New")
	generate.Suggest("I need to add file upload to S3", generate.Options{Config: cfg})
	lap("suggest")
	generate.Suggest("I need to add file upload to S3", generate.Options{Config: cfg})
	lap("suggest2")
}
