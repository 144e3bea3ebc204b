package mcpserver

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/internal/gate/store"
	"github.com/iamguard/iamguard/internal/server"
	"github.com/iamguard/iamguard/internal/service"
)

// The change seed 001's assistant would make: an uploads bucket for
// SynthCore at $25/month (so it needs an approval), first with a public
// ACL and without its CostCenter tag.
const badBucket = `{
  "environment": "dev",
  "operation": "create",
  "resourceType": "AWS::S3::Bucket",
  "monthlyCost": 25,
  "description": "user uploads for the RAG documents",
  "properties": {
    "BucketName": "synthcoreai-uploads",
    "AccessControl": "PublicRead",
    "Tags": [
      {"Key": "Project", "Value": "SynthCore"}
    ]
  }
}`

const fixedBucket = `{
  "environment": "dev",
  "operation": "create",
  "resourceType": "AWS::S3::Bucket",
  "monthlyCost": 25,
  "description": "user uploads for the RAG documents",
  "properties": {
    "BucketName": "synthcoreai-uploads",
    "BucketEncryption": {
      "ServerSideEncryptionConfiguration": [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}
      ]
    },
    "PublicAccessBlockConfiguration": {
      "BlockPublicAcls": true,
      "BlockPublicPolicy": true,
      "IgnorePublicAcls": true,
      "RestrictPublicBuckets": true
    },
    "Tags": [
      {"Key": "Project", "Value": "SynthCore"},
      {"Key": "CostCenter", "Value": "Engineering"}
    ]
  }
}`

// orgConfig is SynthCore's iamguard.yaml. A Cloud Control bucket cannot
// carry its bucket policy, so the TLS-only policy is its own change and the
// finding is suppressed with that reason.
const orgConfig = `project: SynthCore
suppressions:
  - code: S3_TLS_NOT_ENFORCED
    reason: the TLS-only bucket policy is planned as its own AWS::S3::BucketPolicy change
`

// gateServices are two servers over one store: one whose configuration
// names bob as an MCP approver, one that names no MCP approvers.
func gateServices(t *testing.T) (withApprovers, without *service.Service, st store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "gate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	named, err := config.Parse("iamguard.yaml", []byte(orgConfig+"approvals:\n  mcpApprovers: [bob]\n"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := config.Parse("iamguard.yaml", []byte(orgConfig))
	if err != nil {
		t.Fatal(err)
	}
	return service.New(service.Options{Config: named, Store: st}), service.New(service.Options{Config: plain, Store: st}), st
}

// refusal asserts a tool error of a code and reason.
func refusal(t *testing.T, msg, code, reason string) {
	t.Helper()
	if msg == "" {
		t.Fatalf("the call succeeded; want %s (%s)", code, reason)
	}
	want := code
	if reason != "" {
		want += " (" + reason + ")"
	}
	if !strings.HasPrefix(msg, want+":") {
		t.Fatalf("tool error %q; want it to start with %q", msg, want)
	}
}

