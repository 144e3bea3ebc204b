package gate

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamguard/iamguard/internal/gate/apply"
	"github.com/iamguard/iamguard/internal/gate/store"
)

var ctx = context.Background()

func TestPlanApplyWithoutApproval(t *testing.T) {
	t.Parallel()
	g := newTestGate(t, nil)
	p := g.plan(t, readChange(t, "dev-ses-sendonly.json"))
	if p.Rule.Name != "create-iam-policy" || p.ApprovalRequired || !p.ScanRequired || p.ScanStatus != ScanPassed || p.Next != NextApply {
		t.Fatalf("plan: %+v", p)
	}
	if len(p.ContentHash) != 64 || len(p.PromotionHash) != 64 || !strings.HasPrefix(p.Token, "igt1.") {
		t.Fatalf("hashes/token: %s %s %s", p.ContentHash, p.PromotionHash, p.Token)
	}
	// Tags: Environment and CreatedDate filled, CostCenter kept.
	want := map[string]string{"Environment": "development", "CreatedDate": "2025-11-02", "CreatedBy": "carol", "MANAGED_BY": "iamguard", "Project": "SynthCore"}
	for k, v := range want {
		if p.Tags.Added[k] != v {
			t.Errorf("tag %s = %q, want %q", k, p.Tags.Added[k], v)
		}
	}
	if len(p.Tags.Missing) != 0 {
		t.Errorf("missing tags %v", p.Tags.Missing)
	}
	if !strings.Contains(string(p.Change), `{"Key":"CreatedDate","Value":"2025-11-02"}`) {
		t.Errorf("content lacks the injected tag: %s", p.Change)
	}
	if sha256Hex(p.Change) != p.ContentHash {
		t.Error("contentHash is not the SHA-256 of the change's canonical JSON")
	}
	app := &recordingApplier{}
	out, err := g.Apply(ctx, ApplyInput{Token: p.Token, Applier: app, By: "carol", Change: readChange(t, "dev-ses-sendonly.json")})
	if err != nil {
		t.Fatal(err)
	}
	if out.State != StateApplied || out.DryRun || !strings.HasPrefix(out.Token, "igt1.") {
		t.Fatalf("apply: %+v", out)
	}
	if len(app.reqs) != 1 || app.reqs[0].Profile != "aws-dev" || app.reqs[0].Account != "111111111111" || app.reqs[0].Properties["ManagedPolicyName"] != "SynthCoreAI-SES-SendOnly" {
		t.Fatalf("applier got %+v", app.reqs)
	}
	if ev := auditEvents(t, g.st, p.ChangeID); ev != "plan scan apply-start apply" {
		t.Errorf("audit: %s", ev)
	}
	st, err := g.Status(ctx, p.ChangeID)
	if err != nil || st.State != StateApplied || st.Applied == nil || st.Applied.Result.Identifier != "id-"+p.ChangeID {
		t.Fatalf("status %+v %v", st, err)
	}
	// Applied is final.
	_, err = g.Apply(ctx, ApplyInput{Token: p.Token, Applier: app})
	g.wantRefusal(t, err, RefusedWrongState)
	if rep, _ := store.Verify(ctx, g.st, ""); !rep.OK {
		t.Errorf("audit chain broken: %+v", rep.Problems)
	}
}

