package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/generate"
	"github.com/iamguard/iamguard/internal/generate/fromcode"
	"github.com/iamguard/iamguard/internal/generate/render"
	"github.com/iamguard/iamguard/lint"
	"github.com/iamguard/iamguard/policy"
)

// SuggestRequest is a need in words.
type SuggestRequest struct {
	Need      string   `json:"need" jsonschema:"what the workload must do, in words: 'send email with SES', 'upload files to S3', 'read secrets under engify/'"`
	Resources []string `json:"resources,omitempty" jsonschema:"ARNs or ARN patterns to scope the policy to, replacing the derived ones (e.g. arn:aws:s3:::engify-ai-uploads/*)"`
	Format    string   `json:"format,omitempty" jsonschema:"also render the policy as iam, terraform, cloudformation, cli or text (in rendered)"`
}

// GeneratedPolicy is a generated policy with its explanation, the linter's
// verdict and the evaluation engine's proof.
type GeneratedPolicy struct {
	PolicyName string `json:"policyName"`
	// Document is the IAM policy document (JSON object).
	Document    json.RawMessage   `json:"document"`
	Rendered    string            `json:"rendered,omitempty"`
	Explanation []string          `json:"explanation"`
	Warnings    []string          `json:"warnings"`
	Findings    []finding.Finding `json:"findings"`
	// Accepted maps lint codes the generator keeps by necessity to why.
	Accepted map[string]string `json:"accepted,omitempty"`
	Proof    *generate.Proof   `json:"proof,omitempty"`
	Next     string            `json:"next"`
}

// FromCodeRequest is source code to derive a policy from.
type FromCodeRequest struct {
	Files        []File `json:"files,omitempty" jsonschema:"source files calling the AWS SDK (Go, TypeScript/JavaScript, Python) as {path, content}"`
	Path         string `json:"path,omitempty" jsonschema:"instead of files: a directory relative to the server's --root; refused when the server has no root"`
	IncludeTests bool   `json:"includeTests,omitempty" jsonschema:"also read test files, which usually call mocks"`
	Format       string `json:"format,omitempty" jsonschema:"also render the policy as iam, terraform, cloudformation, cli or text (in rendered)"`
}

// FromCodeResponse is the policy the code needs, with the line of code
// behind every action.
type FromCodeResponse struct {
	GeneratedPolicy
	Evidence []generate.Evidence `json:"evidence"`
	Files    int                 `json:"files"`
	Calls    int                 `json:"calls"`
}

func checkFormat(format string) error {
	if format == "" || slices.Contains(render.Formats, format) {
		return nil
	}
	return &Error{Code: BadInput, Message: "format " + format + ": want " + strings.Join(render.Formats, ", "), Path: "format"}
}

func (s *Service) generated(g *generate.Generated, format string) (GeneratedPolicy, error) {
	if g == nil || g.Document == nil {
		out := GeneratedPolicy{Document: json.RawMessage("null"), Explanation: []string{}, Warnings: []string{}, Findings: []finding.Finding{}}
		if g != nil {
			out.Explanation, out.Warnings = nonNilStrings(g.Explanation), nonNilStrings(g.Warnings)
		}
		return out, nil
	}
	out := GeneratedPolicy{
		PolicyName:  g.Name,
		Document:    json.RawMessage(bytes.TrimSpace(g.Document.Indented())),
		Explanation: nonNilStrings(g.Explanation),
		Warnings:    nonNilStrings(g.Warnings),
		Findings:    nonNilFindings(g.Findings),
		Accepted:    g.Accepted,
		Proof:       g.Proof,
	}
	if format != "" {
		var b bytes.Buffer
		p := render.Policy{Name: g.Name, Document: g.Document, Explanation: g.Explanation, Warnings: g.Warnings, Account: s.cfg.Scope.Account}
		if err := render.Write(&b, format, []render.Policy{p}); err != nil {
			return out, AsError(err, Internal)
		}
		out.Rendered = b.String()
	}
	out.Next = "Review the explanation and warnings, then lint_policy the document if you edit it; to create it in AWS, plan_change an AWS::IAM::ManagedPolicy with this PolicyName and PolicyDocument."
	if g.Proof != nil && !g.Proof.OK {
		out.Next = "The engine's proof failed for some requests (see proof): adjust the resources before using the policy."
	}
	return out, nil
}

// SuggestPolicy derives the smallest policy for a need in words, named by
// the naming convention, linted and proved.
func (s *Service) SuggestPolicy(_ context.Context, req SuggestRequest) (GeneratedPolicy, error) {
	if strings.TrimSpace(req.Need) == "" {
		return GeneratedPolicy{}, &Error{Code: BadInput, Message: "need is required: say what the workload must do, e.g. \"upload files to S3\"", Path: "need"}
	}
	if err := checkFormat(req.Format); err != nil {
		return GeneratedPolicy{}, err
	}
	g, err := generate.Suggest(req.Need, generate.Options{Config: s.cfg, Resources: req.Resources})
	if err != nil {
		if errors.Is(err, generate.ErrNoMatch) {
			return GeneratedPolicy{}, &Error{Code: BadInput, Message: err.Error() + "; or call list_actions with a pattern and write the policy from the actions", Path: "need"}
		}
		return GeneratedPolicy{}, AsError(err, BadInput)
	}
	return s.generated(g, req.Format)
}

