// Command gen regenerates catalog/data/catalog.bin, the embedded catalog.
//
//	go run ./internal/gen -npm-version 0.21.202609261 -o data/catalog.bin
//	go run ./internal/gen -src /path/to/package/data -o data/catalog.bin
//	go run ./internal/gen -aws-ref /path/to/service-reference -date 2026-09-26 -o out.bin
//
// It is run by `go generate ./catalog`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/iamguard/iamguard/catalog/internal/catgen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	npmVersion := flag.String("npm-version", "", "version of "+catgen.NPMPackage+" to download with npm pack")
	src := flag.String("src", "", "an unpacked "+catgen.NPMPackage+" data directory")
	awsRef := flag.String("aws-ref", "", "a directory of AWS service reference JSON files")
	refVersion := flag.String("version", "", "version to record for -aws-ref (default: the files' Version)")
	date := flag.String("date", "", "date to record for -aws-ref (YYYY-MM-DD)")
	out := flag.String("o", "data/catalog.bin", "output file")
	flag.Parse()

	var d *catgen.Data
	var err error
	switch {
	case *awsRef != "":
		d, err = catgen.FromAWSRef(*awsRef, *refVersion, *date)
	case *src != "":
		d, err = catgen.FromNPM(*src)
	case *npmVersion != "":
		tmp, terr := os.MkdirTemp("", "iamguard-gen-")
		if terr != nil {
			return terr
		}
		defer os.RemoveAll(tmp)
		dir, perr := catgen.NPMPack(context.Background(), *npmVersion, tmp)
		if perr != nil {
			return perr
		}
		d, err = catgen.FromNPM(dir)
	default:
		return fmt.Errorf("one of -npm-version, -src or -aws-ref is required")
	}
	if err != nil {
		return err
	}
	b, err := catgen.Encode(d)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	n := 0
	for _, s := range d.Services {
		n += len(s.Actions)
	}
	fmt.Fprintf(os.Stderr, "gen: %s %s (%s): %d services, %d actions, %d keys, %d bytes -> %s\n",
		d.Source, d.Version, d.Date, len(d.Services), n, len(d.Keys), len(b), *out)
	return nil
}
