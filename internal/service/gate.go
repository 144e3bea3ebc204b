package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iamguard/iamguard/internal/gate"
	"github.com/iamguard/iamguard/internal/gate/apply"
	"github.com/iamguard/iamguard/internal/gate/store"
)

// Gate is the change gate behind the change operations: the workflow over
// a store, and the applier that writes to AWS when the server allows it.
type Gate struct {
	g      *gate.Gate
	writer apply.Applier
}

// Gate returns the service's change gate (nil when it has none).
func (s *Service) Gate() *gate.Gate {
	if s.gate == nil {
		return nil
	}
	return s.gate.g
}

// attachGate builds the gate over the store with the real scanner.
func (s *Service) attachGate(st store.Store, writer apply.Applier, now func() time.Time) {
	if st == nil {
		return
	}
	s.gate = &Gate{g: gate.New(st, s.cfg, gate.Options{Scanner: changeScanner{s}, Now: now}), writer: writer}
}

func (s *Service) needGate() (*gate.Gate, error) {
	if s.gate == nil {
		return nil, Errorf(Unavailable, "this server has no change store: start it with --db (a SQLite file or a postgres:// URL)")
	}
	return s.gate.g, nil
}

// gateFor is the gate and the authenticated caller of a gate step.
func (s *Service) gateFor(ctx context.Context) (*gate.Gate, Caller, error) {
	g, err := s.needGate()
	if err != nil {
		return nil, Caller{}, err
	}
	c, err := caller(ctx)
	if err != nil {
		return nil, Caller{}, err
	}
	return g, c, nil
}

// caller returns the authenticated caller, or refuses.
func caller(ctx context.Context) (Caller, error) {
	c, ok := CallerFrom(ctx)
	if !ok {
		return c, Errorf(Unauthorized, "the caller is not known: the gate records who does every step")
	}
	return c, nil
}

func channel(c Caller) gate.Channel {
	switch c.Via {
	case ViaMCP:
		return gate.ChannelMCP
	case ViaHTTP:
		return gate.ChannelHTTP
	}
	return gate.ChannelCLI
}

// gateError maps the gate's errors to service errors: a refusal keeps its
// code in Reason.
func gateError(err error) *Error {
	var r *gate.Refusal
	if errors.As(err, &r) {
		code := Refused
		switch r.Code {
		case gate.RefusedSelfApproval, gate.RefusedNotApprover, gate.RefusedNotAllowed:
			code = Forbidden
		case gate.RefusedWrongState:
			code = Conflict
		}
		return &Error{Code: code, Reason: r.Code, Message: r.Error()}
	}
	var ie *gate.InputError
	if errors.As(err, &ie) {
		return &Error{Code: BadInput, Message: ie.Error(), File: ie.Pos.File, Line: ie.Pos.Line, Column: ie.Pos.Column}
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &Error{Code: NotFound, Message: err.Error()}
	case errors.Is(err, store.ErrConflict):
		return &Error{Code: Conflict, Message: err.Error() + ": the change was updated by someone else; read it again"}
	}
	return AsError(err, Internal)
}

// parseChange reads a change document and binds its requester to the
// caller: whoever plans a change is its requester, so an assistant cannot
// plan in an approver's name and approve it itself.
func parseChange(c Caller, doc Document, file string) (*gate.Change, error) {
	if len(doc) == 0 {
		return nil, &Error{Code: BadInput, Message: "change is required: {environment, operation, resourceType, properties, monthlyCost?, description?}", Path: "change"}
	}
	file = fileName(file, "change", doc)
	ch, err := gate.ParseChange(file, doc)
	if err != nil {
		return nil, gateError(err)
	}
	switch {
	case ch.Requester == "":
		ch.Requester = c.Name
	case !strings.EqualFold(strings.TrimSpace(ch.Requester), c.Name):
		pos := ch.PosOf("requester")
		return nil, &Error{Code: Forbidden, Reason: "REQUESTER_MISMATCH", File: pos.File, Line: pos.Line, Column: pos.Column, Path: "requester",
			Message: fmt.Sprintf("the change names requester %q, but you are %q: the requester is whoever plans the change (leave requester out)", ch.Requester, c.Name)}
	}
	return ch, nil
}

