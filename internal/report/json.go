package report

import (
	"encoding/json"
	"io"

	"github.com/iamguard/iamguard/finding"
)

// JSON writes {"findings": [...], "summary": {...}}: the stable format
// documented in docs/output.md.
type JSON struct{}

type jsonDoc struct {
	Findings []finding.Finding `json:"findings"`
	Summary  Summary           `json:"summary"`
}

// Report implements Reporter.
func (JSON) Report(w io.Writer, r Result) error {
	doc := jsonDoc{Findings: sortedCopy(r.Findings), Summary: Summarize(r)}
	if doc.Findings == nil {
		doc.Findings = []finding.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
