package service

import (
	"context"
	"github.com/iamguard/iamguard/eval"
)

// SimulateRequest is a scenario (DESIGN.md's contract): a request and
// every policy that applies to it.
type SimulateRequest struct {
	Scenario Document `json:"scenario" jsonschema:"the scenario, as JSON or YAML text or as an object: {request: {principal, action, resource, resourceAccount?, context?}, identityPolicies: [policy], resourcePolicy?, permissionsBoundary?, serviceControlPolicies?: [[policy] per level, root first], resourceControlPolicies?, sessionPolicy?, expect?}; a policy is a document or {name, document}. One action per scenario"`
	File     string   `json:"file,omitempty" jsonschema:"the file name errors point at (default scenario.json, or scenario.yaml for YAML text)"`
}

// Simulation is one decided request.
type Simulation struct {
	Action   string `json:"action"`
	Decision string `json:"decision" jsonschema:"allowed, explicitDeny or implicitDeny"`
	Summary  string `json:"summary"`
	// Statement is the Deny that decided, or the Allow that granted.
	Statement *eval.StatementRef `json:"statement,omitempty"`
	Missing   *eval.Gap          `json:"missing,omitempty"`
	Fixes     []eval.Fix         `json:"fixes,omitempty"`
	Hints     []string           `json:"hints,omitempty"`
}

// SimulateResponse holds the decision (Results has one entry per action
// decided: one today).
type SimulateResponse struct {
	Results []Simulation `json:"results"`
	// Expect is the scenario's expectation; ExpectMet whether every
	// decision satisfies it (absent when the scenario expects nothing).
	Expect    string `json:"expect,omitempty"`
	ExpectMet *bool  `json:"expectMet,omitempty"`
	Next      string `json:"next"`
}

// ExplainResponse holds the full reasoning per action decided.
type ExplainResponse struct {
	Explanations []*eval.Explanation `json:"explanations"`
	Next         string              `json:"next"`
}

// decideScenario parses the scenario and explains its request.
func decideScenario(req SimulateRequest) (*eval.Scenario, []*eval.Explanation, error) {
	if len(req.Scenario) == 0 {
		return nil, nil, &Error{Code: BadInput, Message: "scenario is required: {request: {principal, action, resource}, identityPolicies: [...]}", Path: "scenario"}
	}
	file := fileName(req.File, "scenario", req.Scenario)
	sc, err := eval.ParseScenario(file, req.Scenario)
	if err != nil {
		return nil, nil, AsError(err, BadInput)
	}
	ps, err := eval.Compile(sc.Policies)
	if err != nil {
		return nil, nil, AsError(err, BadInput)
	}
	// One action per scenario (ParseScenario refuses wildcards): the
	// caller expands a pattern with list_actions.
	actions := []string{sc.Request.Action}
	out := make([]*eval.Explanation, 0, len(actions))
	for _, a := range actions {
		r := sc.Request
		r.Action = a
		prep, err := eval.Prepare(r)
		if err != nil {
			e := AsError(err, BadInput)
			e.File = file
			return nil, nil, e
		}
		out = append(out, eval.Explain(ps, prep))
	}
	return sc, out, nil
}

// Simulate decides the scenario's request as AWS would.
func (s *Service) Simulate(_ context.Context, req SimulateRequest) (SimulateResponse, error) {
	sc, exs, err := decideScenario(req)
	if err != nil {
		return SimulateResponse{}, err
	}
	resp := SimulateResponse{Results: make([]Simulation, 0, len(exs)), Expect: sc.Expect}
	met, denied := true, false
	for _, ex := range exs {
		res := ex.Result()
		resp.Results = append(resp.Results, Simulation{
			Action: ex.Request.Action, Decision: ex.Decision.String(), Summary: ex.Summary,
			Statement: res.Statement, Missing: ex.Missing, Fixes: ex.Fixes, Hints: ex.Hints,
		})
		met = met && eval.ExpectMet(sc.Expect, ex.Decision)
		denied = denied || ex.Decision != eval.Allowed
	}
	if sc.Expect != "" {
		resp.ExpectMet = &met
	}
	switch {
	case sc.Expect != "" && !met:
		resp.Next = "The decision contradicts expect. Call explain_access_denied with the same scenario to see every statement and the smallest fix."
	case denied:
		resp.Next = "Denied. Each result's fixes say what to add or change; explain_access_denied walks through every policy and statement."
	default:
		resp.Next = "Allowed."
	}
	return resp, nil
}

// Explain decides the scenario's request and explains every step.
func (s *Service) Explain(_ context.Context, req SimulateRequest) (ExplainResponse, error) {
	_, exs, err := decideScenario(req)
	if err != nil {
		return ExplainResponse{}, err
	}
	resp := ExplainResponse{Explanations: exs, Next: "Allowed: nothing to fix."}
	for _, ex := range exs {
		if ex.Decision != eval.Allowed {
			resp.Next = "Apply the fixes (the statement to add, or the Deny to narrow), then call simulate_access with the changed policies to confirm."
			break
		}
	}
	return resp, nil
}
