package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunLint(t *testing.T) {
	t.Parallel()
	proj := filepath.Join("testdata", "lint", "proj")
	broken := filepath.Join(t.TempDir(), "broken.json")
	if err := os.WriteFile(broken, []byte("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		p        lintParams
		wantExit int
		want     []string // substrings of the output
	}{
		{"clean file", lintParams{paths: []string{filepath.Join(proj, "policies", "ses.json")}, format: "text"}, exitOK, []string{"no findings (1 file)"}},
		{"directory with manifest, naming and a suppression", lintParams{paths: []string{proj}, format: "text"}, exitFindings,
			[]string{"NAME_ACCESS_MISMATCH", "SynthCoreAI-Lambda-ReadOnly", "suppressed: log groups", "2 files"}},
		{"fail-on error ignores warnings", lintParams{paths: []string{proj}, format: "text", failOn: "error"}, exitOK, []string{"NAME_ACCESS_MISMATCH"}},
		{"type flag", lintParams{paths: []string{filepath.Join(proj, "policies", "ses.json")}, format: "text", kind: "trust"}, exitFindings, []string{"MISSING_PRINCIPAL", "UNSUPPORTED_RESOURCE_IN_TRUST_POLICY"}},
		{"syntax error still reports the other files", lintParams{paths: []string{broken, proj}, format: "json"}, exitInput, []string{`"JSON_SYNTAX_ERROR"`, `"line": 3`, `"column": 17`, "NAME_ACCESS_MISMATCH"}},
		{"bad kind", lintParams{paths: []string{proj}, kind: "bucket"}, exitInput, nil},
		{"bad format", lintParams{paths: []string{proj}, format: "xml"}, exitInput, nil},
		{"bad fail-on", lintParams{paths: []string{proj}, format: "text", failOn: "fatal"}, exitInput, nil},
		{"missing path", lintParams{paths: []string{filepath.Join(proj, "nope.json")}, format: "text"}, exitInput, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := runLint(context.Background(), tc.p, &out)
			if got := exitCode(err); got != tc.wantExit {
				t.Fatalf("exit %d (err %v), want %d; output:\n%s", got, err, tc.wantExit, out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if tc.wantExit == exitInput && strings.Contains(tc.name, "syntax") && !strings.Contains(err.Error(), "broken.json:3:17") {
				t.Errorf("error %q does not name file:line:col", err)
			}
		})
	}
}

func TestRunLintJSONShape(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := runLint(context.Background(), lintParams{paths: []string{filepath.Join("testdata", "lint", "proj")}, format: "json"}, &out)
	if !errors.Is(err, errExitFindings) {
		t.Fatalf("err = %v", err)
	}
	var doc struct {
		Findings []struct {
			Code, Severity, Message, File, Path, Fix, Policy, Suppressed string
			Line, Column                                                 int
		} `json:"findings"`
		Summary struct {
			Total, Suppressed, Files int
		} `json:"summary"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Summary.Files != 2 || doc.Summary.Suppressed != 1 || doc.Summary.Total != len(doc.Findings)-1 {
		t.Errorf("summary %+v with %d findings", doc.Summary, len(doc.Findings))
	}
	for _, f := range doc.Findings {
		if f.Code == "" || f.Severity == "" || f.Message == "" || f.File == "" || f.Line == 0 || f.Column == 0 || f.Fix == "" {
			t.Errorf("incomplete finding %+v", f)
		}
	}
}

// TestRunLintSARIF checks the structure SARIF 2.1.0 requires and code
// scanning reads: version, $schema, one run with tool.driver.name and rules
// (id, shortDescription, help), results with ruleId, level, message.text and
// a physical location with a region.
func TestRunLintSARIF(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	_ = runLint(context.Background(), lintParams{paths: []string{filepath.Join("testdata", "lint", "proj")}, format: "sarif"}, &out)
	var log struct {
		Version string `json:"version"`
		Schema  string `json:"$schema"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID               string `json:"id"`
						ShortDescription struct {
							Text string `json:"text"`
						} `json:"shortDescription"`
						Help struct {
							Text string `json:"text"`
						} `json:"help"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				Suppressions []struct {
					Kind          string `json:"kind"`
					Justification string `json:"justification"`
				} `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out.Bytes(), &log); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif") || len(log.Runs) != 1 {
		t.Fatalf("version %q schema %q runs %d", log.Version, log.Schema, len(log.Runs))
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "iamguard" || len(run.Tool.Driver.Rules) == 0 {
		t.Fatalf("driver %+v", run.Tool.Driver.Name)
	}
	rules := map[string]bool{}
	for _, r := range run.Tool.Driver.Rules {
		if r.ID == "" || r.ShortDescription.Text == "" || r.Help.Text == "" {
			t.Errorf("rule without id, description or help: %+v", r)
		}
		rules[r.ID] = true
	}
	if len(run.Results) == 0 {
		t.Fatal("no results")
	}
	suppressed := 0
	for _, r := range run.Results {
		if !rules[r.RuleID] || r.Message.Text == "" || len(r.Locations) == 0 {
			t.Errorf("result %+v", r)
			continue
		}
		switch r.Level {
		case "error", "warning", "note":
		default:
			t.Errorf("level %q", r.Level)
		}
		loc := r.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI == "" || loc.Region.StartLine == 0 || loc.Region.StartColumn == 0 {
			t.Errorf("location %+v", loc)
		}
		if len(r.Suppressions) > 0 {
			suppressed++
			if r.Suppressions[0].Justification == "" {
				t.Errorf("suppression without justification")
			}
		}
	}
	if suppressed != 1 {
		t.Errorf("%d suppressed results, want 1", suppressed)
	}
}
