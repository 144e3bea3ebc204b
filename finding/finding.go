// Package finding is the one shape every engine reports in: the linter, the
// resource scanner and the secret scanner all return []Finding, and every
// reporter (text, JSON, SARIF) renders them.
package finding

import (
	"cmp"
	"slices"
)

// Severity orders findings; higher is worse.
type Severity string

const (
	Suggestion Severity = "suggestion"
	Warning    Severity = "warning"
	Security   Severity = "security"
	Error      Severity = "error"
)

// Rank is the severity's order: suggestion 1 … error 4; unknown 0.
func (s Severity) Rank() int {
	switch s {
	case Suggestion:
		return 1
	case Warning:
		return 2
	case Security:
		return 3
	case Error:
		return 4
	}
	return 0
}

// ParseSeverity accepts the four severity names.
func ParseSeverity(s string) (Severity, bool) {
	sev := Severity(s)
	return sev, sev.Rank() > 0
}

// Finding is one problem at one place.
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	Column   int      `json:"column,omitempty"`
	Path     string   `json:"path,omitempty"`
	Fix      string   `json:"fix,omitempty"`
	// Policy names the policy or resource the finding is about, when known.
	Policy string `json:"policy,omitempty"`
	// Fingerprint identifies a secret finding across runs without the
	// secret itself (allowlists match it).
	Fingerprint string `json:"fingerprint,omitempty"`
	// Commit is the git commit a history finding was introduced in.
	Commit string `json:"commit,omitempty"`
	// Suppressed carries the reason when a configured or inline suppression
	// matched; suppressed findings are reported, never dropped.
	Suppressed string `json:"suppressed,omitempty"`
}

// Sort orders findings by file, line, column, then code: the order people read them in.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Code, b.Code),
		)
	})
}

// AtOrAbove reports whether any unsuppressed finding is at least min.
func AtOrAbove(fs []Finding, min Severity) bool {
	for _, f := range fs {
		if f.Suppressed == "" && f.Severity.Rank() >= min.Rank() {
			return true
		}
	}
	return false
}