// PlanRequest is a change to plan.
type PlanRequest struct {
	Change Document `json:"change" jsonschema:"the change request as JSON/YAML text or object: {environment: dev|prod|…, operation: create|read|update|delete, resourceType: AWS::S3::Bucket, identifier?: for read/update/delete, properties: {CloudFormation properties, as Cloud Control's desired state}, monthlyCost?: USD per month or 'unknown' (estimated when absent), description?: why}. requester is you; leave it out"`
	File   string   `json:"file,omitempty" jsonschema:"the file name findings point at (default change.json)"`
}

// PlanResponse is the gate's plan: cost, rule, tags, scan and the token
// for the next step.
type PlanResponse struct {
	gate.Plan
	// Next says what to do now, with this server's tools.
	Next string `json:"next"`
}

// PlanChange prices, tags and scans a change, decides which approval rule
// applies, records it, and issues the plan token.
func (s *Service) PlanChange(ctx context.Context, req PlanRequest) (PlanResponse, error) {
	g, c, err := s.gateFor(ctx)
	if err != nil {
		return PlanResponse{}, err
	}
	ch, err := parseChange(c, req.Change, req.File)
	if err != nil {
		return PlanResponse{}, err
	}
	p, err := g.Plan(ctx, ch)
	if err != nil {
		return PlanResponse{}, gateError(err)
	}
	resp := PlanResponse{Plan: *p}
	if secrets := secretValues(p.Change, p.Findings); len(secrets) > 0 {
		resp.Change = redactValues(resp.Change, secrets)
	}
	switch {
	case p.Next == gate.NextFix && p.ScanStatus == gate.ScanFailed:
		resp.Next = "The scan failed: fix each blocking finding (each has a fix and a path into the change), then call plan_change again with the corrected change. Do not apply. Only if the user explicitly accepts the findings: request_approval with this token, and an approver accepts them by fingerprint in approve_change."
	case p.Next == gate.NextFix:
		resp.Next = "The change cannot go ahead as it is: " + strings.Join(p.Steps, "; ")
	case p.Next == gate.NextRequestApproval:
		resp.Next = fmt.Sprintf("Rule %s needs a human approval: call request_approval with this token, then ask an approver (not the requester) to approve change %s.", p.Rule.Name, p.ChangeID)
	default:
		resp.Next = "The scan passed and no approval is needed: call apply_change with this token and the same change (a dry run unless the server allows writes)."
	}
	return resp, nil
}

// RequestApprovalRequest asks approvers to approve a planned change.
type RequestApprovalRequest struct {
	ChangeID string `json:"changeId,omitempty" jsonschema:"the change's id (optional: the token names it)"`
	Token    string `json:"token,omitempty" jsonschema:"required: the plan token plan_change returned"`
	Note     string `json:"note,omitempty" jsonschema:"why the change is needed, for the approver"`
}

// StepResponse is the outcome of request, approve and reject.
type StepResponse struct {
	gate.StepOutcome
	Next string `json:"next"`
}

// RequestApproval moves a planned change to the approvers.
func (s *Service) RequestApproval(ctx context.Context, req RequestApprovalRequest) (StepResponse, error) {
	g, c, err := s.gateFor(ctx)
	if err != nil {
		return StepResponse{}, err
	}
	if err := tokenFor(req.Token, req.ChangeID); err != nil {
		return StepResponse{}, err
	}
	out, err := g.Request(ctx, gate.RequestInput{Token: req.Token, By: c.Name, Note: req.Note})
	if err != nil {
		return StepResponse{}, gateError(err)
	}
	return StepResponse{StepOutcome: *out, Next: fmt.Sprintf("Change %s waits for a human approver (not you or the requester). Ask them to review it (get_change) and approve it; their approval token is what apply_change takes.", out.ChangeID)}, nil
}

