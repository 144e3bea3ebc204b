package secret

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/finding"
)

// unmark removes the '§' that keeps sample secrets from being contiguous in
// this repository's own source.
func unmark(s string) string { return strings.ReplaceAll(s, "§", "") }

func (s sample) fileName() string {
	if s.file == "" {
		return "sample.txt"
	}
	return s.file
}

func TestDetectorSamples(t *testing.T) {
	t.Parallel()
	sc := New(Options{})
	for _, d := range detectors() {
		for i, smp := range d.truePositives {
			t.Run(fmt.Sprintf("%s/true-positive-%d", d.name, i), func(t *testing.T) {
				t.Parallel()
				got := sc.ScanBytes(smp.fileName(), []byte(unmark(smp.text)))
				if !slices.ContainsFunc(got, func(f finding.Finding) bool { return slices.Contains(d.codes, f.Code) }) {
					t.Errorf("no %v finding in %q; got %s", d.codes, smp.text, describe(got))
				}
			})
		}
		for i, smp := range d.falsePositives {
			t.Run(fmt.Sprintf("%s/false-positive-%d", d.name, i), func(t *testing.T) {
				t.Parallel()
				if got := sc.ScanBytes(smp.fileName(), []byte(unmark(smp.text))); len(got) > 0 {
					t.Errorf("findings in %q: %s", smp.text, describe(got))
				}
			})
		}
	}
}

func describe(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %s:%d:%d %s %s: %s", f.File, f.Line, f.Column, f.Severity, f.Code, f.Message)
		if f.Suppressed != "" {
			fmt.Fprintf(&b, " [suppressed: %s]", f.Suppressed)
		}
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}
