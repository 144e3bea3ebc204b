package generate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/arn"
	"github.com/iamguard/iamguard/eval"
	"github.com/iamguard/iamguard/internal/generate/grant"
	"github.com/iamguard/iamguard/internal/generate/sdkmap"
	"github.com/iamguard/iamguard/policy"
)

// RequestStatus is one needed request and what the current policies say.
type RequestStatus struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
	// Sample is the concrete resource the engine decided, when the needed
	// resource is a pattern.
	Sample string `json:"sample,omitempty"`
	// Statement is where the deciding statement is written (file:line:col).
	Statement string `json:"statement,omitempty"`
	Policy    string `json:"policy,omitempty"`
	// Reason says why a request is missing.
	Reason string `json:"reason,omitempty"`
}

// ExtendResult is the gap analysis of seed 001's policy extension
// workflow: what the current policies already allow, what is missing, and
// a policy for the gap only (nil when nothing is missing).
type ExtendResult struct {
	AlreadyAllowed []RequestStatus
	Missing        []RequestStatus
	*Generated
}

// PlanPairs turns explicit --action/--resource pairs into a plan. With no
// resources, each action's resource comes from the configuration's scope.
func PlanPairs(actions, resources []string, opts Options) (*Plan, error) {
	if len(actions) == 0 {
		return nil, fmt.Errorf("no --action given")
	}
	if len(resources) > 0 && len(resources) != len(actions) {
		return nil, fmt.Errorf("%d --action and %d --resource: they pair in order, so give as many of each (or no --resource to use the configured scope)", len(actions), len(resources))
	}
	cfg := opts.config()
	m := sdkmap.Default()
	cat := m.Catalog()
	plan := &Plan{}
	for i, name := range actions {
		a, err := cat.Action(name)
		if err != nil {
			return nil, fmt.Errorf("--action %s: %w", name, err)
		}
		var arns []string
		if len(resources) > 0 {
			r := resources[i]
			if !cat.ActionResourceMatches(a, r) {
				return nil, fmt.Errorf("--resource %s does not name a resource %s acts on", r, a.FullName())
			}
			arns = []string{r}
		} else {
			res := m.Resources(a, nil, scopeOf(cfg))
			arns = res.ARNs
			if res.Origin == sdkmap.OriginWildcard {
				plan.Warnings = append(plan.Warnings, fmt.Sprintf("no project or scope.prefixes.%s configured: %s's resource is %s", a.Service.Prefix, a.FullName(), strings.Join(arns, ", ")))
			}
		}
		for _, r := range arns {
			plan.Permissions = append(plan.Permissions, grant.Permission{Action: a.FullName(), Resource: r, Evidence: []grant.Evidence{{Note: "--action"}}})
		}
	}
	plan.Name = nameFor(cfg, cat, plan.Permissions)
	plan.Need = "the requests given with --action/--resource"
	return plan, nil
}

