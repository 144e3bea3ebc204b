package lint_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/iamguard/iamguard/lint"
	"github.com/iamguard/iamguard/policy"
)

// FuzzFile: any bytes lint without a panic, and every finding has a code,
// a severity and a position.
func FuzzFile(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "seeds", "*.json"))
	more, _ := filepath.Glob(filepath.Join("testdata", "checks", "*", "*.json"))
	for _, s := range append(seeds, more...) {
		if data, err := os.ReadFile(s); err == nil && len(data) < 4096 {
			f.Add(data, uint8(0))
		}
	}
	kinds := []policy.Kind{"", policy.KindIdentity, policy.KindResource, policy.KindTrust, policy.KindSCP, policy.KindRCP, policy.KindSession, policy.KindBoundary}
	l := lint.New(nil)
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		fs, err := l.File("fuzz.json", data, kinds[int(k)%len(kinds)])
		if err != nil && len(fs) != 1 {
			t.Fatalf("syntax error without its finding: %v %v", err, fs)
		}
		for _, x := range fs {
			if x.Code == "" || x.Severity.Rank() == 0 || x.Line < 1 || x.Column < 1 {
				t.Fatalf("bad finding %+v", x)
			}
		}
	})
}

// FuzzManifest: the manifest parser never panics.
func FuzzManifest(f *testing.F) {
	f.Add([]byte("policies:\n  ses.json:\n    name: SynthCoreAI-SES-SendOnly\n    kind: identity\n"))
	f.Add([]byte("policies: {a.json: {kind: trust}}"))
	f.Add([]byte("nope: 1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := lint.ParseManifest("iamguard-policies.yaml", data)
		if err == nil && m == nil {
			t.Fatal("nil manifest without error")
		}
	})
}