// tokenFor checks, when an id is given too, that the token names that
// change. A missing or malformed token goes to the gate, which refuses it
// and records the refusal.
func tokenFor(token, id string) error {
	if id == "" {
		return nil
	}
	if claims, ok := gate.InspectToken(token); ok && claims.ChangeID != id {
		return &Error{Code: BadInput, Message: fmt.Sprintf("the token is for change %s, not %s", claims.ChangeID, id), Path: "changeId"}
	}
	return nil
}

// ApproveRequest is an approver's decision to approve.
type ApproveRequest struct {
	ChangeID    string   `json:"changeId" jsonschema:"the change to approve"`
	ContentHash string   `json:"contentHash,omitempty" jsonschema:"the contentHash the approver reviewed (from get_change, at least 12 hex digits); approval is refused if the change is other content"`
	Accept      []string `json:"accept,omitempty" jsonschema:"blocking findings the approver accepts: a fingerprint, CODE@PATH, or CODE"`
	MFA         string   `json:"mfa,omitempty" jsonschema:"the approver's MFA code or identity-provider assertion, required for production when mfa.requireForProduction is set"`
	Comment     string   `json:"comment,omitempty"`
}

// ApproveChange records the caller's approval of the change's exact
// content and issues the approval token. Over MCP only the people named in
// approvals.mcpApprovers may approve; nobody approves their own change.
func (s *Service) ApproveChange(ctx context.Context, req ApproveRequest) (StepResponse, error) {
	g, c, err := s.gateFor(ctx)
	if err != nil {
		return StepResponse{}, err
	}
	if strings.TrimSpace(req.ChangeID) == "" {
		return StepResponse{}, &Error{Code: BadInput, Message: "changeId is required", Path: "changeId"}
	}
	out, err := g.Approve(ctx, gate.ApproveInput{
		ChangeID: req.ChangeID, Approver: c.Name, Accept: req.Accept, MFA: req.MFA,
		Channel: channel(c), ContentHash: req.ContentHash, Comment: req.Comment,
	})
	if err != nil {
		return StepResponse{}, gateError(err)
	}
	return StepResponse{StepOutcome: *out, Next: "Give this approval token to whoever applies: apply_change with it and the same change."}, nil
}

// RejectRequest is an approver's decision to reject.
type RejectRequest struct {
	ChangeID string `json:"changeId" jsonschema:"the change to reject"`
	Reason   string `json:"reason,omitempty" jsonschema:"why, for the requester"`
}

// RejectChange closes a requested change; it never applies.
func (s *Service) RejectChange(ctx context.Context, req RejectRequest) (StepResponse, error) {
	g, c, err := s.gateFor(ctx)
	if err != nil {
		return StepResponse{}, err
	}
	if strings.TrimSpace(req.ChangeID) == "" {
		return StepResponse{}, &Error{Code: BadInput, Message: "changeId is required", Path: "changeId"}
	}
	out, err := g.Reject(ctx, gate.RejectInput{ChangeID: req.ChangeID, Approver: c.Name, Reason: req.Reason, Channel: channel(c)})
	if err != nil {
		return StepResponse{}, gateError(err)
	}
	return StepResponse{StepOutcome: *out, Next: "The change is closed. A fixed change is planned anew with plan_change."}, nil
}

// ApplyRequest carries a change out.
type ApplyRequest struct {
	ChangeID string   `json:"changeId,omitempty" jsonschema:"the change's id (optional: the token names it)"`
	Token    string   `json:"token,omitempty" jsonschema:"required: the approval token from approve_change when the plan needed an approval, else the plan token from plan_change"`
	Change   Document `json:"change" jsonschema:"the change document being applied, exactly as planned: the gate refuses it if it is not the content the token was issued for"`
	File     string   `json:"file,omitempty"`
	Write    bool     `json:"write,omitempty" jsonschema:"true to change AWS; only on a server started with --allow-write. Default: a dry run that returns the exact AWS calls"`
}