// workflow drives the whole gate through MCP sessions: alice is the
// requester (her assistant), bob an MCP approver, carol someone else.
// noApprovers is bob over a server whose configuration names no MCP
// approvers.
func workflow(t *testing.T, alice, bob, carol, noApprovers *mcp.ClientSession, st store.Store) {
	ctx := context.Background()

	// 1. Plan the bucket as first written: the scan fails.
	var plan service.PlanResponse
	if msg := call(t, alice, "plan_change", map[string]any{"change": badBucket}, &plan); msg != "" {
		t.Fatal(msg)
	}
	if plan.ScanStatus != "failed" || !plan.ApprovalRequired {
		t.Fatalf("first plan: scan %s, approval %v; want failed, true", plan.ScanStatus, plan.ApprovalRequired)
	}
	codes := map[string]bool{}
	for _, f := range plan.Findings {
		codes[f.Code] = true
		if f.Code == "REQUIRED_TAG_MISSING" && (!f.Blocking || f.Line == 0 || !strings.HasPrefix(f.Path, "properties.Tags")) {
			t.Errorf("REQUIRED_TAG_MISSING: %+v; want blocking at properties.Tags with a line", f)
		}
	}
	for _, want := range []string{"REQUIRED_TAG_MISSING", "S3_PUBLIC_ACL"} {
		if !codes[want] {
			t.Errorf("first plan findings %v lack %s", codes, want)
		}
	}
	if !strings.Contains(plan.Next, "fix") {
		t.Errorf("next %q does not say to fix", plan.Next)
	}

	// Skipping the scan: apply without any token, then with the failed
	// plan's token; both refused.
	msg := call(t, alice, "apply_change", map[string]any{"change": badBucket}, nil)
	refusal(t, msg, "REFUSED", "TOKEN_INVALID")
	msg = call(t, alice, "apply_change", map[string]any{"change": badBucket, "token": plan.Token}, nil)
	refusal(t, msg, "REFUSED", "APPROVAL_REQUIRED")

	// 2. Fix and plan again: the scan passes; $25 ≥ $10 needs approval.
	if msg := call(t, alice, "plan_change", map[string]any{"change": fixedBucket}, &plan); msg != "" {
		t.Fatal(msg)
	}
	if plan.ScanStatus != "passed" || !plan.ApprovalRequired || plan.Rule.Name != "create-10-or-more" {
		t.Fatalf("second plan: scan %s, approval %v, rule %s; want passed, true, create-10-or-more (findings %+v)", plan.ScanStatus, plan.ApprovalRequired, plan.Rule.Name, plan.Findings)
	}
	if plan.Tags.Added["CreatedBy"] != "alice" || plan.Tags.Added["MANAGED_BY"] == "" {
		t.Errorf("tags added %v; want CreatedBy alice and MANAGED_BY", plan.Tags.Added)
	}
	id := plan.ChangeID

	// Applying before approval is refused.
	msg = call(t, alice, "apply_change", map[string]any{"change": fixedBucket, "token": plan.Token}, nil)
	refusal(t, msg, "REFUSED", "APPROVAL_REQUIRED")

	// 3. Request approval.
	var step service.StepResponse
	if msg := call(t, alice, "request_approval", map[string]any{"token": plan.Token, "note": "uploads for the RAG feature"}, &step); msg != "" {
		t.Fatal(msg)
	}
	if step.State != "requested" {
		t.Fatalf("after request: state %s", step.State)
	}

	// 4. Approval: refused for the requester, for anyone when the
	// configuration names no MCP approvers, and for carol, who is not
	// named; allowed for bob.
	msg = call(t, alice, "approve_change", map[string]any{"changeId": id}, nil)
	refusal(t, msg, "FORBIDDEN", "SELF_APPROVAL")
	msg = call(t, noApprovers, "approve_change", map[string]any{"changeId": id}, nil)
	refusal(t, msg, "FORBIDDEN", "NOT_APPROVER")
	msg = call(t, carol, "approve_change", map[string]any{"changeId": id}, nil)
	refusal(t, msg, "FORBIDDEN", "NOT_APPROVER")

	var change service.ChangeResponse
	if msg := call(t, bob, "get_change", map[string]any{"changeId": id}, &change); msg != "" {
		t.Fatal(msg)
	}
	if change.State != "requested" || change.Requester != "alice" {
		t.Fatalf("get_change: state %s, requester %s", change.State, change.Requester)
	}
	var approved service.StepResponse
	if msg := call(t, bob, "approve_change", map[string]any{"changeId": id, "contentHash": change.ContentHash[:16], "comment": "encrypted, private, tagged"}, &approved); msg != "" {
		t.Fatal(msg)
	}
	if approved.State != "approved" || approved.Token == "" {
		t.Fatalf("approval: %+v", approved)
	}

	// 5. Apply: the plan token is the wrong step now, a forged token and
	// swapped content are refused, a write on a read-only server too.
	msg = call(t, alice, "apply_change", map[string]any{"change": fixedBucket, "token": plan.Token}, nil)
	refusal(t, msg, "REFUSED", "TOKEN_WRONG_STEP")
	msg = call(t, alice, "apply_change", map[string]any{"change": fixedBucket, "token": forge(t, approved.Token)}, nil)
	refusal(t, msg, "REFUSED", "TOKEN_INVALID")
	swapped := strings.Replace(fixedBucket, `"BucketName": "synthcoreai-uploads"`, `"BucketName": "synthcoreai-uploads-public"`, 1)
	msg = call(t, alice, "apply_change", map[string]any{"change": swapped, "token": approved.Token}, nil)
	refusal(t, msg, "REFUSED", "TOKEN_WRONG_CONTENT")
	msg = call(t, alice, "apply_change", map[string]any{"change": fixedBucket, "token": approved.Token, "write": true}, nil)
	refusal(t, msg, "FORBIDDEN", "READ_ONLY")

	var applied service.ApplyResponse
	if msg := call(t, alice, "apply_change", map[string]any{"change": fixedBucket, "token": approved.Token}, &applied); msg != "" {
		t.Fatal(msg)
	}
	if !applied.DryRun || applied.Result == nil || len(applied.Result.Calls) == 0 {
		t.Fatalf("apply: %+v; want a dry run with calls", applied)
	}
	var apis []string
	for _, c := range applied.Result.Calls {
		apis = append(apis, c.API)
	}
	if !strings.Contains(strings.Join(apis, " "), "cloudcontrol:CreateResource") {
		t.Errorf("dry-run calls %v; want cloudcontrol:CreateResource", apis)
	}
	docs := ""
	for _, d := range applied.Documents {
		docs += d.Content
	}
	if !strings.Contains(docs, "synthcoreai-uploads") || !strings.Contains(docs, "aws:kms") {
		t.Errorf("dry-run documents %q do not hold the approved bucket", docs)
	}

	// The audit log holds every step and every refusal, and verifies.
	var events []string
	if err := st.Records(ctx, store.AuditQuery{ChangeID: id}, func(r store.Record) error {
		events = append(events, r.Event+":"+r.Actor)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(events, " ")
	for _, want := range []string{"plan:alice", "request:alice", "refuse:alice", "refuse:bob", "refuse:carol", "approve:bob", "dry-run:alice"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit of %s: %s; want %s", id, got, want)
		}
	}
	// A second change, rejected: by the requester refused, over a server
	// without MCP approvers refused, by bob done; it never applies.
	exports := strings.Replace(fixedBucket, "synthcoreai-uploads", "synthcoreai-exports", 1)
	var plan2 service.PlanResponse
	if msg := call(t, alice, "plan_change", map[string]any{"change": exports}, &plan2); msg != "" {
		t.Fatal(msg)
	}
	if msg := call(t, alice, "request_approval", map[string]any{"token": plan2.Token}, nil); msg != "" {
		t.Fatal(msg)
	}
	refusal(t, call(t, alice, "reject_change", map[string]any{"changeId": plan2.ChangeID, "reason": "mine"}, nil), "FORBIDDEN", "SELF_APPROVAL")
	refusal(t, call(t, noApprovers, "reject_change", map[string]any{"changeId": plan2.ChangeID}, nil), "FORBIDDEN", "NOT_APPROVER")
	var rejected service.StepResponse
	if msg := call(t, bob, "reject_change", map[string]any{"changeId": plan2.ChangeID, "reason": "exports go to the existing bucket"}, &rejected); msg != "" {
		t.Fatal(msg)
	}
	if rejected.State != "rejected" {
		t.Fatalf("reject: %+v", rejected)
	}
	refusal(t, call(t, alice, "apply_change", map[string]any{"change": exports, "token": plan2.Token}, nil), "CONFLICT", "WRONG_STATE")

	rep, err := store.Verify(ctx, st, "")
	if err != nil || !rep.OK {
		t.Fatalf("audit verify: %+v, %v", rep, err)
	}
}

// forge re-signs nothing: it swaps the payload's step for another and keeps
// the signature, as someone editing a token by hand would.
func forge(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	claims["e"] = claims["e"].(float64) + 86400*365
	edited, _ := json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(edited)
	return strings.Join(parts, ".")
}

func TestWorkflowInMemory(t *testing.T) {
	t.Parallel()
	named, plain, st := gateServices(t)
	workflow(t, connect(t, named, "alice"), connect(t, named, "bob"), connect(t, named, "carol"), connect(t, plain, "bob"), st)
}

// bearerTransport adds a bearer token to every request.
type bearerTransport struct{ token string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if b.token != "" {
		r.Header.Set("Authorization", "Bearer "+b.token)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// serveHTTP serves svc over streamable HTTP on 127.0.0.1 and returns its URL.
func serveHTTP(t *testing.T, svc *service.Service, tokens *server.Tokens) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- server.Serve(ctx, ln, HTTPHandler(svc, Options{Caller: "nobody"}, HTTPOptions{Tokens: tokens}), server.ServeOptions{WriteTimeout: -1})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func connectHTTP(t *testing.T, url, token string) (*mcp.ClientSession, error) {
	t.Helper()
	tr := &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: bearerTransport{token}}, MaxRetries: -1, DisableStandaloneSSE: true}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "test"}, nil).Connect(context.Background(), tr, nil)
	if err == nil {
		t.Cleanup(func() { cs.Close() })
	}
	return cs, err
}

