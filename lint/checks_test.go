package lint_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/lint"
	"github.com/iamguard/iamguard/policy"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testConfig is the configuration of check cases without their own
// iamguard.yaml: defaults with the naming convention off, so a case's file
// name does not add a NAMING_CONVENTION finding to every case.
func testConfig() *config.Config {
	c := config.Default()
	c.Naming.Disabled = true
	return c
}

// caseKind reads the policy kind from a case file name: bad.trust.json → trust.
func caseKind(name string) policy.Kind {
	parts := strings.Split(name, ".")
	if len(parts) >= 3 {
		switch k := policy.Kind(parts[len(parts)-2]); k {
		case policy.KindIdentity, policy.KindResource, policy.KindTrust, policy.KindSCP, policy.KindRCP, policy.KindSession, policy.KindBoundary:
			return k
		}
	}
	return policy.KindUnknown
}

func formatFindings(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%d:%d %s %s: %s\n", f.Line, f.Column, f.Code, f.Path, f.Message)
		if f.Fix != "" {
			fmt.Fprintf(&b, "    fix: %s\n", f.Fix)
		}
		if f.Suppressed != "" {
			fmt.Fprintf(&b, "    suppressed: %s\n", f.Suppressed)
		}
	}
	return b.String()
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./lint -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test ./lint -update to accept):\n--- want\n%s--- got\n%s", path, want, got)
	}
}

// TestChecks runs testdata/checks/<CODE>/: every bad* file must produce the
// code (its findings of that code, with positions, are in bad*.golden) and
// no good* file may.
func TestChecks(t *testing.T) {
	t.Parallel()
	for _, c := range lint.Checks() {
		t.Run(c.Code, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join("testdata", "checks", c.Code)
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatalf("every check needs cases: %v", err)
			}
			cfg := testConfig()
			if _, err := os.Stat(filepath.Join(dir, config.FileName)); err == nil {
				cfg, err = config.Load(filepath.Join(dir, config.FileName))
				if err != nil {
					t.Fatal(err)
				}
			}
			l := lint.New(cfg)
			var bad, good int
			for _, e := range entries {
				name := e.Name()
				isBad, isGood := strings.HasPrefix(name, "bad"), strings.HasPrefix(name, "good")
				ext := filepath.Ext(name)
				if !isBad && !isGood || ext != ".json" && ext != ".yaml" {
					continue
				}
				file := filepath.Join(dir, name)
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				fs, lerr := l.File(file, data, caseKind(name))
				if lerr != nil && c.Code != "JSON_SYNTAX_ERROR" {
					t.Errorf("%s: %v", name, lerr)
				}
				var mine []finding.Finding
				for _, f := range fs {
					if f.Code == c.Code {
						mine = append(mine, f)
					}
					if f.Severity.Rank() == 0 || f.Line == 0 || f.File != file {
						t.Errorf("%s: finding without severity or position: %+v", name, f)
					}
				}
				if isBad {
					bad++
					if len(mine) == 0 {
						t.Errorf("%s: no %s finding; got:\n%s", name, c.Code, formatFindings(fs))
					}
					for _, f := range mine {
						if f.Severity != c.Severity || f.Fix == "" || f.Message == "" {
							t.Errorf("%s: %s has severity %q (want %q), fix %q", name, c.Code, f.Severity, c.Severity, f.Fix)
						}
					}
					checkGolden(t, file+".golden", formatFindings(mine))
				} else {
					good++
					if len(mine) > 0 {
						t.Errorf("%s: unexpected %s:\n%s", name, c.Code, formatFindings(mine))
					}
				}
			}
			if bad == 0 || good == 0 {
				t.Errorf("%s needs at least one bad* and one good* case (have %d bad, %d good)", c.Code, bad, good)
			}
		})
	}
}

// TestSeeds lints our first users' policies: what a reviewer would say, and
// nothing on the ones seed 001 calls correct.
func TestSeeds(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "seeds", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed policies: %v", err)
	}
	cfg := config.Default()
	cfg.Project = "" // the seeds come from two projects (Engify, SynthCoreAI)
	l := lint.New(cfg)
	var all strings.Builder
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := l.File(file, data, "")
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&all, "== %s\n%s", filepath.Base(file), formatFindings(fs))
		clean := slices.Contains([]string{"SynthCoreAI-SES-SendOnly.json", "SynthCoreAI-S3-FileUpload.json", "Engify-SecretsManager-ReadOnly.json", "Engify-S3-UserUploads.json", "trust-policy.json"}, filepath.Base(file))
		if clean && len(fs) > 0 {
			t.Errorf("%s should be clean:\n%s", file, formatFindings(fs))
		}
	}
	checkGolden(t, filepath.Join("testdata", "seeds", "findings.golden"), all.String())
}
