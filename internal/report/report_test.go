package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/finding"
)

var update = flag.Bool("update", false, "rewrite golden files")

const samplePolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "ses:*",
      "Resource": "*"
    }
  ]
}
`

func sample() Result {
	return Result{
		Files:    2,
		ToolName: "iamguard", ToolVersion: "test",
		Rules: []Rule{{Code: "SERVICE_WILDCARD", Severity: finding.Warning, Why: "A service wildcard grants every action of the service, today's and tomorrow's.", Fix: "List the actions the workload calls."}},
		Findings: []finding.Finding{
			{Code: "SERVICE_WILDCARD", Severity: finding.Warning, Message: "\"ses:*\" allows all 70 SES actions", File: "p.json", Line: 6, Column: 17, Path: "Statement[0].Action", Fix: "use [\"ses:SendEmail\", \"ses:SendRawEmail\"]"},
			{Code: "RESOURCE_WILDCARD", Severity: finding.Warning, Message: "Resource \"*\"", File: "p.json", Line: 7, Column: 19, Path: "Statement[0].Resource", Suppressed: "SES identities are created per environment"},
			{Code: "INVALID_VERSION", Severity: finding.Error, Message: "bad version", File: "a.json", Line: 2, Column: 14, Path: "Version"},
		},
	}
}

func render(t *testing.T, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var r Reporter
	if format == "text" {
		r = Text{ReadFile: func(name string) ([]byte, error) {
			if name == "p.json" {
				return []byte(samplePolicy), nil
			}
			return nil, os.ErrNotExist
		}}
	} else {
		var err error
		if r, err = New(format); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Report(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"text", "json", "sarif"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			got := render(t, format)
			golden := filepath.Join("testdata", "sample."+format+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s output differs from %s:\n%s", format, golden, got)
			}
		})
	}
}

func TestTextCaretUnderColumn(t *testing.T) {
	t.Parallel()
	out := string(render(t, "text"))
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "p.json:6:17:") {
			src, caret := lines[i+1], lines[i+2]
			col := strings.Index(caret, "^")
			if col < 0 || src[col:col+7] != "\"ses:*\"" {
				t.Fatalf("caret at %d does not point at the value:\n%s\n%s", col, src, caret)
			}
			return
		}
	}
	t.Fatalf("finding line not found in:\n%s", out)
}

func TestJSONShape(t *testing.T) {
	t.Parallel()
	var doc struct {
		Findings []map[string]any `json:"findings"`
		Summary  Summary          `json:"summary"`
	}
	if err := json.Unmarshal(render(t, "json"), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 3 || doc.Summary.Total != 2 || doc.Summary.Suppressed != 1 || doc.Summary.BySeverity["warning"] != 1 || doc.Summary.BySeverity["error"] != 1 {
		t.Fatalf("unexpected JSON: %+v", doc)
	}
	first := doc.Findings[0]
	for _, k := range []string{"code", "severity", "message", "file", "line", "column", "path"} {
		if _, ok := first[k]; !ok {
			t.Errorf("finding lacks %q: %v", k, first)
		}
	}
	if first["file"] != "a.json" {
		t.Errorf("findings not sorted by file: first is %v", first["file"])
	}
}

func TestJSONEmptyIsArray(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := (JSON{}).Report(&buf, Result{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"findings": []`) {
		t.Errorf("no findings must be an empty array: %s", buf.String())
	}
}

// TestSARIFStructure checks what SARIF 2.1.0 requires and what code
// scanning reads: version, $schema, one run with a driver name, every
// result's ruleId naming a rule at its ruleIndex, valid levels, 1-based
// regions, and suppressions with a justification.
func TestSARIFStructure(t *testing.T) {
	t.Parallel()
	var log map[string]any
	if err := json.Unmarshal(render(t, "sarif"), &log); err != nil {
		t.Fatal(err)
	}
	if log["version"] != "2.1.0" || !strings.Contains(log["$schema"].(string), "sarif-2.1.0") {
		t.Fatalf("version/schema: %v %v", log["version"], log["$schema"])
	}
	runs := log["runs"].([]any)
	if len(runs) != 1 {
		t.Fatalf("runs = %d", len(runs))
	}
	run := runs[0].(map[string]any)
	driver := run["tool"].(map[string]any)["driver"].(map[string]any)
	if driver["name"] != "iamguard" {
		t.Errorf("driver name %v", driver["name"])
	}
	rules := driver["rules"].([]any)
	for _, res := range run["results"].([]any) {
		r := res.(map[string]any)
		idx := int(r["ruleIndex"].(float64))
		if rules[idx].(map[string]any)["id"] != r["ruleId"] {
			t.Errorf("ruleIndex %d does not name %v", idx, r["ruleId"])
		}
		switch r["level"] {
		case "error", "warning", "note", "none":
		default:
			t.Errorf("invalid level %v", r["level"])
		}
		if r["message"].(map[string]any)["text"] == "" {
			t.Errorf("empty message")
		}
		loc := r["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
		region := loc["region"].(map[string]any)
		if region["startLine"].(float64) < 1 {
			t.Errorf("startLine < 1")
		}
		if r["ruleId"] == "RESOURCE_WILDCARD" {
			sup := r["suppressions"].([]any)[0].(map[string]any)
			if sup["kind"] != "external" || sup["justification"] == "" {
				t.Errorf("suppression %v", sup)
			}
		}
	}
	for _, rule := range rules {
		m := rule.(map[string]any)
		if m["help"].(map[string]any)["text"] == "" || m["shortDescription"].(map[string]any)["text"] == "" {
			t.Errorf("rule %v lacks help", m["id"])
		}
	}
}
