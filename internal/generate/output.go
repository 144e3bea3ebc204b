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

// LogsPolicyJSON is one principal's policy in from-logs' JSON output.
type LogsPolicyJSON struct {
	Principal   string          `json:"principal"`
	PolicyName  string          `json:"policyName,omitempty"`
	Document    *grant.Document `json:"document"`
	Used        []UsedAction    `json:"used"`
	Denied      []DeniedCall    `json:"denied"`
	Events      int             `json:"events"`
	Explanation []string        `json:"explanation"`
	Warnings    []string        `json:"warnings"`
}

// LogsJSON is from-logs' JSON output.
type LogsJSON struct {
	Policies []LogsPolicyJSON `json:"policies"`
	Events   int              `json:"events"`
	Skipped  int              `json:"skipped"`
	Warnings []string         `json:"warnings"`
}

// JSON is the from-logs output contract.
func (r *LogsResult) JSON() LogsJSON {
	out := LogsJSON{Policies: []LogsPolicyJSON{}, Events: r.Events, Skipped: r.Skipped, Warnings: nonNil(r.Warnings)}
	for _, p := range r.Policies {
		used, denied := p.Used, p.Denied
		if used == nil {
			used = []UsedAction{}
		}
		if denied == nil {
			denied = []DeniedCall{}
		}
		out.Policies = append(out.Policies, LogsPolicyJSON{Principal: p.Principal, PolicyName: p.Name, Document: p.Document,
			Used: used, Denied: denied, Events: p.Events, Explanation: nonNil(p.Explanation), Warnings: nonNil(p.Warnings)})
	}
	return out
}

// ExtendJSON is extend's JSON output.
type ExtendJSON struct {
	AlreadyAllowed []RequestStatus `json:"alreadyAllowed"`
	Missing        []RequestStatus `json:"missing"`
	PolicyName     *string         `json:"policyName"`
	Document       *grant.Document `json:"document"`
	Explanation    []string        `json:"explanation"`
	Warnings       []string        `json:"warnings"`
}

// JSON is the extend output contract: "document" is null when nothing is missing.
func (r *ExtendResult) JSON() ExtendJSON {
	out := ExtendJSON{AlreadyAllowed: r.AlreadyAllowed, Missing: r.Missing, Explanation: nonNil(r.Explanation), Warnings: nonNil(r.Warnings)}
	if out.AlreadyAllowed == nil {
		out.AlreadyAllowed = []RequestStatus{}
	}
	if out.Missing == nil {
		out.Missing = []RequestStatus{}
	}
	if r.Document != nil {
		out.PolicyName, out.Document = &r.Name, r.Document
	}
	return out
}
