package generate

import (
	"testing"

	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/generate/capability"
)

// TestCapabilityEntries renders every curated entry for SynthCoreAI and
// checks that it lints clean (no error, security finding or warning) and
// that the engine proves it: needed requests allowed, neighbours denied.
func TestCapabilityEntries(t *testing.T) {
	t.Parallel()
	cfg := synthCore(t)
	entries := capability.Entries()
	if len(entries) < 38 {
		t.Errorf("%d entries; the catalog should hold about 40", len(entries))
	}
	for _, e := range entries {
		t.Run(e.ID, func(t *testing.T) {
			t.Parallel()
			plan, err := PlanEntry(e, Options{Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			g, err := plan.Generate(Options{Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range g.Findings {
				if _, ok := e.Accept[f.Code]; ok {
					continue // the explanation says why
				}
				if f.Severity.Rank() >= finding.Warning.Rank() {
					t.Errorf("lint %s (%s) at %s: %s", f.Code, f.Severity, f.Path, f.Message)
				}
			}
			if !g.Proof.OK {
				t.Errorf("%s", g.Proof.Summary())
			}
			if len(g.Proof.Neighbours) == 0 {
				t.Errorf("no neighbours were tried")
			}
			if len(g.Warnings) > 0 {
				t.Errorf("warnings: %v", g.Warnings)
			}
			// The entry must answer to its own first phrase.
			if ms := capability.Find(e.Phrases[0] + " " + e.Hints[0]); len(ms) == 0 || ms[0].Entry != e {
				got := "nothing"
				if len(ms) > 0 {
					got = ms[0].Entry.ID
				}
				t.Errorf("Find(%q) chose %s", e.Phrases[0]+" "+e.Hints[0], got)
			}
		})
	}
}