func TestApprovalWorkflow(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Approvals.Approvers = []string{"alice", "Bob"}
	g := newTestGate(t, cfg)
	p := g.plan(t, readChange(t, "dev-rds.yaml"))
	if p.Rule.Name != "create-10-or-more" || !p.ApprovalRequired || p.Next != NextRequestApproval || p.MonthlyCostSource != CostEstimated {
		t.Fatalf("plan: %+v", p)
	}
	// Apply before approval.
	_, err := g.Apply(ctx, ApplyInput{Token: p.Token, Applier: &recordingApplier{}})
	g.wantRefusal(t, err, RefusedApprovalRequired)
	// Approve before the request.
	_, err = g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice"})
	g.wantRefusal(t, err, RefusedWrongState)

	req, err := g.Request(ctx, RequestInput{Token: p.Token})
	if err != nil || req.State != StateRequested {
		t.Fatalf("request: %+v %v", req, err)
	}
	// A second request of the same plan.
	_, err = g.Request(ctx, RequestInput{Token: p.Token})
	g.wantRefusal(t, err, RefusedWrongState)

	t.Run("requester approves own change", func(t *testing.T) {
		_, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: " Carol "})
		g.wantRefusal(t, err, RefusedSelfApproval)
	})
	t.Run("non-approver", func(t *testing.T) {
		_, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "mallory"})
		g.wantRefusal(t, err, RefusedNotApprover)
	})
	t.Run("over MCP without mcpApprovers", func(t *testing.T) {
		_, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice", Channel: ChannelMCP})
		g.wantRefusal(t, err, RefusedNotApprover)
	})
	t.Run("reviewed other content", func(t *testing.T) {
		_, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice", ContentHash: strings.Repeat("0", 16)})
		g.wantRefusal(t, err, RefusedContentChanged)
	})
	t.Run("accept names nothing", func(t *testing.T) {
		_, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice", Accept: []string{"WILDCARD_ACTION"}})
		g.wantRefusal(t, err, RefusedAcceptUnmatched)
	})
	t.Run("no approver name", func(t *testing.T) {
		if _, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID}); err == nil || errors.Is(err, ErrRefused) {
			t.Fatalf("got %v, want an input error", err)
		}
	})

	// The plan token is not an approval token.
	_, err = g.Apply(ctx, ApplyInput{Token: req.Token, Applier: &recordingApplier{}})
	g.wantRefusal(t, err, RefusedTokenWrongStep)

	ok, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "bob", ContentHash: p.ContentHash[:12], Comment: "small dev database"})
	if err != nil || ok.State != StateApproved {
		t.Fatalf("approve: %+v %v", ok, err)
	}
	// Once approved, the plan token does not apply it either.
	_, err = g.Apply(ctx, ApplyInput{Token: p.Token, Applier: &recordingApplier{}})
	g.wantRefusal(t, err, RefusedTokenWrongStep)
	// While the approval token is valid, nobody approves twice.
	_, err = g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice"})
	g.wantRefusal(t, err, RefusedWrongState)
	// Once it expired, approving again renews it, under the same checks.
	g.clock.Advance(2 * time.Hour)
	_, err = g.Apply(ctx, ApplyInput{Token: ok.Token, Applier: &recordingApplier{}})
	g.wantRefusal(t, err, RefusedTokenExpired)
	_, err = g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "carol"})
	g.wantRefusal(t, err, RefusedSelfApproval)
	ok, err = g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice"})
	if err != nil {
		t.Fatalf("renewal: %v", err)
	}

	app := &recordingApplier{}
	out, err := g.Apply(ctx, ApplyInput{Token: ok.Token, Applier: app, By: "carol"})
	if err != nil || out.State != StateApplied {
		t.Fatalf("apply: %+v %v", out, err)
	}
	st, _ := g.Status(ctx, p.ChangeID)
	if st.Approval.By != "alice" || st.Approval.ContentHash != p.ContentHash || st.Approval.Channel != ChannelCLI {
		t.Errorf("approval record: %+v", st.Approval)
	}
	if ev := auditEvents(t, g.st, p.ChangeID); ev != "plan scan refuse refuse request refuse refuse refuse refuse refuse refuse refuse approve refuse refuse refuse refuse approve apply-start apply" {
		t.Errorf("audit: %s", ev)
	}
}

