package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/internal/service"
)

// A $25/month uploads bucket: the create-10-or-more rule needs approval.
const bucket = `{
  "environment": "dev",
  "operation": "create",
  "resourceType": "AWS::S3::Bucket",
  "monthlyCost": 25,
  "properties": {
    "BucketName": "synthcoreai-uploads",
    "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
    "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
    "Tags": [{"Key": "Project", "Value": "SynthCore"}, {"Key": "CostCenter", "Value": "Engineering"}]
  }
}`

func TestChangeEndpoints(t *testing.T) {
	t.Parallel()
	srv := newAPI(t, service.Options{})
	expect := func(t *testing.T, status int, e *service.Error, wantStatus int, wantReason string) {
		t.Helper()
		if status != wantStatus {
			t.Fatalf("status %d (%+v); want %d %s", status, e, wantStatus, wantReason)
		}
		if wantReason != "" && (e == nil || e.Reason != wantReason) {
			t.Fatalf("error %+v; want reason %s", e, wantReason)
		}
	}

	var plan service.PlanResponse
	status, e, hdr := do(t, srv, "POST", "/v1/changes/plan", aliceToken, map[string]any{"change": bucket}, &plan)
	expect(t, status, e, http.StatusCreated, "")
	if hdr.Get("Location") != "/v1/changes/"+plan.ChangeID || !plan.ApprovalRequired || plan.ScanStatus != "passed" {
		t.Fatalf("plan: Location %q, %+v", hdr.Get("Location"), plan)
	}
	id := plan.ChangeID

	// A requester named in the change must be the caller.
	withBob := strings.Replace(bucket, `"monthlyCost": 25,`, `"monthlyCost": 25, "requester": "bob",`, 1)
	status, e, _ = do(t, srv, "POST", "/v1/changes/plan", aliceToken, map[string]any{"change": withBob}, nil)
	expect(t, status, e, http.StatusForbidden, "REQUESTER_MISMATCH")
	if e.Line != 5 {
		t.Errorf("requester mismatch at line %d; want 5", e.Line)
	}
	// A change that is not JSON names its position.
	status, e, _ = do(t, srv, "POST", "/v1/changes/plan", aliceToken, map[string]any{"change": "{\n  \"environment\": \"dev\",\n  \"operation\": \"create\"\n  \"resourceType\": \"AWS::S3::Bucket\"\n}"}, nil)
	expect(t, status, e, http.StatusBadRequest, "")
	if e.Line != 4 {
		t.Errorf("syntax error at line %d; want 4 (%s)", e.Line, e.Message)
	}
	// Unknown environments are bad input at their position.
	status, e, _ = do(t, srv, "POST", "/v1/changes/plan", aliceToken, map[string]any{"change": strings.Replace(bucket, `"dev"`, `"staging"`, 1)}, nil)
	expect(t, status, e, http.StatusBadRequest, "")
	if e.Line != 2 || !strings.Contains(e.Message, "staging") {
		t.Errorf("unknown environment: %+v", e)
	}

	status, e, _ = do(t, srv, "POST", "/v1/changes/"+id+"/apply", aliceToken, map[string]any{"change": bucket, "token": plan.Token}, nil)
	expect(t, status, e, http.StatusUnprocessableEntity, "APPROVAL_REQUIRED")

	status, e, _ = do(t, srv, "POST", "/v1/changes/chg-000000000000/request-approval", aliceToken, map[string]any{"token": plan.Token}, nil)
	expect(t, status, e, http.StatusBadRequest, "")
	status, e, _ = do(t, srv, "POST", "/v1/changes/"+id+"/request-approval", aliceToken, map[string]any{"changeId": "chg-000000000000", "token": plan.Token}, nil)
	expect(t, status, e, http.StatusBadRequest, "")

	var step service.StepResponse
	status, e, _ = do(t, srv, "POST", "/v1/changes/"+id+"/request-approval", aliceToken, map[string]any{"token": plan.Token, "note": "RAG uploads"}, &step)
	expect(t, status, e, http.StatusOK, "")
	if step.State != "requested" {
		t.Fatalf("request: %+v", step)
	}

	status, e, _ = do(t, srv, "POST", "/v1/changes/"+id+"/approve", aliceToken, map[string]any{}, nil)
	expect(t, status, e, http.StatusForbidden, "SELF_APPROVAL")
	status, e, _ = do(t, srv, "POST", "/v1/changes/"+id+"/approve", bobToken, map[string]any{"contentHash": "0123456789abcdef"}, nil)
	expect(t, status, e, http.StatusUnprocessableEntity, "CONTENT_CHANGED")
	var approved service.StepResponse
	status, e, _ = do(t, srv, "POST", "/v1/changes/"+id+"/approve", bobToken, map[string]any{"contentHash": plan.ContentHash}, &approved)
	expect(t, status, e, http.StatusOK, "")
	status, e, _ = do(t, srv, "POST", "/v1/changes/"+id+"/approve", bobToken, map[string]any{}, nil)
	expect(t, status, e, http.StatusConflict, "WRONG_STATE")

	status, e, _ = do(t, srv, "POST", "/v1/changes/"+id+"/apply", aliceToken, map[string]any{"change": bucket, "token": plan.Token}, nil)
	expect(t, status, e, http.StatusUnprocessableEntity, "TOKEN_WRONG_STEP")
	status, e, _ = do(t, srv, "POST", "/v1/changes/"+id+"/apply", aliceToken, map[string]any{"change": strings.Replace(bucket, "aws:kms", "AES256", 1), "token": approved.Token}, nil)
	expect(t, status, e, http.StatusUnprocessableEntity, "TOKEN_WRONG_CONTENT")
	status, e, _ = do(t, srv, "POST", "/v1/changes/"+id+"/apply", aliceToken, map[string]any{"change": bucket, "token": approved.Token, "write": true}, nil)
	expect(t, status, e, http.StatusForbidden, "READ_ONLY")
	var applied service.ApplyResponse
	status, e, _ = do(t, srv, "POST", "/v1/changes/"+id+"/apply", aliceToken, map[string]any{"change": bucket, "token": approved.Token}, &applied)
	expect(t, status, e, http.StatusOK, "")
	if !applied.DryRun || applied.Result == nil || len(applied.Result.Calls) == 0 || len(applied.Documents) == 0 {
		t.Fatalf("apply: %+v", applied)
	}

	// A second change, rejected by bob.
	var plan2 service.PlanResponse
	do(t, srv, "POST", "/v1/changes/plan", aliceToken, map[string]any{"change": strings.Replace(bucket, "synthcoreai-uploads", "synthcoreai-exports", 1)}, &plan2)
	do(t, srv, "POST", "/v1/changes/"+plan2.ChangeID+"/request-approval", aliceToken, map[string]any{"token": plan2.Token}, nil)
	status, e, _ = do(t, srv, "POST", "/v1/changes/"+plan2.ChangeID+"/reject", aliceToken, map[string]any{"reason": "mine"}, nil)
	expect(t, status, e, http.StatusForbidden, "SELF_APPROVAL")
	var rejected service.StepResponse
	status, e, _ = do(t, srv, "POST", "/v1/changes/"+plan2.ChangeID+"/reject", bobToken, map[string]any{"reason": "exports go to the existing bucket"}, &rejected)
	expect(t, status, e, http.StatusOK, "")
	if rejected.State != "rejected" {
		t.Fatalf("reject: %+v", rejected)
	}

	var list service.ListChangesResponse
	status, e, _ = do(t, srv, "GET", "/v1/changes?state=rejected", bobToken, nil, &list)
	expect(t, status, e, http.StatusOK, "")
	if len(list.Changes) != 1 || list.Changes[0].ID != plan2.ChangeID {
		t.Fatalf("list rejected: %+v", list)
	}
	var got service.ChangeResponse
	status, e, _ = do(t, srv, "GET", "/v1/changes/"+id, bobToken, nil, &got)
	expect(t, status, e, http.StatusOK, "")
	if got.State != "approved" || got.Approval == nil || got.Approval.By != "bob" || got.Approval.Channel != "http" || got.LastDryRun == nil {
		t.Fatalf("get: state %s, approval %+v, last dry run %+v", got.State, got.Approval, got.LastDryRun)
	}
	var audit service.AuditResponse
	status, e, _ = do(t, srv, "GET", "/v1/audit?changeId="+id, bobToken, nil, &audit)
	expect(t, status, e, http.StatusOK, "")
	var events []string
	for _, r := range audit.Records {
		events = append(events, r.Event+":"+r.Actor)
	}
	if all := strings.Join(events, " "); !strings.Contains(all, "approve:bob") || !strings.Contains(all, "refuse:alice") {
		t.Fatalf("audit: %s", all)
	}
	var report struct {
		OK      bool  `json:"ok"`
		Records int64 `json:"records"`
	}
	status, e, _ = do(t, srv, "GET", "/v1/audit/verify", bobToken, nil, &report)
	expect(t, status, e, http.StatusOK, "")
	if !report.OK || report.Records < int64(len(audit.Records)) {
		t.Fatalf("verify: %+v", report)
	}
}

func TestChangesWithoutStore(t *testing.T) {
	t.Parallel()
	tokens, _ := ParseTokens("tokens", []byte(aliceToken), "alice")
	h, err := New(Options{Service: service.New(service.Options{}), Tokens: tokens})
	if err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, h)
	status, e, _ := do(t, srv, "GET", "/v1/changes", aliceToken, nil, nil)
	if status != http.StatusServiceUnavailable || e.Code != service.Unavailable {
		t.Fatalf("%d %+v", status, e)
	}
}

func TestNewRefusesWithoutTokens(t *testing.T) {
	t.Parallel()
	if _, err := New(Options{Service: service.New(service.Options{})}); err == nil {
		t.Fatal("New served without tokens")
	}
	if _, err := New(Options{Service: service.New(service.Options{}), Tokens: &Tokens{}}); err == nil {
		t.Fatal("New served with an empty token set")
	}
}
