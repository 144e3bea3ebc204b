package generate

import (
	"github.com/iamguard/iamguard/internal/generate/grant"
)

// SuggestJSON is suggest's JSON output.
type SuggestJSON struct {
	PolicyName  string          `json:"policyName"`
	Document    *grant.Document `json:"document"`
	Explanation []string        `json:"explanation"`
}

// JSON is the suggest output contract.
func (g *Generated) JSON() SuggestJSON {
	return SuggestJSON{PolicyName: g.Name, Document: g.Document, Explanation: nonNil(g.Explanation)}
}

// CodeJSON is from-code's JSON output.
type CodeJSON struct {
	PolicyName  string          `json:"policyName,omitempty"`
	Document    *grant.Document `json:"document"`
	Evidence    []Evidence      `json:"evidence"`
	Warnings    []string        `json:"warnings"`
	Explanation []string        `json:"explanation"`
}

// JSON is the from-code output contract.
func (r *CodeResult) JSON() CodeJSON {
	ev := r.Evidence
	if ev == nil {
		ev = []Evidence{}
	}
	return CodeJSON{PolicyName: r.Name, Document: r.Document, Evidence: ev, Warnings: nonNil(r.Warnings), Explanation: nonNil(r.Explanation)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
