package service

import (
	"context"

	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/lint"
	"github.com/iamguard/iamguard/policy"
)

// LintRequest is one policy to check.
type LintRequest struct {
	Policy Document `json:"policy" jsonschema:"the IAM policy: its JSON or YAML text as a string, or the policy object itself; a {PolicyName, PolicyDocument} wrapper is accepted"`
	Name   string   `json:"name,omitempty" jsonschema:"the policy's name, checked against the naming convention (e.g. SynthCoreAI-S3-FileUpload); default: the wrapper's PolicyName, else taken from file"`
	File   string   `json:"file,omitempty" jsonschema:"the file name findings point at (default: NAME.json, else policy.json; .yaml for YAML text)"`
	Kind   string   `json:"kind,omitempty" jsonschema:"identity, resource, trust, scp, rcp, session or boundary; default: detected from the content"`
}

// LintResponse is the linter's verdict.
type LintResponse struct {
	// Findings sorted by position; suppressed ones are kept and marked.
	Findings []finding.Finding `json:"findings"`
	Summary  Summary           `json:"summary"`
	// Passed is false when a finding at or above FailOn is not suppressed.
	Passed bool   `json:"passed"`
	FailOn string `json:"failOn"`
	Next   string `json:"next"`
}

// Summary counts unsuppressed findings by severity.
type Summary struct {
	Errors      int `json:"errors"`
	Security    int `json:"security"`
	Warnings    int `json:"warnings"`
	Suggestions int `json:"suggestions"`
	Suppressed  int `json:"suppressed"`
}

func summarize(fs []finding.Finding) Summary {
	var s Summary
	for _, f := range fs {
		if f.Suppressed != "" {
			s.Suppressed++
			continue
		}
		switch f.Severity {
		case finding.Error:
			s.Errors++
		case finding.Security:
			s.Security++
		case finding.Warning:
			s.Warnings++
		case finding.Suggestion:
			s.Suggestions++
		}
	}
	return s
}

func nonNilFindings(fs []finding.Finding) []finding.Finding {
	if fs == nil {
		return []finding.Finding{}
	}
	return fs
}

// failOn is a configured threshold, else error.
func failOn(configured string) finding.Severity {
	if sev, ok := finding.ParseSeverity(configured); ok {
		return sev
	}
	return finding.Error
}

// LintPolicy checks one policy as `iamguard lint` does. Text that is not
// JSON or YAML is BadInput naming file:line:col; a document that breaks
// IAM's grammar is findings.
func (s *Service) LintPolicy(_ context.Context, req LintRequest) (LintResponse, error) {
	if len(req.Policy) == 0 {
		return LintResponse{}, &Error{Code: BadInput, Message: "policy is required: the policy JSON text, or the policy object", Path: "policy"}
	}
	var kind policy.Kind
	if req.Kind != "" {
		k, err := lint.ParseKind(req.Kind)
		if err != nil {
			return LintResponse{}, &Error{Code: BadInput, Message: "kind: " + err.Error(), Path: "kind"}
		}
		kind = k
	}
	base := "policy"
	if req.Name != "" {
		base = nameSeparators.Replace(req.Name)
	}
	file := fileName(req.File, base, req.Policy)
	p, err := lint.ParseFile(file, req.Policy)
	if err != nil {
		return LintResponse{}, AsError(err, BadInput)
	}
	if req.Name != "" {
		p.Name = req.Name
	}
	fs := nonNilFindings(s.linter.Policy(p, kind))
	threshold := failOn(s.cfg.Lint.FailOn)
	resp := LintResponse{Findings: fs, Summary: summarize(fs), FailOn: string(threshold)}
	resp.Passed = !finding.AtOrAbove(fs, threshold)
	switch {
	case !resp.Passed:
		resp.Next = "Fix every finding at or above " + string(threshold) + " (each has a fix), then call lint_policy again with the corrected policy."
	case len(fs) > 0:
		resp.Next = "The policy passes; the remaining findings are below the failure threshold and worth a look."
	default:
		resp.Next = "The policy is clean."
	}
	return resp, nil
}
