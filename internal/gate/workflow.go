package gate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/gate/apply"
	"github.com/iamguard/iamguard/internal/gate/store"
)

// Gate runs the change workflow over a store: plan → (request → approve or
// reject) → apply, or cancel. It is safe for concurrent use; several
// processes may share one store.
type Gate struct {
	store   store.Store
	cfg     *config.Config
	scanner Scanner
	now     func() time.Time

	keyMu sync.Mutex
	key   []byte
}

// Options are a Gate's collaborators.
type Options struct {
	// Scanner scans planned changes. Nil: no scan runs, and a change whose
	// rule needs a scan can never be applied.
	Scanner Scanner
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// New returns a gate over a store with the organisation's configuration
// (config.Default() when cfg is nil).
func New(st store.Store, cfg *config.Config, opts Options) *Gate {
	if cfg == nil {
		cfg = config.Default()
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Gate{store: st, cfg: cfg, scanner: opts.Scanner, now: now}
}

// Config is the configuration the gate decides by.
func (g *Gate) Config() *config.Config { return g.cfg }

// Store is the gate's store.
func (g *Gate) Store() store.Store { return g.store }

func (g *Gate) tokenKey(ctx context.Context) ([]byte, error) {
	g.keyMu.Lock()
	defer g.keyMu.Unlock()
	if g.key == nil {
		k, err := g.store.TokenKey(ctx)
		if err != nil {
			return nil, err
		}
		g.key = k
	}
	return g.key, nil
}

func (g *Gate) issue(ctx context.Context, id string, step Step, contentHash string) (string, time.Time, error) {
	key, err := g.tokenKey(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	now := g.now().UTC()
	exp := now.Add(g.tokenTTL()).Truncate(time.Second)
	tok, err := signToken(key, Claims{ChangeID: id, Step: step, ContentHash: contentHash, IssuedAt: now.Unix(), ExpiresAt: exp.Unix()})
	return tok, exp, err
}

// tokenTTL is approvals.tokenTTL; a hand-built Config may leave it zero,
// which means config.Default's hour.
func (g *Gate) tokenTTL() time.Duration {
	if ttl := g.cfg.Approvals.TokenTTL.Duration; ttl > 0 {
		return ttl
	}
	return time.Hour
}

// NextStep is what a plan says to do next.
type NextStep string

const (
	NextApply           NextStep = "apply"
	NextRequestApproval NextStep = "request-approval"
	NextFix             NextStep = "fix"
)

// Plan is the outcome of planning a change.
type Plan struct {
	ChangeID     string    `json:"changeId"`
	Environment  string    `json:"environment"`
	Production   bool      `json:"production"`
	Operation    Operation `json:"operation"`
	ResourceType string    `json:"resourceType"`
	// ApprovalRequired: the rule asks for an approval, or the scan found
	// blocking findings an approval must accept.
	ApprovalRequired bool     `json:"approvalRequired"`
	ScanRequired     bool     `json:"scanRequired"`
	Rule             Decision `json:"rule"`
	// MonthlyCost is nil when unknown; MonthlyCostSource says where it came
	// from, Cost has the details (estimate basis, price table date).
	MonthlyCost       *float64      `json:"monthlyCost"`
	MonthlyCostSource CostSource    `json:"monthlyCostSource"`
	Cost              CostInfo      `json:"cost"`
	ScanStatus        ScanStatus    `json:"scanStatus"`
	ScanReason        string        `json:"scanReason,omitempty"`
	Findings          []ScanFinding `json:"findings"`
	Tags              TagResult     `json:"tags"`
	ContentHash       string        `json:"contentHash"`
	// PromotionHash is what the same change in production puts in
	// promotedFrom once this one is applied (outside production).
	PromotionHash string          `json:"promotionHash"`
	Promotion     Promotion       `json:"promotion"`
	Token         string          `json:"token"`
	TokenExpires  time.Time       `json:"tokenExpires"`
	Next          NextStep        `json:"next"`
	Steps         []string        `json:"steps"`
	Change        json.RawMessage `json:"change"`
}

// Plan reads the change against the organisation's rules: it checks the
// environment, prices the change, injects the required tags, computes the
// content hash, picks the approval rule, scans when the rule says so,
// records the change and the scan, and issues a plan token.
func (g *Gate) Plan(ctx context.Context, c *Change) (*Plan, error) {
	env, ok := g.cfg.Environments[c.Environment]
	if !ok {
		return nil, &InputError{Pos: c.PosOf("environment"), Msg: fmt.Sprintf("environment %q is not configured (known: %s)", c.Environment, strings.Join(g.environmentNames(), ", "))}
	}
	if strings.TrimSpace(c.Requester) == "" {
		return nil, &InputError{Pos: c.PosOf(), Msg: "the change needs a requester (the person asking for it)"}
	}
	now := g.now().UTC()
	today := now.Format(time.DateOnly)
	tags, err := injectTags(g.cfg, c, today)
	if err != nil {
		return nil, err
	}
	if err := apply.Validate(g.applyRequest(c, "", "")); err != nil {
		return nil, &InputError{Pos: c.PosOf("properties"), Msg: err.Error()}
	}
	content, err := c.Canonical()
	if err != nil {
		return nil, err
	}
	contentHash := sha256Hex(content)
	promotionHash, err := c.PromotionHash(env.Account, env.Region)
	if err != nil {
		return nil, err
	}
	cost := costOf(c)
	rule := Decide(g.cfg, c, cost)
	scan, err := g.scan(ctx, c, rule, tags, contentHash, now)
	if err != nil {
		return nil, err
	}
	promo, err := g.promotion(ctx, c, promotionHash)
	if err != nil {
		return nil, err
	}

	id, err := newChangeID()
	if err != nil {
		return nil, err
	}
	st := &Status{
		ID: id, State: StatePlanned, Environment: c.Environment, Production: env.Production,
		Operation: c.Operation, ResourceType: c.ResourceType, Requester: c.Requester,
		ContentHash: contentHash, PromotionHash: promotionHash, PromotedFrom: c.PromotedFrom,
		PlanDate: today, Content: content, Cost: cost, Rule: rule, Tags: tags, Scan: scan,
	}
	planDetail := map[string]any{
		"environment": c.Environment, "operation": c.Operation, "resourceType": c.ResourceType,
		"rule": rule.Name, "approval": rule.Approval, "scan": rule.Scan,
		"costSource": cost.Source, "promotionHash": promotionHash,
	}
	if cost.USD != nil {
		planDetail["monthlyCost"] = *cost.USD
	}
	recs := []store.Record{g.record("plan", id, c.Requester, contentHash, planDetail)}
	if scan.Status != ScanSkipped {
		blocking := []string{}
		for _, f := range scan.blocking() {
			blocking = append(blocking, f.Code+"@"+f.Path+" "+f.Fingerprint)
		}
		recs = append(recs, g.record("scan", id, c.Requester, contentHash, map[string]any{
			"status": scan.Status, "findings": len(scan.Findings), "blocking": blocking, "scanner": scan.Scanner,
		}))
	}
	if err := g.save(ctx, st, recs...); err != nil {
		return nil, err
	}
	tok, exp, err := g.issue(ctx, id, StepPlan, contentHash)
	if err != nil {
		return nil, err
	}
	p := &Plan{
		ChangeID: id, Environment: c.Environment, Production: env.Production,
		Operation: c.Operation, ResourceType: c.ResourceType,
		ApprovalRequired: st.ApprovalNeeded(), ScanRequired: rule.Scan, Rule: rule,
		MonthlyCost: cost.USD, MonthlyCostSource: cost.Source, Cost: cost,
		ScanStatus: scan.Status, ScanReason: scan.Reason, Findings: scan.Findings, Tags: tags,
		ContentHash: contentHash, PromotionHash: promotionHash, Promotion: promo,
		Token: tok, TokenExpires: exp, Change: content,
	}
	if p.Findings == nil {
		p.Findings = []ScanFinding{}
	}
	p.Next, p.Steps = nextSteps(st, promo, tok)
	return p, nil
}

func (g *Gate) environmentNames() []string {
	names := make([]string, 0, len(g.cfg.Environments))
	for n := range g.cfg.Environments {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func nextSteps(st *Status, promo Promotion, tok string) (NextStep, []string) {
	var steps []string
	blocking := st.Scan.blocking()
	switch {
	case st.Rule.Scan && st.Scan.Status == ScanSkipped:
		return NextFix, []string{"the rule needs a scan and none ran (" + st.Scan.Reason + "): plan again with a scanner"}
	case promo.Required && !promo.Satisfied:
		return NextFix, []string{promo.Message}
	case len(blocking) > 0:
		var accept []string
		for _, f := range blocking {
			accept = append(accept, "--accept "+f.Code+"@"+f.Path)
		}
		steps = append(steps,
			"fix the blocking findings and plan again",
			"or ask for an approval that accepts them: iamguard change request --token "+tok+" (the approver runs iamguard change approve "+st.ID+" "+strings.Join(accept, " ")+")",
			"or cancel: iamguard change cancel "+st.ID)
		if len(st.Tags.Missing) > 0 {
			steps = append(steps, "tags that need a value: "+strings.Join(st.Tags.Missing, ", "))
		}
		return NextFix, steps
	case st.Rule.Approval:
		return NextRequestApproval, []string{"iamguard change request --token " + tok}
	}
	return NextApply, []string{"iamguard change apply --token " + tok + " (a dry run; add --allow-write to change AWS)"}
}

func newChangeID() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "chg-" + hex.EncodeToString(b), nil
}

// scan runs the scanner (and the gate's own required-tag check) when the
// rule asks for a scan.
func (g *Gate) scan(ctx context.Context, c *Change, rule Decision, tags TagResult, contentHash string, now time.Time) (ScanResult, error) {
	res := ScanResult{At: now, ContentHash: contentHash, FailOn: g.cfg.Scan.FailOn, Findings: []ScanFinding{}}
	if !rule.Scan {
		res.Status, res.Reason = ScanSkipped, fmt.Sprintf("rule %s needs no scan", rule.Name)
		return res, nil
	}
	if g.scanner == nil {
		res.Status, res.Reason = ScanSkipped, "no scanner configured"
		return res, nil
	}
	res.Scanner = fmt.Sprintf("%T", g.scanner)
	fs, err := g.scanner.ScanChange(ctx, c)
	if err != nil {
		return res, fmt.Errorf("scan: %w", err)
	}
	fs = append(fs, tagFindings(c, tags)...)
	failOn, ok := finding.ParseSeverity(g.cfg.Scan.FailOn)
	if !ok {
		failOn = finding.Error
	}
	finding.Sort(fs)
	res.Status = ScanPassed
	for _, f := range fs {
		f.Fingerprint = Fingerprint(f)
		sf := ScanFinding{Finding: f}
		sf.Blocking = f.Suppressed == "" && f.Severity.Rank() >= failOn.Rank()
		if sf.Blocking {
			res.Status = ScanFailed
		}
		res.Findings = append(res.Findings, sf)
	}
	return res, nil
}

// tagFindings turns missing and invalid required tags into findings: the
// seed requires its tags on every resource.
func tagFindings(c *Change, tags TagResult) []finding.Finding {
	var out []finding.Finding
	pos := c.PosOf("properties", "Tags")
	for _, k := range tags.Missing {
		out = append(out, finding.Finding{
			Code: "REQUIRED_TAG_MISSING", Severity: finding.Error, File: c.File, Line: pos.Line, Column: pos.Column,
			Path: "properties.Tags", Message: fmt.Sprintf("required tag %s has no value", k),
			Fix: fmt.Sprintf("add {Key: %s, Value: …} to Tags", k),
		})
	}
	for _, s := range tags.Invalid {
		out = append(out, finding.Finding{
			Code: "REQUIRED_TAG_INVALID", Severity: finding.Error, File: c.File, Line: pos.Line, Column: pos.Column,
			Path: "properties.Tags", Message: "required tag " + s,
			Fix: "use one of the allowed values",
		})
	}
	return out
}

// promotionRequired: production creates and updates, when
// promotion.requireDev is set. Reads change nothing, and a delete has no
// content to prove in dev.
func (g *Gate) promotionRequired(c *Change) bool {
	return g.cfg.Promotion.RequireDev && g.cfg.IsProduction(c.Environment) && (c.Operation == Create || c.Operation == Update)
}

// promotion checks that a production change was applied, identically, in a
// non-production environment first.
func (g *Gate) promotion(ctx context.Context, c *Change, promotionHash string) (Promotion, error) {
	if !g.promotionRequired(c) {
		return Promotion{}, nil
	}
	p := Promotion{Required: true}
	switch {
	case c.PromotedFrom == "":
		p.Message = fmt.Sprintf("promotion.requireDev: apply this change in a non-production environment first, then set promotedFrom: %s", promotionHash)
		return p, nil
	case c.PromotedFrom != promotionHash:
		p.Message = fmt.Sprintf("promotedFrom %s is not this change's promotion hash %s: the change differs from what was applied outside production", short(c.PromotedFrom), short(promotionHash))
		return p, nil
	}
	applied, err := g.store.Changes(ctx, store.ChangeFilter{PromotionHash: promotionHash, State: string(StateApplied)})
	if err != nil {
		return p, err
	}
	for _, a := range applied {
		if !g.cfg.IsProduction(a.Environment) {
			p.Satisfied, p.From = true, a.ID
			p.Message = fmt.Sprintf("the same change was applied in %s as %s", a.Environment, a.ID)
			return p, nil
		}
	}
	p.Message = fmt.Sprintf("no change with promotion hash %s was applied in a non-production environment", short(promotionHash))
	return p, nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func (g *Gate) applyRequest(c *Change, id, contentHash string) apply.Request {
	env := g.cfg.Environments[c.Environment]
	return apply.Request{
		ChangeID: id, ContentHash: contentHash, Environment: c.Environment,
		Account: env.Account, Region: env.Region, Profile: env.Profile,
		Operation: string(c.Operation), ResourceType: c.ResourceType, Identifier: c.Identifier,
		Properties: c.Properties,
	}
}

func (g *Gate) record(event, id, actor, contentHash string, detail map[string]any) store.Record {
	b, err := marshalCanonical(detail)
	if err != nil {
		b = []byte(`{}`)
	}
	return store.Record{Event: event, ChangeID: id, Actor: actor, ContentHash: contentHash, Detail: b, Time: g.now().UTC()}
}

// save writes the change's state and its audit records in one transaction.
func (g *Gate) save(ctx context.Context, st *Status, recs ...store.Record) error {
	now := g.now().UTC()
	if st.Created.IsZero() {
		st.Created = now
	}
	st.Updated = now
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	saved, _, err := g.store.PutChange(ctx, store.ChangeRecord{
		ID: st.ID, State: string(st.State), Environment: st.Environment, Requester: st.Requester,
		ContentHash: st.ContentHash, PromotionHash: st.PromotionHash, Version: st.version,
		Created: st.Created, Data: data,
	}, recs...)
	if err != nil {
		return err
	}
	st.version = saved.Version
	return nil
}

// load reads a change's state. The state the gate decides on is the
// indexed columns plus the data blob; a blob edited behind the gate's back
// shows as content that no longer matches its hash.
func (g *Gate) load(ctx context.Context, id string) (*Status, error) {
	rec, err := g.store.Change(ctx, id)
	if err != nil {
		return nil, err
	}
	st := &Status{}
	if err := json.Unmarshal(rec.Data, st); err != nil {
		return nil, fmt.Errorf("change %s: stored state is damaged: %w", id, err)
	}
	st.ID, st.State, st.version = rec.ID, State(rec.State), rec.Version
	st.ContentHash, st.PromotionHash = rec.ContentHash, rec.PromotionHash
	st.Created, st.Updated = rec.Created, rec.Updated
	return st, nil
}

// refuse records a refusal in the audit log and returns it.
func (g *Gate) refuse(ctx context.Context, step Step, id, actor, contentHash, code, format string, args ...any) error {
	r := &Refusal{Code: code, Step: step, ChangeID: id, Message: fmt.Sprintf(format, args...)}
	rec := g.record("refuse", id, actor, contentHash, map[string]any{"code": code, "step": step, "message": r.Message})
	if _, err := g.store.Append(ctx, rec); err != nil {
		return errors.Join(r, fmt.Errorf("recording the refusal: %w", err))
	}
	return r
}

// checkContent refuses a change whose stored content no longer matches
// its recorded hash (the store was edited).
func (g *Gate) checkContent(ctx context.Context, step Step, st *Status, actor string) error {
	if sha256Hex(st.Content) != st.ContentHash {
		return g.refuse(ctx, step, st.ID, actor, st.ContentHash, RefusedContentChanged,
			"the stored content of %s no longer matches its hash %s: it was changed after it was planned", st.ID, short(st.ContentHash))
	}
	return nil
}

// verifyToken checks a token's signature, expiry, change and content, and
// returns the change it names. steps are the steps it may be for.
func (g *Gate) verifyToken(ctx context.Context, step Step, token, actor string, steps ...Step) (Claims, *Status, error) {
	key, err := g.tokenKey(ctx)
	if err != nil {
		return Claims{}, nil, err
	}
	claims, err := parseToken(key, token)
	if err != nil {
		unverified, _ := InspectToken(token)
		return claims, nil, g.refuse(ctx, step, "", actor, "", RefusedTokenInvalid, "%v (the token names change %q, unverified)", err, unverified.ChangeID)
	}
	if now := g.now().UTC(); now.Unix() >= claims.ExpiresAt {
		return claims, nil, g.refuse(ctx, step, claims.ChangeID, actor, claims.ContentHash, RefusedTokenExpired,
			"the %s token expired at %s (tokens live %s: approvals.tokenTTL); plan or approve again", claims.Step, claims.Expires().Format(time.RFC3339), g.cfg.Approvals.TokenTTL.Duration)
	}
	st, err := g.load(ctx, claims.ChangeID)
	if errors.Is(err, store.ErrNotFound) {
		return claims, nil, g.refuse(ctx, step, claims.ChangeID, actor, claims.ContentHash, RefusedTokenInvalid, "the token names change %s, which this store does not hold", claims.ChangeID)
	}
	if err != nil {
		return claims, nil, err
	}
	if err := g.checkContent(ctx, step, st, actor); err != nil {
		return claims, nil, err
	}
	if claims.ContentHash != st.ContentHash {
		return claims, nil, g.refuse(ctx, step, st.ID, actor, st.ContentHash, RefusedTokenWrongContent,
			"the token is for content %s, but change %s is content %s", short(claims.ContentHash), st.ID, short(st.ContentHash))
	}
	if !slices.Contains(steps, claims.Step) {
		return claims, nil, g.refuse(ctx, step, st.ID, actor, st.ContentHash, RefusedTokenWrongStep,
			"this is a %s token; %s takes a %s token", claims.Step, step, joinSteps(steps))
	}
	return claims, st, nil
}

func joinSteps(steps []Step) string {
	s := make([]string, len(steps))
	for i, st := range steps {
		s[i] = string(st)
	}
	return strings.Join(s, " or ")
}

// StepOutcome is the result of request, approve, reject and cancel.
type StepOutcome struct {
	ChangeID    string `json:"changeId"`
	State       State  `json:"state"`
	ContentHash string `json:"contentHash"`
	// Token is issued for the step just taken (none for reject and cancel).
	Token        string    `json:"token,omitempty"`
	TokenExpires time.Time `json:"tokenExpires,omitzero"`
	Message      string    `json:"message"`
}

// RequestInput asks for an approval.
type RequestInput struct {
	// Token is the plan token.
	Token string
	// By is who asks (default: the change's requester).
	By   string
	Note string
}

// Request moves a planned change to the approvers.
func (g *Gate) Request(ctx context.Context, in RequestInput) (*StepOutcome, error) {
	_, st, err := g.verifyToken(ctx, StepRequest, in.Token, in.By, StepPlan)
	if err != nil {
		return nil, err
	}
	by := cmpOr(strings.TrimSpace(in.By), st.Requester)
	if st.State != StatePlanned {
		return nil, g.refuse(ctx, StepRequest, st.ID, by, st.ContentHash, RefusedWrongState, "change %s is %s, not planned", st.ID, st.State)
	}
	st.State = StateRequested
	st.Requested = &Event{By: by, At: g.now().UTC(), Reason: in.Note}
	if err := g.save(ctx, st, g.record("request", st.ID, by, st.ContentHash, map[string]any{"note": in.Note})); err != nil {
		return nil, err
	}
	tok, exp, err := g.issue(ctx, st.ID, StepRequest, st.ContentHash)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("change %s waits for an approver: iamguard change approve %s --approver NAME", st.ID, st.ID)
	if b := st.Scan.blocking(); len(b) > 0 {
		msg += fmt.Sprintf(" (the approval must accept %d blocking finding(s))", len(b))
	}
	return &StepOutcome{ChangeID: st.ID, State: st.State, ContentHash: st.ContentHash, Token: tok, TokenExpires: exp, Message: msg}, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ApproveInput is an approver's decision to approve.
type ApproveInput struct {
	ChangeID string
	Approver string
	// Accept names the blocking findings the approver accepts: CODE (every
	// finding with that code), CODE@PATH, or a fingerprint.
	Accept []string
	// MFA is the approver's MFA code or identity-provider assertion;
	// required for production when mfa.requireForProduction is set.
	MFA     string
	Channel Channel
	// ContentHash, when set, is the content the approver reviewed (a prefix
	// of at least 12 hex digits will do); approval is refused if the change
	// is something else.
	ContentHash string
	Comment     string
}

var totpSyntax = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{6,8}$`) })

// isAssertion reports whether code looks like a signed MFA assertion: 16 to
// 1000 token characters. Checked by hand because a {16,1000} regexp
// repetition compiles into a thousand-state program at every process start.
func isAssertion(code string) bool {
	if len(code) < 16 || len(code) > 1000 {
		return false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("._~+/=:-", c) >= 0) {
			return false
		}
	}
	return true
}

// eligible checks that someone may decide on a change: not its requester,
// in approvals.approvers when that list is set, and in
// approvals.mcpApprovers when the decision comes over MCP.
func (g *Gate) eligible(ctx context.Context, step Step, st *Status, who string, ch Channel) error {
	if strings.EqualFold(who, strings.TrimSpace(st.Requester)) {
		return g.refuse(ctx, step, st.ID, who, st.ContentHash, RefusedSelfApproval, "%s requested change %s and cannot %s it: another person must", who, st.ID, step)
	}
	if list := g.cfg.Approvals.Approvers; len(list) > 0 && !containsFold(list, who) {
		return g.refuse(ctx, step, st.ID, who, st.ContentHash, RefusedNotApprover, "%s is not one of the configured approvers (approvals.approvers)", who)
	}
	if ch == ChannelMCP {
		list := g.cfg.Approvals.MCPApprovers
		if len(list) == 0 {
			return g.refuse(ctx, step, st.ID, who, st.ContentHash, RefusedNotApprover, "approval over MCP is disabled (approvals.mcpApprovers is empty): approve from the command line")
		}
		if !containsFold(list, who) {
			return g.refuse(ctx, step, st.ID, who, st.ContentHash, RefusedNotApprover, "%s may not approve over MCP (approvals.mcpApprovers)", who)
		}
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), s) {
			return true
		}
	}
	return false
}

// Approve records an approval of the change's exact content and issues the
// approval token apply takes.
func (g *Gate) Approve(ctx context.Context, in ApproveInput) (*StepOutcome, error) {
	who := strings.TrimSpace(in.Approver)
	if who == "" {
		return nil, errors.New("an approval needs the approver's name")
	}
	if in.Channel == "" {
		in.Channel = ChannelCLI
	}
	st, err := g.load(ctx, in.ChangeID)
	if err != nil {
		return nil, err
	}
	if err := g.checkContent(ctx, StepApprove, st, who); err != nil {
		return nil, err
	}
	// An approved change whose approval token has expired may be approved
	// again, under the same checks: that renews the token. While the token
	// is valid, a second approval is refused.
	renewal := st.State == StateApproved && st.Approval != nil && !g.now().Before(st.Approval.At.Add(g.tokenTTL()))
	if st.State != StateRequested && !renewal {
		return nil, g.refuse(ctx, StepApprove, st.ID, who, st.ContentHash, RefusedWrongState, "%s", g.stateMessage(st, "approve"))
	}
	if err := g.eligible(ctx, StepApprove, st, who, in.Channel); err != nil {
		return nil, err
	}
	var mfa *MFAAssertion
	code := strings.TrimSpace(in.MFA)
	if st.Production && g.cfg.MFA.RequireForProduction && code == "" {
		return nil, g.refuse(ctx, StepApprove, st.ID, who, st.ContentHash, RefusedMFARequired, "%s is a production environment and mfa.requireForProduction is set: approve with an MFA code (--mfa)", st.Environment)
	}
	if code != "" {
		switch {
		case totpSyntax().MatchString(code):
			mfa = &MFAAssertion{Kind: "totp"}
		case isAssertion(code):
			mfa = &MFAAssertion{Kind: "assertion"}
		default:
			return nil, g.refuse(ctx, StepApprove, st.ID, who, st.ContentHash, RefusedMFARequired, "the MFA value is neither a 6–8 digit code nor an identity-provider assertion")
		}
		mfa.Fingerprint = sha256Hex([]byte("iamguard-mfa\n" + st.ID + "\n" + code))[:16]
	}
	if h := strings.ToLower(strings.TrimSpace(in.ContentHash)); h != "" {
		if len(h) < 12 || !strings.HasPrefix(st.ContentHash, h) {
			return nil, g.refuse(ctx, StepApprove, st.ID, who, st.ContentHash, RefusedContentChanged, "you reviewed content %s, but change %s is content %s", short(h), st.ID, short(st.ContentHash))
		}
	}
	accepted, err := g.resolveAccept(ctx, st, who, in.Accept)
	if err != nil {
		return nil, err
	}
	now := g.now().UTC()
	st.State = StateApproved
	st.Approval = &Approval{By: who, At: now, ContentHash: st.ContentHash, Channel: in.Channel, Accepted: accepted, MFA: mfa, Comment: in.Comment}
	detail := map[string]any{"channel": in.Channel, "accepted": accepted, "comment": in.Comment}
	if renewal {
		detail["renewal"] = true
	}
	if mfa != nil {
		detail["mfa"] = mfa
	}
	if err := g.save(ctx, st, g.record("approve", st.ID, who, st.ContentHash, detail)); err != nil {
		return nil, err
	}
	tok, exp, err := g.issue(ctx, st.ID, StepApprove, st.ContentHash)
	if err != nil {
		return nil, err
	}
	return &StepOutcome{ChangeID: st.ID, State: st.State, ContentHash: st.ContentHash, Token: tok, TokenExpires: exp,
		Message: fmt.Sprintf("%s approved change %s (content %s); apply with this token", who, st.ID, short(st.ContentHash))}, nil
}

// resolveAccept turns accept entries into fingerprints, refusing entries
// that name nothing and blocking findings left unaccepted.
func (g *Gate) resolveAccept(ctx context.Context, st *Status, who string, accept []string) ([]string, error) {
	accepted := []string{}
	for _, raw := range accept {
		for _, e := range strings.Split(raw, ",") {
			e = strings.TrimSpace(e)
			if e == "" {
				continue
			}
			n := 0
			for _, f := range st.Scan.Findings {
				if acceptMatches(e, f) {
					n++
					if !slices.Contains(accepted, f.Fingerprint) {
						accepted = append(accepted, f.Fingerprint)
					}
				}
			}
			if n == 0 {
				return nil, g.refuse(ctx, StepApprove, st.ID, who, st.ContentHash, RefusedAcceptUnmatched, "--accept %s names no finding of change %s", e, st.ID)
			}
		}
	}
	if missing := unaccepted(st.Scan.blocking(), accepted); len(missing) > 0 {
		return nil, g.refuse(ctx, StepApprove, st.ID, who, st.ContentHash, RefusedFindingsNotAccepted,
			"the scan found blocking findings the approval must name: %s", strings.Join(missing, ", "))
	}
	slices.Sort(accepted)
	return accepted, nil
}

func acceptMatches(e string, f ScanFinding) bool {
	if code, path, ok := strings.Cut(e, "@"); ok {
		return strings.EqualFold(code, f.Code) && path == f.Path
	}
	return strings.EqualFold(e, f.Fingerprint) || strings.EqualFold(e, f.Code)
}

func unaccepted(blocking []ScanFinding, accepted []string) []string {
	var out []string
	for _, f := range blocking {
		if !slices.Contains(accepted, f.Fingerprint) {
			out = append(out, fmt.Sprintf("%s@%s (%s)", f.Code, f.Path, f.Fingerprint))
		}
	}
	return out
}

func (g *Gate) stateMessage(st *Status, verb string) string {
	switch st.State {
	case StatePlanned:
		return fmt.Sprintf("change %s was not requested yet: its requester runs iamguard change request --token PLAN_TOKEN", st.ID)
	case StateApproved:
		return fmt.Sprintf("change %s is already approved by %s; its approval token is valid until %s", st.ID, st.Approval.By, st.Approval.At.Add(g.tokenTTL()).Format(time.RFC3339))
	case StateRejected:
		return fmt.Sprintf("change %s was rejected by %s (%s): plan a new change", st.ID, st.Rejection.By, st.Rejection.Reason)
	case StateCancelled:
		return fmt.Sprintf("change %s was cancelled by %s", st.ID, st.Cancellation.By)
	case StateApplied:
		return fmt.Sprintf("change %s is already applied", st.ID)
	}
	return fmt.Sprintf("cannot %s change %s in state %s", verb, st.ID, st.State)
}

// RejectInput is an approver's decision to reject.
type RejectInput struct {
	ChangeID string
	Approver string
	Reason   string
	Channel  Channel
}

// Reject closes a requested (or approved, not yet applied) change. A
// rejected change never applies; a fixed change is planned anew.
func (g *Gate) Reject(ctx context.Context, in RejectInput) (*StepOutcome, error) {
	who := strings.TrimSpace(in.Approver)
	if who == "" {
		return nil, errors.New("a rejection needs the approver's name")
	}
	if in.Channel == "" {
		in.Channel = ChannelCLI
	}
	st, err := g.load(ctx, in.ChangeID)
	if err != nil {
		return nil, err
	}
	if st.State != StateRequested && st.State != StateApproved {
		return nil, g.refuse(ctx, "reject", st.ID, who, st.ContentHash, RefusedWrongState, "%s", g.stateMessage(st, "reject"))
	}
	if err := g.eligible(ctx, "reject", st, who, in.Channel); err != nil {
		return nil, err
	}
	st.State = StateRejected
	st.Rejection = &Event{By: who, At: g.now().UTC(), Reason: in.Reason}
	if err := g.save(ctx, st, g.record("reject", st.ID, who, st.ContentHash, map[string]any{"reason": in.Reason, "channel": in.Channel})); err != nil {
		return nil, err
	}
	return &StepOutcome{ChangeID: st.ID, State: st.State, ContentHash: st.ContentHash, Message: fmt.Sprintf("%s rejected change %s", who, st.ID)}, nil
}

// CancelInput withdraws a change.
type CancelInput struct {
	ChangeID string
	By       string
	Reason   string
}

// Cancel withdraws a change that is not applied yet: its requester or an
// approver may.
func (g *Gate) Cancel(ctx context.Context, in CancelInput) (*StepOutcome, error) {
	who := strings.TrimSpace(in.By)
	if who == "" {
		return nil, errors.New("a cancellation needs the name of who cancels")
	}
	st, err := g.load(ctx, in.ChangeID)
	if err != nil {
		return nil, err
	}
	switch st.State {
	case StatePlanned, StateRequested, StateApproved:
	default:
		return nil, g.refuse(ctx, "cancel", st.ID, who, st.ContentHash, RefusedWrongState, "%s", g.stateMessage(st, "cancel"))
	}
	isRequester := strings.EqualFold(who, strings.TrimSpace(st.Requester))
	isApprover := len(g.cfg.Approvals.Approvers) == 0 || containsFold(g.cfg.Approvals.Approvers, who)
	if !isRequester && !isApprover {
		return nil, g.refuse(ctx, "cancel", st.ID, who, st.ContentHash, RefusedNotAllowed, "only the requester (%s) or an approver may cancel change %s", st.Requester, st.ID)
	}
	st.State = StateCancelled
	st.Cancellation = &Event{By: who, At: g.now().UTC(), Reason: in.Reason}
	if err := g.save(ctx, st, g.record("cancel", st.ID, who, st.ContentHash, map[string]any{"reason": in.Reason})); err != nil {
		return nil, err
	}
	return &StepOutcome{ChangeID: st.ID, State: st.State, ContentHash: st.ContentHash, Message: fmt.Sprintf("%s cancelled change %s", who, st.ID)}, nil
}

// ApplyInput asks to apply a change.
type ApplyInput struct {
	// Token is the plan token (when no approval is needed) or the approval
	// token.
	Token string
	// Change, when given, is the change file as the applier has it: it must
	// be the content the token is for.
	Change *Change
	// By is who applies.
	By string
	// Applier makes the calls; nil means apply.DryRun{Dir: DryRunDir}. A dry
	// run goes through every check and changes no state.
	Applier   apply.Applier
	DryRunDir string
	// Resume takes over a change left "applying" by an apply that was
	// interrupted (the process died). Without it such a change is refused,
	// so two applies never run at once. Cloud Control calls are idempotent
	// by client token, so resuming repeats nothing AWS already did.
	Resume bool
}

// ApplyOutcome is the result of an apply.
type ApplyOutcome struct {
	ChangeID      string        `json:"changeId"`
	State         State         `json:"state"`
	DryRun        bool          `json:"dryRun"`
	ContentHash   string        `json:"contentHash"`
	PromotionHash string        `json:"promotionHash"`
	Result        *apply.Result `json:"result"`
	// Token is the apply receipt (real applies only).
	Token        string    `json:"token,omitempty"`
	TokenExpires time.Time `json:"tokenExpires,omitzero"`
	Message      string    `json:"message"`
}

// Apply checks everything the gate promises and then carries the change
// out: a valid, unexpired token for this content and the right step; the
// change neither rejected, cancelled nor applied; a recorded scan of this
// content when the rule needs one; an approval of this content, accepting
// every blocking finding, when the rule or the scan needs one; the dev
// promotion for production. Each refusal is recorded.
func (g *Gate) Apply(ctx context.Context, in ApplyInput) (*ApplyOutcome, error) {
	by := strings.TrimSpace(in.By)
	claims, st, err := g.verifyToken(ctx, StepApply, in.Token, by, StepPlan, StepApprove)
	if err != nil {
		return nil, err
	}
	by = cmpOr(by, st.Requester)
	refuse := func(code, format string, args ...any) error {
		return g.refuse(ctx, StepApply, st.ID, by, st.ContentHash, code, format, args...)
	}
	if in.Change != nil {
		h, err := g.fileHash(in.Change, st)
		if err != nil {
			return nil, err
		}
		if h != claims.ContentHash {
			return nil, refuse(RefusedTokenWrongContent, "the token is for content %s, but the change file is content %s: plan the file again", short(claims.ContentHash), short(h))
		}
	}
	switch st.State {
	case StatePlanned, StateRequested, StateApproved:
	case StateApplying:
		if !in.Resume {
			return nil, refuse(RefusedWrongState, "change %s is being applied (started %s); if that apply was interrupted, apply again with --resume", st.ID, st.Updated.Format(time.RFC3339))
		}
	default:
		return nil, refuse(RefusedWrongState, "%s", g.stateMessage(st, "apply"))
	}
	if st.Rule.Scan && (st.Scan.Status == ScanSkipped || st.Scan.ContentHash != st.ContentHash) {
		return nil, refuse(RefusedScanMissing, "rule %s needs a scan of this content and none is recorded (%s)", st.Rule.Name, cmpOr(st.Scan.Reason, "scan of other content"))
	}
	if st.ApprovalNeeded() {
		why := "rule " + st.Rule.Name + " needs an approval"
		if !st.Rule.Approval {
			why = "the scan found blocking findings, which only an approval accepting them lets through"
		}
		if st.Approval == nil {
			return nil, refuse(RefusedApprovalRequired, "%s, and change %s has none (it is %s)", why, st.ID, st.State)
		}
		if claims.Step != StepApprove {
			return nil, refuse(RefusedTokenWrongStep, "%s: apply takes the approval token, not the %s token", why, claims.Step)
		}
		if st.Approval.ContentHash != st.ContentHash {
			return nil, refuse(RefusedContentChanged, "the approval by %s was for content %s, but the change is now %s", st.Approval.By, short(st.Approval.ContentHash), short(st.ContentHash))
		}
		if missing := unaccepted(st.Scan.blocking(), st.Approval.Accepted); len(missing) > 0 {
			return nil, refuse(RefusedFindingsNotAccepted, "the approval by %s does not accept: %s", st.Approval.By, strings.Join(missing, ", "))
		}
	}
	c, err := DecodeStoredChange(st)
	if err != nil {
		return nil, err
	}
	promo, err := g.promotion(ctx, c, st.PromotionHash)
	if err != nil {
		return nil, err
	}
	if promo.Required && !promo.Satisfied {
		return nil, refuse(RefusedPromotionRequired, "%s", promo.Message)
	}

	req := g.applyRequest(c, st.ID, st.ContentHash)
	applier := in.Applier
	if applier == nil {
		applier = apply.DryRun{Dir: in.DryRunDir}
	}
	if _, dry := applier.(apply.DryRun); dry {
		res, err := applier.Apply(ctx, req)
		if err != nil {
			return nil, err
		}
		st.LastDryRun = &Applied{By: by, At: g.now().UTC(), DryRun: true, Result: res}
		if err := g.save(ctx, st, g.record("dry-run", st.ID, by, st.ContentHash, map[string]any{"dryRun": true, "calls": apiNames(res)})); err != nil {
			return nil, err
		}
		return &ApplyOutcome{ChangeID: st.ID, State: st.State, DryRun: true, ContentHash: st.ContentHash, PromotionHash: st.PromotionHash, Result: res,
			Message: "dry run: nothing was changed; run the calls above, or apply again with --allow-write"}, nil
	}

	// Claim the change before calling AWS, so two concurrent applies cannot
	// both go ahead: the second loses the version race.
	prev := st.State
	st.State = StateApplying
	if err := g.save(ctx, st, g.record("apply-start", st.ID, by, st.ContentHash, map[string]any{"from": prev})); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, refuse(RefusedWrongState, "change %s changed while applying (another apply or a rejection): look at its status", st.ID)
		}
		return nil, err
	}
	res, applyErr := applier.Apply(ctx, req)
	now := g.now().UTC()
	if applyErr != nil {
		if prev == StateApplying {
			prev = st.previousStateForRetry()
		}
		st.State = prev
		st.Applied = nil
		detail := map[string]any{"error": applyErr.Error(), "calls": apiNames(res)}
		if err := g.save(context.WithoutCancel(ctx), st, g.record("apply-failed", st.ID, by, st.ContentHash, detail)); err != nil {
			return nil, errors.Join(applyErr, err)
		}
		return &ApplyOutcome{ChangeID: st.ID, State: st.State, ContentHash: st.ContentHash, PromotionHash: st.PromotionHash, Result: res}, fmt.Errorf("apply %s: %w", st.ID, applyErr)
	}
	st.State = StateApplied
	st.Applied = &Applied{By: by, At: now, Result: res}
	detail := map[string]any{"dryRun": false, "calls": apiNames(res), "identifier": res.Identifier, "promotionHash": st.PromotionHash}
	if err := g.save(context.WithoutCancel(ctx), st, g.record("apply", st.ID, by, st.ContentHash, detail)); err != nil {
		return nil, err
	}
	tok, exp, err := g.issue(ctx, st.ID, StepApply, st.ContentHash)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("change %s applied", st.ID)
	if !st.Production {
		msg += fmt.Sprintf("; to promote it, plan the same change in production with promotedFrom: %s", st.PromotionHash)
	}
	return &ApplyOutcome{ChangeID: st.ID, State: st.State, ContentHash: st.ContentHash, PromotionHash: st.PromotionHash, Result: res, Token: tok, TokenExpires: exp, Message: msg}, nil
}

// previousStateForRetry is where a failed retry of an interrupted apply
// goes back to.
func (s *Status) previousStateForRetry() State {
	if s.Approval != nil {
		return StateApproved
	}
	return StatePlanned
}

func apiNames(res *apply.Result) []string {
	if res == nil {
		return nil
	}
	out := make([]string, len(res.Calls))
	for i, c := range res.Calls {
		out[i] = c.API
	}
	return out
}

// fileHash is the content hash a change file would have had at plan time:
// the same tag injection, with the plan's date.
func (g *Gate) fileHash(c *Change, st *Status) (string, error) {
	cp := *c
	cp.Properties, _ = deepCopy(c.Properties).(map[string]any)
	if cp.Requester == "" {
		cp.Requester = st.Requester
	}
	if _, ok := g.cfg.Environments[cp.Environment]; ok {
		if _, err := injectTags(g.cfg, &cp, st.PlanDate); err != nil {
			return "", err
		}
	}
	return cp.ContentHash()
}

// DecodeStoredChange rebuilds the Change a status holds.
func DecodeStoredChange(st *Status) (*Change, error) {
	c, err := ParseChange("store:"+st.ID+".json", st.Content)
	if err != nil {
		return nil, fmt.Errorf("change %s: stored content: %w", st.ID, err)
	}
	return c, nil
}

// Status returns what the store holds about a change.
func (g *Gate) Status(ctx context.Context, id string) (*Status, error) { return g.load(ctx, id) }

// ListFilter selects changes for List.
type ListFilter struct {
	State       State
	Environment string
	Limit       int
}

// List returns changes, newest first.
func (g *Gate) List(ctx context.Context, f ListFilter) ([]*Status, error) {
	recs, err := g.store.Changes(ctx, store.ChangeFilter{State: string(f.State), Environment: f.Environment, Limit: f.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]*Status, 0, len(recs))
	for _, r := range recs {
		st := &Status{}
		if err := json.Unmarshal(r.Data, st); err != nil {
			return nil, fmt.Errorf("change %s: stored state is damaged: %w", r.ID, err)
		}
		st.ID, st.State, st.version = r.ID, State(r.State), r.Version
		st.ContentHash, st.PromotionHash = r.ContentHash, r.PromotionHash
		st.Created, st.Updated = r.Created, r.Updated
		out = append(out, st)
	}
	return out, nil
}