// ApplyResponse is what an apply did (or would do).
type ApplyResponse struct {
	gate.ApplyOutcome
	// Documents are the files the calls read with file:// (dry runs).
	Documents []ApplyDocument `json:"documents,omitempty"`
	Next      string          `json:"next"`
}

// ApplyDocument is one document a call reads.
type ApplyDocument struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

// ApplyChange checks the token, the content, the scan and the approval, and
// carries the change out: as a dry run unless the server allows writes and
// the request asks for one.
func (s *Service) ApplyChange(ctx context.Context, req ApplyRequest) (ApplyResponse, error) {
	g, c, err := s.gateFor(ctx)
	if err != nil {
		return ApplyResponse{}, err
	}
	if err := tokenFor(req.Token, req.ChangeID); err != nil {
		return ApplyResponse{}, err
	}
	if req.Write && (!s.allowWrite || s.gate.writer == nil) {
		return ApplyResponse{}, &Error{Code: Forbidden, Reason: "READ_ONLY", Path: "write",
			Message: "this server is read-only (started without --allow-write): apply without write for a dry run that shows the exact AWS calls"}
	}
	if len(req.Change) == 0 {
		return ApplyResponse{}, &Error{Code: BadInput, Message: "change is required: the change document being applied, exactly as planned", Path: "change"}
	}
	ch, err := gate.ParseChange(fileName(req.File, "change", req.Change), req.Change)
	if err != nil {
		return ApplyResponse{}, gateError(err)
	}
	in := gate.ApplyInput{Token: req.Token, Change: ch, By: c.Name}
	if req.Write {
		in.Applier = s.gate.writer
	}
	out, err := g.Apply(ctx, in)
	if err != nil {
		return ApplyResponse{}, gateError(err)
	}
	resp := ApplyResponse{ApplyOutcome: *out}
	var secrets []string
	if st, err := g.Status(ctx, out.ChangeID); err == nil {
		secrets = secretValues(st.Content, st.Scan.Findings)
	}
	if out.Result != nil {
		for _, call := range out.Result.Calls {
			for _, f := range call.Files {
				resp.Documents = append(resp.Documents, ApplyDocument{Path: f.Path, Content: string(redactValues(f.Content, secrets))})
			}
		}
		if len(secrets) > 0 {
			res := *out.Result
			res.Calls = slices.Clone(res.Calls)
			for i := range res.Calls {
				res.Calls[i].CLI = string(redactValues([]byte(res.Calls[i].CLI), secrets))
			}
			resp.Result = &res
		}
	}
	if out.DryRun {
		resp.Next = "Dry run: nothing was changed. Show the user the calls; to change AWS, a server started with --allow-write applies with write: true and the same token."
	} else {
		resp.Next = out.Message
	}
	return resp, nil
}

// redactApplied redacts secrets in the command lines of a recorded apply.
func redactApplied(a *gate.Applied, secrets []string) {
	if a == nil || a.Result == nil {
		return
	}
	res := *a.Result
	res.Calls = slices.Clone(res.Calls)
	for i := range res.Calls {
		res.Calls[i].CLI = string(redactValues([]byte(res.Calls[i].CLI), secrets))
	}
	a.Result = &res
}

// ChangeRequest names a change.
type ChangeRequest struct {
	ChangeID string `json:"changeId" jsonschema:"the change's id (chg-…)"`
}

// ChangeResponse is everything the gate knows about a change.
type ChangeResponse struct {
	gate.Status
}

// GetChange returns a change's state, content, scan, approval and apply.
func (s *Service) GetChange(ctx context.Context, req ChangeRequest) (ChangeResponse, error) {
	g, err := s.needGate()
	if err != nil {
		return ChangeResponse{}, err
	}
	if strings.TrimSpace(req.ChangeID) == "" {
		return ChangeResponse{}, &Error{Code: BadInput, Message: "changeId is required", Path: "changeId"}
	}
	st, err := g.Status(ctx, req.ChangeID)
	if err != nil {
		return ChangeResponse{}, gateError(err)
	}
	out := ChangeResponse{Status: *st}
	if secrets := secretValues(st.Content, st.Scan.Findings); len(secrets) > 0 {
		out.Content = redactValues(out.Content, secrets)
		redactApplied(out.Applied, secrets)
		redactApplied(out.LastDryRun, secrets)
	}
	return out, nil
}