func TestMFAForProductionApprovals(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Approvals.MCPApprovers = []string{"alice"}
	g := newTestGate(t, cfg)
	p := g.plan(t, readChange(t, "prod-role-update.yaml"))
	if p.Rule.Name != "update-prod" || !p.ApprovalRequired {
		t.Fatalf("plan %+v", p)
	}
	if _, err := g.Request(ctx, RequestInput{Token: p.Token}); err != nil {
		t.Fatal(err)
	}
	_, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice"})
	g.wantRefusal(t, err, RefusedMFARequired)
	_, err = g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice", MFA: "12ab"})
	g.wantRefusal(t, err, RefusedMFARequired)
	_, err = g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "bob", MFA: "123456", Channel: ChannelMCP})
	g.wantRefusal(t, err, RefusedNotApprover)
	ok, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice", MFA: "123456", Channel: ChannelMCP})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := g.Status(ctx, ok.ChangeID)
	if st.Approval.MFA == nil || st.Approval.MFA.Kind != "totp" || len(st.Approval.MFA.Fingerprint) != 16 || st.Approval.Channel != ChannelMCP {
		t.Fatalf("MFA not recorded: %+v", st.Approval)
	}
	// The code itself is never stored.
	data, _ := json.Marshal(st)
	var all strings.Builder
	g.st.Records(ctx, store.AuditQuery{}, func(r store.Record) error { all.Write(r.Detail); return nil })
	if strings.Contains(string(data), "123456") || strings.Contains(all.String(), "123456") {
		t.Error("the MFA code was stored")
	}
	// A production update must have been applied in dev first.
	_, err = g.Apply(ctx, ApplyInput{Token: ok.Token, Applier: &recordingApplier{}})
	g.wantRefusal(t, err, RefusedPromotionRequired)
}