const (
	aliceToken = "alice-token-0123456789abcdef"
	bobToken   = "bob-token-0123456789abcdef"
	carolToken = "carol-token-0123456789abcdef"
)

func testTokens(t *testing.T) *server.Tokens {
	t.Helper()
	tokens, err := server.ParseTokens("tokens", []byte("# callers\nalice "+aliceToken+"\nbob "+bobToken+"\ncarol "+carolToken+"\n"), "nobody")
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

func TestWorkflowStreamableHTTP(t *testing.T) {
	t.Parallel()
	named, plain, st := gateServices(t)
	tokens := testTokens(t)
	url, plainURL := serveHTTP(t, named, tokens), serveHTTP(t, plain, tokens)
	sessions := map[string]*mcp.ClientSession{}
	for name, c := range map[string]struct{ url, token string }{
		"alice": {url, aliceToken}, "bob": {url, bobToken}, "carol": {url, carolToken}, "plain-bob": {plainURL, bobToken},
	} {
		cs, err := connectHTTP(t, c.url, c.token)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sessions[name] = cs
	}
	workflow(t, sessions["alice"], sessions["bob"], sessions["carol"], sessions["plain-bob"], st)
}

func TestHTTPRefusesWithoutValidToken(t *testing.T) {
	t.Parallel()
	url := serveHTTP(t, service.New(service.Options{}), testTokens(t))
	for _, tc := range []struct{ name, token string }{
		{"missing", ""},
		{"wrong", "not-a-token-of-this-server"},
		{"prefix of a real one", aliceToken[:20]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := connectHTTP(t, url, tc.token); err == nil {
				t.Fatal("connected without a valid token")
			}
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d; want 401", resp.StatusCode)
			}
			if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
			}
			var body struct{ Error service.Error }
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error.Code != service.Unauthorized {
				t.Errorf("body: %+v, %v", body, err)
			}
		})
	}
}
