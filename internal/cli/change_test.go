package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/iamguard/iamguard/internal/gate"
	"github.com/iamguard/iamguard/internal/gate/apply"
)

// execGate runs the change and audit commands as Main runs the root: the
// same error printing and exit codes.
func execGate(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := &cobra.Command{Use: "iamguard", SilenceUsage: true, SilenceErrors: true}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return asInputError(err) })
	root.AddCommand(newChangeCmd(), newAuditCmd())
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.ExecuteContext(context.Background())
	if err != nil && err != errExitFindings {
		errOut.WriteString("iamguard: " + err.Error() + "\n")
	}
	return out.String(), errOut.String(), exitCode(err)
}

// gateEnv is a store and a configuration for one test.
type gateEnv struct {
	db, cfg string
}

func newGateEnv(t *testing.T) gateEnv {
	t.Helper()
	return gateEnv{db: filepath.Join(t.TempDir(), "gate.db"), cfg: filepath.Join("testdata", "gate", "iamguard.yaml")}
}

func (e gateEnv) run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return execGate(t, append(args, "--db", e.db, "--config", e.cfg)...)
}

func (e gateEnv) runAudit(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return execGate(t, append(args, "--db", e.db)...)
}

func decodeJSON[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	return v
}

// TestChangeSession is docs/gate.md's session: plan, request, approve
// (after the refusals an approval can meet), dry run, apply, audit.
func TestChangeSession(t *testing.T) {
	t.Parallel()
	e := newGateEnv(t)
	change := filepath.Join("testdata", "gate", "rds.yaml")

	out, errOut, code := e.run(t, "change", "plan", change, "--format", "json")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errOut)
	}
	plan := decodeJSON[gate.Plan](t, out)
	if !plan.ApprovalRequired || !plan.ScanRequired || plan.Rule.Name != "create-10-or-more" || plan.ScanStatus != gate.ScanPassed ||
		plan.MonthlyCostSource != gate.CostEstimated || *plan.MonthlyCost != 14.71 || plan.Next != gate.NextRequestApproval {
		t.Fatalf("plan: %s", out)
	}
	for _, key := range []string{`"approvalRequired"`, `"scanRequired"`, `"findings"`, `"rule"`, `"contentHash"`, `"token"`, `"monthlyCost"`, `"monthlyCostSource"`, `"scanStatus"`, `"next"`} {
		if !strings.Contains(out, key) {
			t.Errorf("plan JSON lacks %s", key)
		}
	}

	// The text form says the same.
	text, _, code := e.run(t, "change", "plan", change)
	if code != 0 || !strings.Contains(text, "rule        create-10-or-more") || !strings.Contains(text, "$14.71/month, estimated") || !strings.Contains(text, "next: request-approval") {
		t.Fatalf("plan text (exit %d):\n%s", code, text)
	}

	out, errOut, code = e.run(t, "change", "request", "--token", plan.Token)
	if code != 0 || !strings.Contains(out, "waits for an approver") {
		t.Fatalf("request: exit %d\n%s%s", code, out, errOut)
	}

	// Refusals: exit 1 with the code on stderr.
	for _, tc := range []struct {
		args []string
		code string
	}{
		{[]string{"--approver", "carol"}, "SELF_APPROVAL"},
		{[]string{"--approver", "mallory"}, "NOT_APPROVER"},
		{[]string{"--approver", "alice", "--content-hash", "000000000000"}, "CONTENT_CHANGED"},
	} {
		_, errOut, code := e.run(t, append([]string{"change", "approve", plan.ChangeID}, tc.args...)...)
		if code != 1 || !strings.Contains(errOut, "refused ("+tc.code+")") {
			t.Errorf("approve %v: exit %d, %q", tc.args, code, errOut)
		}
	}

	out, errOut, code = e.run(t, "change", "approve", plan.ChangeID, "--approver", "alice", "--content-hash", plan.ContentHash[:12], "--format", "json")
	if code != 0 {
		t.Fatalf("approve: exit %d\n%s%s", code, out, errOut)
	}
	approved := decodeJSON[gate.StepOutcome](t, out)

	// The plan token does not apply a change that needs an approval.
	_, errOut, code = e.run(t, "change", "apply", change, "--token", plan.Token)
	if code != 1 || !strings.Contains(errOut, "TOKEN_WRONG_STEP") {
		t.Fatalf("apply with the plan token: exit %d %s", code, errOut)
	}

	dir := t.TempDir()
	out, errOut, code = e.run(t, "change", "apply", change, "--token", approved.Token, "--out", dir)
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"# dry run of change " + plan.ChangeID, "aws sts get-caller-identity", "aws cloudcontrol create-resource --type-name AWS::RDS::DBInstance --desired-state file://" + filepath.Join(dir, "desired-state.json")} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	desired, err := os.ReadFile(filepath.Join(dir, "desired-state.json"))
	if err != nil || !strings.Contains(string(desired), `"DBInstanceClass": "db.t3.micro"`) || !strings.Contains(string(desired), `"Value": "development"`) {
		t.Fatalf("desired state: %s %v", desired, err)
	}

	// A real apply, with a stand-in for AWS.
	fake := &cliApplier{}
	gp := gateParams{configFile: e.cfg, db: e.db, format: "text", stderr: &bytes.Buffer{}}
	var buf bytes.Buffer
	if err := runChangeApply(context.Background(), gp, changeApplyParams{file: change, token: approved.Token, by: "carol", allowWrite: true, applier: fake}, &buf); err != nil {
		t.Fatalf("apply: %v\n%s", err, buf.String())
	}
	if len(fake.reqs) != 1 || fake.reqs[0].Profile != "aws-dev" || !strings.Contains(buf.String(), "applied") || !strings.Contains(buf.String(), "receipt") {
		t.Fatalf("apply: %+v\n%s", fake.reqs, buf.String())
	}

	out, _, code = e.run(t, "change", "status", plan.ChangeID)
	if code != 0 || !strings.Contains(out, "change "+plan.ChangeID+": applied") || !strings.Contains(out, "approved    by alice") {
		t.Fatalf("status:\n%s", out)
	}
	out, _, code = e.run(t, "change", "list", "--state", "applied")
	if code != 0 || !strings.Contains(out, plan.ChangeID) || strings.Count(out, "\n") != 2 {
		t.Fatalf("list:\n%s", out)
	}

	out, _, code = e.runAudit(t, "audit", "log", "--change", plan.ChangeID)
	for _, ev := range []string{"plan", "scan", "request", "refuse", "approve", "apply-start", "apply"} {
		if !strings.Contains(out, "  "+ev+"  ") {
			t.Errorf("audit log lacks %s:\n%s", ev, out)
		}
	}
	out, _, code = e.runAudit(t, "audit", "verify")
	if code != 0 || !strings.HasPrefix(out, "audit log intact: ") {
		t.Fatalf("verify: exit %d %s", code, out)
	}
}

