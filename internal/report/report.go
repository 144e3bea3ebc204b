// Package report renders findings for people (text with a source excerpt
// and a caret, like a compiler), for programs (stable JSON) and for code
// scanning (SARIF 2.1.0). Every format implements Reporter.
package report

import (
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/iamguard/iamguard/finding"
)

// Rule is the metadata of one finding code, for SARIF and help text.
type Rule struct {
	Code     string           `json:"code"`
	Severity finding.Severity `json:"severity"`
	Why      string           `json:"why"`
	Fix      string           `json:"fix"`
	HelpURI  string           `json:"helpUri,omitempty"`
}

// Result is what one run found.
type Result struct {
	Findings []finding.Finding
	// Rules describe the codes that can appear (SARIF rule metadata).
	Rules []Rule
	// Files is how many files were examined.
	Files int
	// Tool is the tool name and version for SARIF.
	ToolName, ToolVersion string
}

// Reporter writes a Result in one format.
type Reporter interface {
	Report(w io.Writer, r Result) error
}

// Formats are the accepted --format values for findings.
var formats = []string{"text", "json", "sarif"}

// Formats returns the names accepted by New.
func Formats() []string { return append([]string(nil), formats...) }

// New returns the reporter for a format name.
func New(format string) (Reporter, error) {
	switch format {
	case "", "text":
		return Text{ReadFile: os.ReadFile}, nil
	case "json":
		return JSON{}, nil
	case "sarif":
		return SARIF{}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want text, json or sarif)", format)
}

// Summary counts findings by severity, leaving suppressed ones apart.
type Summary struct {
	Total      int            `json:"total"`
	BySeverity map[string]int `json:"bySeverity"`
	Suppressed int            `json:"suppressed"`
	Files      int            `json:"files"`
}

// Summarize counts a result's findings.
func Summarize(r Result) Summary {
	s := Summary{BySeverity: map[string]int{}, Files: r.Files}
	for _, f := range r.Findings {
		if f.Suppressed != "" {
			s.Suppressed++
			continue
		}
		s.Total++
		s.BySeverity[string(f.Severity)]++
	}
	return s
}

// sortedCopy returns the findings in reading order without touching the input.
func sortedCopy(fs []finding.Finding) []finding.Finding {
	out := append([]finding.Finding(nil), fs...)
	finding.Sort(out)
	return out
}

func rulesByCode(rules []Rule, fs []finding.Finding) []Rule {
	byCode := map[string]Rule{}
	for _, r := range rules {
		byCode[r.Code] = r
	}
	// Every code that appears gets a rule, even one the caller did not describe.
	for _, f := range fs {
		if _, ok := byCode[f.Code]; !ok {
			byCode[f.Code] = Rule{Code: f.Code, Severity: f.Severity, Why: f.Message, Fix: f.Fix}
		}
	}
	out := make([]Rule, 0, len(byCode))
	for _, r := range byCode {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