// ListChangesRequest selects changes.
type ListChangesRequest struct {
	State       string `json:"state,omitempty" jsonschema:"planned, requested, approved, rejected, cancelled, applying or applied"`
	Environment string `json:"environment,omitempty"`
	Limit       int    `json:"limit,omitempty" jsonschema:"at most this many, newest first (default 100)"`
}

// ChangeSummary is one change in a list.
type ChangeSummary struct {
	ID           string     `json:"id"`
	State        gate.State `json:"state"`
	Environment  string     `json:"environment"`
	Operation    string     `json:"operation"`
	ResourceType string     `json:"resourceType"`
	Requester    string     `json:"requester"`
	ContentHash  string     `json:"contentHash"`
	ScanStatus   string     `json:"scanStatus"`
	Rule         string     `json:"rule"`
	Created      time.Time  `json:"created"`
	Updated      time.Time  `json:"updated"`
}

// ListChangesResponse lists changes, newest first.
type ListChangesResponse struct {
	Changes []ChangeSummary `json:"changes"`
}

// ListChanges lists changes, newest first.
func (s *Service) ListChanges(ctx context.Context, req ListChangesRequest) (ListChangesResponse, error) {
	g, err := s.needGate()
	if err != nil {
		return ListChangesResponse{}, err
	}
	limit := req.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	sts, err := g.List(ctx, gate.ListFilter{State: gate.State(req.State), Environment: req.Environment, Limit: limit})
	if err != nil {
		return ListChangesResponse{}, gateError(err)
	}
	out := ListChangesResponse{Changes: make([]ChangeSummary, 0, len(sts))}
	for _, st := range sts {
		out.Changes = append(out.Changes, ChangeSummary{
			ID: st.ID, State: st.State, Environment: st.Environment, Operation: string(st.Operation),
			ResourceType: st.ResourceType, Requester: st.Requester, ContentHash: st.ContentHash,
			ScanStatus: string(st.Scan.Status), Rule: st.Rule.Name, Created: st.Created, Updated: st.Updated,
		})
	}
	return out, nil
}

// AuditRequest selects audit records.
type AuditRequest struct {
	ChangeID string `json:"changeId,omitempty"`
	AfterSeq int64  `json:"afterSeq,omitempty" jsonschema:"records after this sequence number"`
	Limit    int    `json:"limit,omitempty" jsonschema:"at most this many (default 1000)"`
}

// AuditResponse is a page of the hash-chained audit log.
type AuditResponse struct {
	Records []store.Record `json:"records"`
}

// Audit returns audit records in chain order.
func (s *Service) Audit(ctx context.Context, req AuditRequest) (AuditResponse, error) {
	g, err := s.needGate()
	if err != nil {
		return AuditResponse{}, err
	}
	limit := req.Limit
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	out := AuditResponse{Records: []store.Record{}}
	err = g.Store().Records(ctx, store.AuditQuery{ChangeID: req.ChangeID, AfterSeq: req.AfterSeq, Limit: limit}, func(r store.Record) error {
		out.Records = append(out.Records, r)
		return nil
	})
	if err != nil {
		return AuditResponse{}, gateError(err)
	}
	return out, nil
}

// VerifyRequest optionally names an anchor hash kept outside the store.
type VerifyRequest struct {
	Anchor string `json:"anchor,omitempty"`
}

// VerifyAudit walks the whole audit log and reports every break.
func (s *Service) VerifyAudit(ctx context.Context, req VerifyRequest) (store.Report, error) {
	g, err := s.needGate()
	if err != nil {
		return store.Report{}, err
	}
	rep, err := store.Verify(ctx, g.Store(), req.Anchor)
	if err != nil {
		return store.Report{}, gateError(err)
	}
	return rep, nil
}

// compile-time check that the change scanner fits the gate.
var _ gate.Scanner = changeScanner{}