type cliApplier struct{ reqs []apply.Request }

func (a *cliApplier) Apply(_ context.Context, req apply.Request) (*apply.Result, error) {
	a.reqs = append(a.reqs, req)
	return &apply.Result{Calls: []apply.Call{{API: "cloudcontrol:CreateResource", CLI: "aws cloudcontrol create-resource …"}}, Identifier: "synthcore-db"}, nil
}

func TestChangeExitCodes(t *testing.T) {
	t.Parallel()
	e := newGateEnv(t)
	gd := filepath.Join("testdata", "gate")

	// An unknown field is bad input: exit 2, file:line:col.
	_, errOut, code := e.run(t, "change", "plan", filepath.Join(gd, "typo.yaml"))
	if code != 2 || !strings.Contains(errOut, filepath.Join(gd, "typo.yaml")+`:4:1: unknown field "requestor"; did you mean "requester"?`) {
		t.Errorf("typo: exit %d %q", code, errOut)
	}
	// A failing scan: the plan prints and exits 1.
	out, _, code := e.run(t, "change", "plan", filepath.Join(gd, "admin-all.json"), "--format", "json")
	plan := decodeJSON[gate.Plan](t, out)
	if code != 1 || plan.ScanStatus != gate.ScanFailed || plan.Next != gate.NextFix || len(plan.Findings) == 0 {
		t.Fatalf("failing scan: exit %d\n%s", code, out)
	}
	// Apply refuses it (exit 1, JSON says why).
	out, errOut, code = e.run(t, "change", "apply", "--token", plan.Token, "--format", "json")
	refused := decodeJSON[struct{ Refused gate.Refusal }](t, out)
	if code != 1 || refused.Refused.Code != gate.RefusedApprovalRequired || !strings.Contains(errOut, "APPROVAL_REQUIRED") {
		t.Fatalf("apply of a failed scan: exit %d %s %s", code, out, errOut)
	}
	// An approval must name the blocking findings.
	e.run(t, "change", "request", "--token", plan.Token)
	_, errOut, code = e.run(t, "change", "approve", plan.ChangeID, "--approver", "bob")
	if code != 1 || !strings.Contains(errOut, "FINDINGS_NOT_ACCEPTED") {
		t.Fatalf("approve without --accept: exit %d %s", code, errOut)
	}
	var accept []string
	for _, f := range plan.Findings {
		if f.Blocking {
			accept = append(accept, "--accept", f.Code+"@"+f.Path)
		}
	}
	out, errOut, code = e.run(t, append([]string{"change", "approve", plan.ChangeID, "--approver", "bob"}, accept...)...)
	if code != 0 {
		t.Fatalf("approve with %v: exit %d %s%s", accept, code, out, errOut)
	}
	// Usage errors.
	for _, args := range [][]string{
		{"change", "approve", "chg-000000000000", "--approver", "bob"},
		{"change", "apply", "--token", plan.Token, "--dry-run=false"},
		{"change", "apply", "--token", plan.Token, "--allow-write", "--dry-run"},
		{"change", "list", "--state", "done"},
		{"change", "status", plan.ChangeID, "--format", "xml"},
		{"change", "approve", plan.ChangeID},
	} {
		if _, errOut, code := e.run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errOut)
		}
	}
}