// PolicyFromCode derives the policy the AWS SDK calls in the code need.
func (s *Service) PolicyFromCode(ctx context.Context, req FromCodeRequest) (FromCodeResponse, error) {
	if err := checkFormat(req.Format); err != nil {
		return FromCodeResponse{}, err
	}
	fsys, root, done, err := s.source(ScanRequest{Files: req.Files, Path: req.Path})
	if err != nil {
		return FromCodeResponse{}, err
	}
	defer done()
	r, err := generate.FromCode(ctx, fsys, root, generate.Options{Config: s.cfg}, fromcode.Options{IncludeTests: req.IncludeTests})
	if err != nil {
		return FromCodeResponse{}, AsError(err, BadInput)
	}
	gp, err := s.generated(r.Generated, req.Format)
	if err != nil {
		return FromCodeResponse{}, err
	}
	out := FromCodeResponse{GeneratedPolicy: gp, Evidence: r.Evidence, Files: r.Files, Calls: r.Calls}
	if out.Evidence == nil {
		out.Evidence = []generate.Evidence{}
	}
	if r.Calls == 0 {
		out.Next = "No AWS SDK calls were found: send the files that call the SDK (Go, TypeScript/JavaScript, Python)."
	}
	return out, nil
}

// CurrentPolicy is a policy already attached to the principal.
type CurrentPolicy struct {
	Name   string   `json:"name,omitempty" jsonschema:"the policy's name (e.g. Engify-Lambda-Execution); it names the policy in the answer"`
	Policy Document `json:"policy" jsonschema:"the policy document as JSON text or object; a {PolicyName, PolicyDocument} wrapper is accepted"`
}

// ExtendRequest is seed 001's policy extension workflow: the policies
// already attached, and what is needed now.
type ExtendRequest struct {
	Current   []CurrentPolicy `json:"current" jsonschema:"every policy already attached to the principal (identity policies); may be empty"`
	Need      string          `json:"need,omitempty" jsonschema:"what is needed now, in words: 'I need to add file upload to S3'"`
	Actions   []string        `json:"actions,omitempty" jsonschema:"instead of need: the exact actions needed (s3:PutObject)"`
	Resources []string        `json:"resources,omitempty" jsonschema:"with actions: the resource of the action at the same position (or none, to use the configured scope)"`
	Format    string          `json:"format,omitempty" jsonschema:"also render the policy as iam, terraform, cloudformation, cli or text (in rendered)"`
}

// ExtendResponse says what the current policies already allow, what is
// missing, and a policy for the gap only (document null when nothing is).
type ExtendResponse struct {
	AlreadyAllowed []generate.RequestStatus `json:"alreadyAllowed"`
	Missing        []generate.RequestStatus `json:"missing"`
	GeneratedPolicy
}

// ExtendPolicy finds the minimum additional permissions a need takes on
// top of the current policies and proposes a policy for them only.
func (s *Service) ExtendPolicy(_ context.Context, req ExtendRequest) (ExtendResponse, error) {
	switch {
	case strings.TrimSpace(req.Need) == "" && len(req.Actions) == 0:
		return ExtendResponse{}, &Error{Code: BadInput, Message: "say what is needed: need (in words) or actions", Path: "need"}
	case req.Need != "" && len(req.Actions) > 0:
		return ExtendResponse{}, &Error{Code: BadInput, Message: "give need or actions, not both", Path: "actions"}
	case req.Need != "" && len(req.Resources) > 0:
		return ExtendResponse{}, &Error{Code: BadInput, Message: "resources pair with actions; to scope a need, set scope.prefixes in iamguard.yaml", Path: "resources"}
	}
	if err := checkFormat(req.Format); err != nil {
		return ExtendResponse{}, err
	}
	current := make([]*policy.Policy, 0, len(req.Current))
	for i, c := range req.Current {
		if len(c.Policy) == 0 {
			return ExtendResponse{}, &Error{Code: BadInput, Message: fmt.Sprintf("current[%d].policy is empty", i), Path: fmt.Sprintf("current[%d].policy", i)}
		}
		base := fmt.Sprintf("current-%d", i)
		if c.Name != "" {
			base = nameSeparators.Replace(c.Name)
		}
		file := fileName("", base, c.Policy)
		p, err := lint.ParseFile(file, c.Policy)
		if err != nil {
			return ExtendResponse{}, AsError(err, BadInput)
		}
		if c.Name != "" {
			p.Name = c.Name
		}
		current = append(current, p)
	}
	opts := generate.Options{Config: s.cfg}
	var plan *generate.Plan
	var err error
	if req.Need != "" {
		plan, err = generate.PlanNeed(req.Need, opts)
	} else {
		plan, err = generate.PlanPairs(req.Actions, req.Resources, opts)
	}
	if err != nil {
		return ExtendResponse{}, AsError(err, BadInput)
	}
	res, err := generate.Extend(current, plan, opts)
	if err != nil {
		return ExtendResponse{}, AsError(err, BadInput)
	}
	gp, err := s.generated(res.Generated, req.Format)
	if err != nil {
		return ExtendResponse{}, err
	}
	out := ExtendResponse{AlreadyAllowed: res.AlreadyAllowed, Missing: res.Missing, GeneratedPolicy: gp}
	if out.AlreadyAllowed == nil {
		out.AlreadyAllowed = []generate.RequestStatus{}
	}
	if out.Missing == nil {
		out.Missing = []generate.RequestStatus{}
	}
	if len(out.Missing) == 0 {
		out.Next = "Nothing is missing: the current policies already allow every needed request."
	} else {
		out.Next = "Propose the policy for the gap (it follows the naming convention); test it in development (plan_change in the dev environment), then promote the same policy to production."
	}
	return out, nil
}