// Extend compares a plan with the policies already attached and proposes
// a policy for the gap only, named by convention, linted and proved.
func Extend(current []*policy.Policy, plan *Plan, opts Options) (*ExtendResult, error) {
	cfg := opts.config()
	sets, err := compileProofSets(cfg, current)
	if err != nil {
		return nil, err
	}
	principal := proofPrincipal(cfg)
	res := &ExtendResult{}
	var missing []grant.Permission
	seen := map[string]bool{}
	for _, perm := range plan.Permissions {
		key := perm.Action + " " + perm.Resource
		if seen[key] {
			continue
		}
		seen[key] = true
		st := RequestStatus{Action: perm.Action, Resource: perm.Resource}
		sample := SampleARN(perm.Resource, cfg.Scope.Region, cfg.Scope.Account)
		if sample != perm.Resource {
			st.Sample = sample
		}
		req, err := eval.Prepare(eval.Request{Principal: principal, Action: perm.Action, Resource: sample, Context: contextFor(perm.Conditions)})
		if err != nil {
			return nil, fmt.Errorf("%s on %s: %w", perm.Action, sample, err)
		}
		r := eval.Decide(sets.forAction(perm.Action), req)
		if r.Statement != nil {
			st.Statement = r.Statement.Pos.String()
			st.Policy = r.Statement.Policy
		}
		switch r.Decision {
		case eval.Allowed:
			if stmt := statementAt(current, r.Statement); stmt != nil && !coversPattern(stmt, perm.Resource) {
				st.Reason = fmt.Sprintf("allowed only for part of %s by %s (Resource %s)", perm.Resource, st.Statement, strings.Join(stmt.Resource.Texts(), ", "))
				res.Missing = append(res.Missing, st)
				missing = append(missing, perm)
				continue
			}
			res.AlreadyAllowed = append(res.AlreadyAllowed, st)
		case eval.ExplicitDeny:
			st.Reason = fmt.Sprintf("explicitly denied by %s: no Allow can override it; the Deny must change", st.Statement)
			res.Missing = append(res.Missing, st)
			plan.Warnings = append(plan.Warnings, fmt.Sprintf("%s on %s is explicitly denied by %s; the proposed policy cannot take effect until that Deny changes", perm.Action, perm.Resource, st.Statement))
			missing = append(missing, perm)
		default:
			st.Reason = "no current statement allows it"
			if stmt := partialAllow(current, perm.Action, perm.Resource); stmt != nil {
				st.Statement = stmt.Pos.String()
				st.Reason = fmt.Sprintf("allowed only for part of %s by %s (Resource %s)", perm.Resource, st.Statement, strings.Join(stmt.Resource.Texts(), ", "))
			}
			res.Missing = append(res.Missing, st)
			missing = append(missing, perm)
		}
	}
	names := make([]string, 0, len(current))
	for _, p := range current {
		names = append(names, or(p.Name, p.File))
	}
	analysis := fmt.Sprintf("Current policies (%d): %s. %d needed request%s already allowed, %d missing.",
		len(current), strings.Join(names, ", "), len(res.AlreadyAllowed), plural(len(res.AlreadyAllowed)), len(res.Missing))
	if len(current) == 0 {
		analysis = fmt.Sprintf("Current policies: none. %d needed request%s missing.", len(res.Missing), plural(len(res.Missing)))
	}
	if len(missing) == 0 {
		res.Generated = &Generated{Explanation: append(slices.Clone(plan.Explanation), analysis, "Nothing is missing: the current policies already allow every needed request, so no new policy is proposed.")}
		return res, nil
	}
	gapPlan := *plan
	gapPlan.Permissions = missing
	if len(missing) < len(plan.Permissions) && len(plan.Capabilities) == 0 {
		gapPlan.Name = nameFor(cfg, sdkmap.Default().Catalog(), missing)
	}
	gapPlan.Explanation = append(slices.Clone(plan.Explanation), analysis, "The proposed policy covers the missing requests only.")
	g, err := gapPlan.Generate(opts)
	if err != nil {
		return nil, err
	}
	res.Generated = g
	return res, nil
}

// partialAllow finds an Allow statement that grants the action on some of
// the resources the pattern names (a narrower resource inside it).
func partialAllow(current []*policy.Policy, action, pattern string) *policy.Statement {
	for _, p := range current {
		for _, s := range p.Statements {
			if !s.Allows() || s.Action == nil || s.Resource == nil || s.Condition != nil {
				continue
			}
			if !slices.ContainsFunc(s.Action.Texts(), func(a string) bool { return arn.CompileAction(a).Match(action) }) {
				continue
			}
			if slices.ContainsFunc(s.Resource.Texts(), func(r string) bool { return arn.Covers(pattern, r) }) {
				return s
			}
		}
	}
	return nil
}

// statementAt finds the statement a StatementRef points to.
func statementAt(current []*policy.Policy, ref *eval.StatementRef) *policy.Statement {
	if ref == nil || ref.Index < 0 || ref.Index >= len(current) {
		return nil
	}
	for _, s := range current[ref.Index].Statements {
		if s.Pos == ref.Pos || s.Path == ref.Path && s.Pos.File == ref.Pos.File {
			return s
		}
	}
	return nil
}

// coversPattern reports whether the statement's Resource covers every
// resource the needed pattern names (not only the sample the engine
// decided). NotResource statements are taken at the engine's word.
func coversPattern(s *policy.Statement, pattern string) bool {
	if s.Resource == nil {
		return true
	}
	for _, r := range s.Resource.Texts() {
		if arn.Covers(r, pattern) {
			return true
		}
	}
	return false
}