func TestAuditVerifyNamesTheRecord(t *testing.T) {
	t.Parallel()
	e := newGateEnv(t)
	_, _, code := e.run(t, "change", "plan", filepath.Join("testdata", "gate", "s3-fileupload.yaml"))
	if code != 0 {
		t.Fatal("plan failed")
	}
	out, _, _ := e.runAudit(t, "audit", "log", "--format", "json")
	recs := decodeJSON[[]struct {
		Seq   int64
		Event string
		Hash  string
	}](t, out)
	if len(recs) != 2 || recs[0].Event != "plan" || recs[1].Event != "scan" {
		t.Fatalf("records: %s", out)
	}
	anchor := recs[1].Hash
	if out, _, code := e.runAudit(t, "audit", "verify", "--anchor", anchor); code != 0 || !strings.Contains(out, "anchor "+anchor+" found") {
		t.Fatalf("anchored verify: exit %d %s", code, out)
	}
	db := openRawSQLite(t, e.db)
	if _, err := db.Exec(`UPDATE audit_log SET actor = 'mallory' WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, _, code = e.runAudit(t, "audit", "verify")
	if code != 1 || !strings.Contains(out, "audit log BROKEN") || !strings.Contains(out, "record 1: edited") {
		t.Fatalf("verify after an edit: exit %d\n%s", code, out)
	}
	out, _, code = e.runAudit(t, "audit", "verify", "--format", "json")
	rep := decodeJSON[struct {
		OK       bool
		Problems []struct {
			Seq  int64
			Kind string
		}
	}](t, out)
	if code != 1 || rep.OK || len(rep.Problems) != 1 || rep.Problems[0].Seq != 1 || rep.Problems[0].Kind != "edited" {
		t.Fatalf("verify JSON: %s", out)
	}
}