func TestMFANotRequiredOutsideProduction(t *testing.T) {
	t.Parallel()
	g := newTestGate(t, nil)
	p := g.plan(t, readChange(t, "dev-rds.yaml"))
	g.Request(ctx, RequestInput{Token: p.Token})
	if _, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice"}); err != nil {
		t.Fatalf("dev approval without MFA: %v", err)
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	g := newTestGate(t, nil)
	p := g.plan(t, readChange(t, "dev-ses-sendonly.json"))
	key, _ := g.tokenKey(ctx)
	forge := func(c Claims) string {
		tok, err := signToken(key, c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	exp := g.clock.Now().Add(time.Hour).Unix()
	other := openSQLite(t)
	otherKey, _ := other.TokenKey(ctx)
	foreign, _ := signToken(otherKey, Claims{ChangeID: p.ChangeID, Step: StepPlan, ContentHash: p.ContentHash, ExpiresAt: exp})
	parts := strings.Split(p.Token, ".")
	cases := []struct {
		name  string
		token string
		file  *Change
		code  string
	}{
		{"garbage", "not-a-token", nil, RefusedTokenInvalid},
		{"altered payload", parts[0] + "." + parts[1] + "x." + parts[2], nil, RefusedTokenInvalid},
		{"issued by another store", foreign, nil, RefusedTokenInvalid},
		{"names an unknown change", forge(Claims{ChangeID: "chg-000000000000", Step: StepPlan, ContentHash: p.ContentHash, ExpiresAt: exp}), nil, RefusedTokenInvalid},
		{"for other content", forge(Claims{ChangeID: p.ChangeID, Step: StepPlan, ContentHash: strings.Repeat("ab", 32), ExpiresAt: exp}), nil, RefusedTokenWrongContent},
		{"for another step", forge(Claims{ChangeID: p.ChangeID, Step: StepRequest, ContentHash: p.ContentHash, ExpiresAt: exp}), nil, RefusedTokenWrongStep},
		{"receipt of an apply", forge(Claims{ChangeID: p.ChangeID, Step: StepApply, ContentHash: p.ContentHash, ExpiresAt: exp}), nil, RefusedTokenWrongStep},
		{"for another change file", p.Token, readChange(t, "dev-ses-wildcard.json"), RefusedTokenWrongContent},
		{"expired", forge(Claims{ChangeID: p.ChangeID, Step: StepPlan, ContentHash: p.ContentHash, ExpiresAt: g.clock.Now().Unix()}), nil, RefusedTokenExpired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := g.Apply(ctx, ApplyInput{Token: tc.token, Change: tc.file, Applier: &recordingApplier{}})
			g.wantRefusal(t, err, tc.code)
		})
	}
	// The real token still works, and the file it was planned from matches
	// even though the tags were injected on plan.
	if _, err := g.Apply(ctx, ApplyInput{Token: p.Token, Change: readChange(t, "dev-ses-sendonly.json")}); err != nil {
		t.Fatalf("dry run with the right token: %v", err)
	}
}

func TestTokenExpiresAfterTTL(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Approvals.TokenTTL.Duration = 30 * time.Minute
	g := newTestGate(t, cfg)
	p := g.plan(t, readChange(t, "dev-ses-sendonly.json"))
	if got := p.TokenExpires.Sub(g.clock.Now()); got != 30*time.Minute {
		t.Errorf("token lives %s, want 30m", got)
	}
	g.clock.Advance(29 * time.Minute)
	if _, err := g.Apply(ctx, ApplyInput{Token: p.Token}); err != nil {
		t.Fatalf("within the TTL: %v", err)
	}
	g.clock.Advance(time.Minute)
	_, err := g.Apply(ctx, ApplyInput{Token: p.Token})
	g.wantRefusal(t, err, RefusedTokenExpired)
	_, err = g.Request(ctx, RequestInput{Token: p.Token})
	g.wantRefusal(t, err, RefusedTokenExpired)
}

func TestApplyWithoutScan(t *testing.T) {
	t.Parallel()
	g := newTestGate(t, nil)
	g.scanner = nil // a gate nobody gave a scanner
	p := g.plan(t, readChange(t, "dev-ses-sendonly.json"))
	if p.ScanStatus != ScanSkipped || !p.ScanRequired || p.Next != NextFix {
		t.Fatalf("plan without a scanner: %+v", p)
	}
	_, err := g.Apply(ctx, ApplyInput{Token: p.Token, Applier: &recordingApplier{}})
	g.wantRefusal(t, err, RefusedScanMissing)
}

func TestFailingScanNeedsAcceptingApproval(t *testing.T) {
	t.Parallel()
	g := newTestGate(t, nil)
	p := g.plan(t, readChange(t, "dev-ses-wildcard.json"))
	if p.ScanStatus != ScanFailed || !p.ApprovalRequired || p.Next != NextFix || len(p.Findings) != 1 {
		t.Fatalf("plan: %+v", p)
	}
	f := p.Findings[0]
	if f.Code != "WILDCARD_ACTION" || !f.Blocking || f.Path != "properties.PolicyDocument.Statement[0].Action" || f.Line != 13 || f.Column != 21 || f.File == "" {
		t.Fatalf("finding: %+v", f)
	}
	// The rule (create IAM policy) needs no approval, but the failed scan does.
	_, err := g.Apply(ctx, ApplyInput{Token: p.Token, Applier: &recordingApplier{}})
	g.wantRefusal(t, err, RefusedApprovalRequired)
	if _, err := g.Request(ctx, RequestInput{Token: p.Token}); err != nil {
		t.Fatal(err)
	}
	_, err = g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice"})
	g.wantRefusal(t, err, RefusedFindingsNotAccepted)
	_, err = g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice", Accept: []string{"WILDCARD_ACTION@properties.PolicyDocument.Statement[1].Action"}})
	g.wantRefusal(t, err, RefusedAcceptUnmatched)
	for _, accept := range []string{"WILDCARD_ACTION@properties.PolicyDocument.Statement[0].Action", f.Fingerprint, "wildcard_action"} {
		t.Run(accept, func(t *testing.T) {
			g := newTestGateOn(t, testConfig(), openSQLite(t))
			p := g.plan(t, readChange(t, "dev-ses-wildcard.json"))
			g.Request(ctx, RequestInput{Token: p.Token})
			ok, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice", Accept: []string{accept}})
			if err != nil {
				t.Fatal(err)
			}
			st, _ := g.Status(ctx, p.ChangeID)
			if len(st.Approval.Accepted) != 1 || st.Approval.Accepted[0] != p.Findings[0].Fingerprint {
				t.Fatalf("accepted %v", st.Approval.Accepted)
			}
			if _, err := g.Apply(ctx, ApplyInput{Token: ok.Token, Applier: &recordingApplier{}}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// tamper rewrites a change's stored state behind the gate's back.
func tamper(t *testing.T, g *testGate, id string, edit func(st *Status), hashColumn string) {
	t.Helper()
	rec, err := g.st.Change(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var st Status
	json.Unmarshal(rec.Data, &st)
	edit(&st)
	rec.Data, _ = json.Marshal(st)
	if hashColumn != "" {
		rec.ContentHash = hashColumn
	}
	if _, _, err := g.st.PutChange(ctx, rec); err != nil {
		t.Fatal(err)
	}
}

func TestContentSwappedAfterApproval(t *testing.T) {
	t.Parallel()
	approved := func(t *testing.T) (*testGate, *StepOutcome) {
		g := newTestGate(t, nil)
		p := g.plan(t, readChange(t, "dev-rds.yaml"))
		g.Request(ctx, RequestInput{Token: p.Token})
		ok, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		return g, ok
	}
	bigger := func(st *Status) {
		st.Content = []byte(strings.Replace(string(st.Content), "db.t3.micro", "db.r6i.large", 1))
	}
	t.Run("stored content edited", func(t *testing.T) {
		t.Parallel()
		g, ok := approved(t)
		tamper(t, g, ok.ChangeID, bigger, "")
		_, err := g.Apply(ctx, ApplyInput{Token: ok.Token, Applier: &recordingApplier{}})
		g.wantRefusal(t, err, RefusedContentChanged)
	})
	t.Run("stored content and its hash edited", func(t *testing.T) {
		t.Parallel()
		g, ok := approved(t)
		var newHash string
		tamper(t, g, ok.ChangeID, func(st *Status) {
			bigger(st)
			newHash = sha256Hex(st.Content)
			st.ContentHash = newHash
		}, "placeholder")
		tamper(t, g, ok.ChangeID, func(*Status) {}, newHash)
		_, err := g.Apply(ctx, ApplyInput{Token: ok.Token, Applier: &recordingApplier{}})
		g.wantRefusal(t, err, RefusedTokenWrongContent)
	})
	t.Run("approval record points at other content", func(t *testing.T) {
		t.Parallel()
		g, ok := approved(t)
		tamper(t, g, ok.ChangeID, func(st *Status) { st.Approval.ContentHash = strings.Repeat("cd", 32) }, "")
		_, err := g.Apply(ctx, ApplyInput{Token: ok.Token, Applier: &recordingApplier{}})
		g.wantRefusal(t, err, RefusedContentChanged)
	})
	t.Run("change file edited after approval", func(t *testing.T) {
		t.Parallel()
		g, ok := approved(t)
		c := readChange(t, "dev-rds.yaml")
		c.Properties["DBInstanceClass"] = "db.r6i.large"
		_, err := g.Apply(ctx, ApplyInput{Token: ok.Token, Change: c, Applier: &recordingApplier{}})
		g.wantRefusal(t, err, RefusedTokenWrongContent)
	})
	t.Run("findings accepted list emptied", func(t *testing.T) {
		t.Parallel()
		g := newTestGate(t, nil)
		p := g.plan(t, readChange(t, "dev-ses-wildcard.json"))
		g.Request(ctx, RequestInput{Token: p.Token})
		ok, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice", Accept: []string{"WILDCARD_ACTION"}})
		if err != nil {
			t.Fatal(err)
		}
		tamper(t, g, ok.ChangeID, func(st *Status) { st.Approval.Accepted = nil }, "")
		_, err = g.Apply(ctx, ApplyInput{Token: ok.Token, Applier: &recordingApplier{}})
		g.wantRefusal(t, err, RefusedFindingsNotAccepted)
	})
	t.Run("scan record removed", func(t *testing.T) {
		t.Parallel()
		g, ok := approved(t)
		tamper(t, g, ok.ChangeID, func(st *Status) { st.Scan = ScanResult{Status: ScanSkipped} }, "")
		_, err := g.Apply(ctx, ApplyInput{Token: ok.Token, Applier: &recordingApplier{}})
		g.wantRefusal(t, err, RefusedScanMissing)
	})
}

func TestPromotionDevToProd(t *testing.T) {
	t.Parallel()
	g := newTestGate(t, nil)
	prod := readChange(t, "prod-s3-fileupload.yaml")
	p := g.plan(t, prod)
	if !p.Promotion.Required || p.Promotion.Satisfied || p.Next != NextFix {
		t.Fatalf("prod plan before dev: %+v", p.Promotion)
	}
	_, err := g.Apply(ctx, ApplyInput{Token: p.Token, Applier: &recordingApplier{}})
	g.wantRefusal(t, err, RefusedPromotionRequired)

	// Apply in dev (a dry run does not count).
	dev := g.plan(t, readChange(t, "dev-s3-fileupload.yaml"))
	if _, err := g.Apply(ctx, ApplyInput{Token: dev.Token}); err != nil {
		t.Fatal(err)
	}
	prod = readChange(t, "prod-s3-fileupload.yaml")
	prod.PromotedFrom = dev.PromotionHash
	p = g.plan(t, prod)
	if p.Promotion.Satisfied {
		t.Fatal("a dry run in dev counted as applied")
	}
	out, err := g.Apply(ctx, ApplyInput{Token: dev.Token, Applier: &recordingApplier{}})
	if err != nil {
		t.Fatal(err)
	}
	if out.PromotionHash != dev.PromotionHash || !strings.Contains(out.Message, dev.PromotionHash) {
		t.Errorf("apply outcome does not say how to promote: %+v", out)
	}

	// The same change with the dev hash: promotion satisfied.
	prod = readChange(t, "prod-s3-fileupload.yaml")
	prod.PromotedFrom = dev.PromotionHash
	p = g.plan(t, prod)
	if p.PromotionHash != dev.PromotionHash {
		t.Fatalf("promotion hash differs between dev and prod: %s vs %s", p.PromotionHash, dev.PromotionHash)
	}
	if p.ContentHash == dev.ContentHash {
		t.Fatal("dev and prod changes have the same content hash")
	}
	if !p.Promotion.Satisfied || p.Promotion.From != dev.ChangeID || p.Next != NextApply {
		t.Fatalf("prod plan after dev: %+v next %s", p.Promotion, p.Next)
	}
	app := &recordingApplier{}
	if _, err := g.Apply(ctx, ApplyInput{Token: p.Token, Applier: app}); err != nil {
		t.Fatal(err)
	}
	if app.reqs[0].Profile != "aws-prod" || app.reqs[0].Account != "222222222222" {
		t.Errorf("prod applied with %+v", app.reqs[0])
	}

	// A different change claiming the dev hash.
	edited := readChange(t, "prod-s3-fileupload.yaml")
	edited.PromotedFrom = dev.PromotionHash
	edited.Properties["ManagedPolicyName"] = "SynthCoreAI-S3-Everything"
	p = g.plan(t, edited)
	if p.Promotion.Satisfied {
		t.Fatal("an edited change passed as promoted")
	}
	_, err = g.Apply(ctx, ApplyInput{Token: p.Token, Applier: &recordingApplier{}})
	g.wantRefusal(t, err, RefusedPromotionRequired)
}

func TestRejectedAndCancelledChanges(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Approvals.Approvers = []string{"alice"}
	g := newTestGate(t, cfg)
	p := g.plan(t, readChange(t, "dev-rds.yaml"))
	g.Request(ctx, RequestInput{Token: p.Token})
	_, err := g.Reject(ctx, RejectInput{ChangeID: p.ChangeID, Approver: "carol", Reason: "mine"})
	g.wantRefusal(t, err, RefusedSelfApproval)
	_, err = g.Reject(ctx, RejectInput{ChangeID: p.ChangeID, Approver: "mallory"})
	g.wantRefusal(t, err, RefusedNotApprover)
	out, err := g.Reject(ctx, RejectInput{ChangeID: p.ChangeID, Approver: "alice", Reason: "use Aurora Serverless"})
	if err != nil || out.State != StateRejected {
		t.Fatalf("reject: %+v %v", out, err)
	}
	_, err = g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice"})
	g.wantRefusal(t, err, RefusedWrongState)
	_, err = g.Apply(ctx, ApplyInput{Token: p.Token, Applier: &recordingApplier{}})
	g.wantRefusal(t, err, RefusedWrongState)
	_, err = g.Cancel(ctx, CancelInput{ChangeID: p.ChangeID, By: "carol"})
	g.wantRefusal(t, err, RefusedWrongState)

	// Rejecting an approved change revokes the approval.
	p2 := g.plan(t, readChange(t, "dev-rds.yaml"))
	g.Request(ctx, RequestInput{Token: p2.Token})
	ok, _ := g.Approve(ctx, ApproveInput{ChangeID: p2.ChangeID, Approver: "alice"})
	g.Reject(ctx, RejectInput{ChangeID: p2.ChangeID, Approver: "alice", Reason: "changed my mind"})
	_, err = g.Apply(ctx, ApplyInput{Token: ok.Token, Applier: &recordingApplier{}})
	g.wantRefusal(t, err, RefusedWrongState)

	p3 := g.plan(t, readChange(t, "dev-ses-sendonly.json"))
	_, err = g.Cancel(ctx, CancelInput{ChangeID: p3.ChangeID, By: "mallory"})
	g.wantRefusal(t, err, RefusedNotAllowed)
	if _, err := g.Cancel(ctx, CancelInput{ChangeID: p3.ChangeID, By: "carol", Reason: "not needed"}); err != nil {
		t.Fatal(err)
	}
	_, err = g.Apply(ctx, ApplyInput{Token: p3.Token, Applier: &recordingApplier{}})
	g.wantRefusal(t, err, RefusedWrongState)

	list, err := g.List(ctx, ListFilter{State: StateRejected})
	if err != nil || len(list) != 2 {
		t.Fatalf("rejected changes: %d %v", len(list), err)
	}
}

func TestDryRunChangesNoState(t *testing.T) {
	t.Parallel()
	g := newTestGate(t, nil)
	p := g.plan(t, readChange(t, "dev-s3-fileupload.yaml"))
	dir := t.TempDir()
	out, err := g.Apply(ctx, ApplyInput{Token: p.Token, DryRunDir: dir, By: "carol"})
	if err != nil {
		t.Fatal(err)
	}
	if !out.DryRun || out.State != StatePlanned || len(out.Result.Calls) != 3 {
		t.Fatalf("dry run: %+v", out)
	}
	st, _ := g.Status(ctx, p.ChangeID)
	if st.State != StatePlanned || st.LastDryRun == nil || st.Applied != nil {
		t.Fatalf("state after dry run: %+v", st)
	}
	// And the real apply still works afterwards.
	if _, err := g.Apply(ctx, ApplyInput{Token: p.Token, Applier: &recordingApplier{}}); err != nil {
		t.Fatal(err)
	}
}

func TestFailedApplyCanBeRetried(t *testing.T) {
	t.Parallel()
	g := newTestGate(t, nil)
	p := g.plan(t, readChange(t, "dev-ses-sendonly.json"))
	app := &recordingApplier{err: errors.New("EntityAlreadyExists")}
	_, err := g.Apply(ctx, ApplyInput{Token: p.Token, Applier: app})
	if err == nil || errors.Is(err, ErrRefused) {
		t.Fatalf("failed apply: %v", err)
	}
	st, _ := g.Status(ctx, p.ChangeID)
	if st.State != StatePlanned {
		t.Fatalf("state after failure %s", st.State)
	}
	app.err = nil
	if _, err := g.Apply(ctx, ApplyInput{Token: p.Token, Applier: app}); err != nil {
		t.Fatal(err)
	}
	if ev := auditEvents(t, g.st, p.ChangeID); ev != "plan scan apply-start apply-failed apply-start apply" {
		t.Errorf("audit: %s", ev)
	}
}

func TestInterruptedApplyIsResumedExplicitly(t *testing.T) {
	t.Parallel()
	g := newTestGate(t, nil)
	p := g.plan(t, readChange(t, "dev-ses-sendonly.json"))
	// A process that died between claiming the change and finishing.
	tamper(t, g, p.ChangeID, func(*Status) {}, "")
	rec, _ := g.st.Change(ctx, p.ChangeID)
	rec.State = string(StateApplying)
	g.st.PutChange(ctx, rec)
	_, err := g.Apply(ctx, ApplyInput{Token: p.Token, Applier: &recordingApplier{}})
	g.wantRefusal(t, err, RefusedWrongState)
	out, err := g.Apply(ctx, ApplyInput{Token: p.Token, Applier: &recordingApplier{}, Resume: true})
	if err != nil || out.State != StateApplied {
		t.Fatalf("resume: %+v %v", out, err)
	}
}

func TestConcurrentAppliesApplyOnce(t *testing.T) {
	t.Parallel()
	g := newTestGate(t, nil)
	p := g.plan(t, readChange(t, "dev-ses-sendonly.json"))
	app := &recordingApplier{}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() { _, errs[i] = g.Apply(ctx, ApplyInput{Token: p.Token, Applier: app}) })
	}
	wg.Wait()
	okCount := 0
	for _, err := range errs {
		if err == nil {
			okCount++
		} else if !errors.Is(err, ErrRefused) {
			t.Errorf("unexpected error %v", err)
		}
	}
	if okCount != 1 || len(app.reqs) != 1 {
		t.Fatalf("%d applies succeeded and the applier ran %d times; want 1 and 1", okCount, len(app.reqs))
	}
}

func TestPlanInputErrors(t *testing.T) {
	t.Parallel()
	g := newTestGate(t, nil)
	cases := []struct{ name, src, want string }{
		{"unknown environment", "environment: staging\noperation: create\nresourceType: AWS::SQS::Queue\nrequester: carol\n", `change.yaml:1:14: environment "staging" is not configured (known: dev, prod)`},
		{"no requester", "environment: dev\noperation: create\nresourceType: AWS::SQS::Queue\n", "change.yaml:1:1: the change needs a requester"},
		{"policy without a name", "environment: dev\noperation: create\nresourceType: AWS::IAM::ManagedPolicy\nrequester: carol\nproperties:\n  PolicyDocument: {Version: '2012-10-17', Statement: []}\n", "change.yaml:6:3: AWS::IAM::ManagedPolicy properties: ManagedPolicyName (or PolicyName) is required"},
		{"bad tags", "environment: dev\noperation: create\nresourceType: AWS::SQS::Queue\nrequester: carol\nproperties:\n  Tags: [1]\n", "change.yaml:6:9: Tags[0] must be an object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := g.Plan(ctx, mustChange(t, tc.src))
			var ie *InputError
			if !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q…", err, tc.want)
			}
		})
	}
}

func TestMissingTagsBlock(t *testing.T) {
	t.Parallel()
	g := newTestGate(t, nil)
	c := readChange(t, "dev-ses-sendonly.json")
	c.Properties["Tags"] = []any{map[string]any{"Key": "Environment", "Value": "production"}}
	p := g.plan(t, c)
	if p.ScanStatus != ScanFailed || len(p.Tags.Missing) != 1 || p.Tags.Missing[0] != "CostCenter" {
		t.Fatalf("plan: %s %+v", p.ScanStatus, p.Tags)
	}
	if p.Tags.Replaced["Environment"] != "production" || p.Tags.Added["Environment"] != "development" {
		t.Errorf("a wrong Environment tag was not corrected: %+v", p.Tags)
	}
	if p.Findings[0].Code != "REQUIRED_TAG_MISSING" {
		t.Errorf("findings %+v", p.Findings)
	}
}

// TestGateOnPostgres runs the whole workflow once on the team store.
func TestGateOnPostgres(t *testing.T) {
	t.Parallel()
	url := postgresTestURL(t)
	st, err := store.OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	g := newTestGateOn(t, nil, st)
	p := g.plan(t, readChange(t, "dev-rds.yaml"))
	if _, err := g.Request(ctx, RequestInput{Token: p.Token}); err != nil {
		t.Fatal(err)
	}
	_, err = g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "carol"})
	g.wantRefusalOn(t, err, RefusedSelfApproval, p.ChangeID)
	ok, err := g.Approve(ctx, ApproveInput{ChangeID: p.ChangeID, Approver: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Apply(ctx, ApplyInput{Token: ok.Token, Applier: &recordingApplier{}}); err != nil {
		t.Fatal(err)
	}
	if ev := auditEvents(t, st, p.ChangeID); ev != "plan scan request refuse approve apply-start apply" {
		t.Errorf("audit: %s", ev)
	}
	if rep, err := store.Verify(ctx, st, ""); err != nil || !rep.OK {
		t.Errorf("verify: %+v %v", rep, err)
	}
}

// wantRefusalOn is wantRefusal for a shared store, where other tests'
// records interleave: it looks at this change's records only.
func (g *testGate) wantRefusalOn(t testing.TB, err error, code, changeID string) {
	t.Helper()
	var r *Refusal
	if !errors.As(err, &r) || r.Code != code {
		t.Fatalf("got %v, want refusal %s", err, code)
	}
	if ev := auditEvents(t, g.st, changeID); !strings.HasSuffix(ev, "refuse") {
		t.Errorf("refusal not recorded: %s", ev)
	}
}

var _ apply.Applier = (*recordingApplier)(nil)
