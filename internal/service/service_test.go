package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/eval"
	"github.com/iamguard/iamguard/internal/gate"
	"github.com/iamguard/iamguard/internal/gate/store"
	"github.com/iamguard/iamguard/node"
)

func TestDocument(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want string
	}{
		{"string of JSON", `"{\"Version\": \"2012-10-17\"}"`, `{"Version": "2012-10-17"}`},
		{"string of YAML", `"Version: 2012-10-17\n"`, "Version: 2012-10-17\n"},
		{"object is indented", `{"Version":"2012-10-17","Statement":[]}`, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}\n"},
		{"null is empty", `null`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var d Document
			if err := json.Unmarshal([]byte(tc.in), &d); err != nil {
				t.Fatal(err)
			}
			if string(d) != tc.want {
				t.Fatalf("got %q; want %q", d, tc.want)
			}
			// It round-trips through its JSON form.
			b, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			var again Document
			if err := json.Unmarshal(b, &again); err != nil || string(again) != string(d) {
				t.Fatalf("round trip %q → %q (%v)", d, again, err)
			}
		})
	}
}

func TestCheckFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		paths []string
		ok    bool
	}{
		{"relative", []string{"infra/bucket.yaml", "./src/app.ts"}, true},
		{"absolute", []string{"/etc/passwd"}, false},
		{"parent", []string{"../secrets.env"}, false},
		{"inner parent", []string{"a/../../b"}, false},
		{"backslash", []string{`infra\bucket.yaml`}, false},
		{"not clean", []string{"a//b"}, false},
		{"empty", []string{""}, false},
		{"duplicate", []string{"a.tf", "./a.tf"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var files []File
			for _, p := range tc.paths {
				files = append(files, File{Path: p})
			}
			err := checkFiles(files, 10)
			if (err == nil) != tc.ok {
				t.Fatalf("checkFiles(%v) = %v; want ok=%v", tc.paths, err, tc.ok)
			}
		})
	}
	if err := checkFiles(make([]File, 11), 10); err == nil || !strings.Contains(err.Error(), "at most 10") {
		t.Fatalf("11 files: %v", err)
	}
}

// TestRootConfinement: paths are read under --root only, symlinks that
// leave it included.
func TestRootConfinement(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, ".env"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
		t.Skip("no symlinks:", err)
	}
	if err := os.WriteFile(filepath.Join(root, "ok.tf"), []byte("# nothing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := New(Options{Root: root})
	ctx := context.Background()
	for _, p := range []string{"escape", "escape/.env", "../" + filepath.Base(outside)} {
		_, err := s.ScanSecrets(ctx, ScanRequest{Path: p})
		var e *Error
		if !errors.As(err, &e) || e.Code != Forbidden {
			t.Errorf("path %q: %v; want FORBIDDEN", p, err)
		}
	}
	if _, err := s.ScanSecrets(ctx, ScanRequest{Path: "ok.tf"}); err != nil {
		t.Errorf("ok.tf: %v", err)
	}
	if _, err := s.ScanSecrets(ctx, ScanRequest{Path: "ok.tf", Files: []File{{Path: "a", Content: "b"}}}); err == nil {
		t.Error("path and files together were accepted")
	}
}

func TestAsError(t *testing.T) {
	t.Parallel()
	pos := node.Pos{File: "p.json", Line: 3, Column: 7}
	for _, tc := range []struct {
		name        string
		err         error
		code        Code
		reason      string
		line, col   int
		wantMessage string
	}{
		{"syntax", &node.SyntaxError{Pos: pos, Msg: "unexpected"}, BadInput, "", 3, 7, "p.json:3:7: unexpected"},
		{"eval list", eval.ErrorList{{Pos: pos, Path: "request.action", Msg: "bad"}, {Pos: node.Pos{File: "p.json", Line: 9, Column: 1}, Msg: "worse"}}, BadInput, "", 3, 7, "worse"},
		{"gate input", &gate.InputError{Pos: pos, Msg: "bad env"}, BadInput, "", 3, 7, "bad env"},
		{"self approval", &gate.Refusal{Code: gate.RefusedSelfApproval, Step: gate.StepApprove, Message: "no"}, Forbidden, "SELF_APPROVAL", 0, 0, "no"},
		{"wrong state", &gate.Refusal{Code: gate.RefusedWrongState, Step: gate.StepApprove, Message: "no"}, Conflict, "WRONG_STATE", 0, 0, "no"},
		{"forged", &gate.Refusal{Code: gate.RefusedTokenInvalid, Step: gate.StepApply, Message: "no"}, Refused, "TOKEN_INVALID", 0, 0, "no"},
		{"not found", fmt.Errorf("change x: %w", store.ErrNotFound), NotFound, "", 0, 0, "not found"},
		{"cancelled", context.Canceled, Unavailable, "", 0, 0, "cancelled"},
		{"other", errors.New("disk full"), Internal, "", 0, 0, "disk full"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := gateError(tc.err)
			if e.Code != tc.code || e.Reason != tc.reason || e.Line != tc.line || e.Column != tc.col || !strings.Contains(e.Message, tc.wantMessage) {
				t.Fatalf("got %+v; want %s %s %d:%d %q", e, tc.code, tc.reason, tc.line, tc.col, tc.wantMessage)
			}
			if status := e.Code.HTTPStatus(); status < 400 || status > 599 {
				t.Fatalf("status %d", status)
			}
		})
	}
}

func TestChangePath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"DesiredState":                             "properties",
		"DesiredState.BucketEncryption":            "properties.BucketEncryption",
		"DesiredState.PolicyDocument.Statement[0]": "properties.PolicyDocument.Statement[0]",
		"Statement[0].Action":                      "Statement[0].Action",
	} {
		if got := changePath(in); got != want {
			t.Errorf("changePath(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestChangeScannerPositions: findings on an IAM policy change point at
// the line of the change document where the bad value is written, and the
// tags the gate injected do not count as missing.
func TestChangeScannerPositions(t *testing.T) {
	t.Parallel()
	doc := `{
  "environment": "dev",
  "operation": "create",
  "resourceType": "AWS::IAM::ManagedPolicy",
  "properties": {
    "ManagedPolicyName": "SynthCore-S3-FileUpload",
    "PolicyDocument": {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
      ]
    }
  }
}`
	c, err := gate.ParseChange("change.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	c.Properties["Tags"] = []any{map[string]any{"Key": "MANAGED_BY", "Value": "iamguard"}}
	fs, err := changeScanner{New(Options{})}.ScanChange(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range fs {
		if f.Code == "MISSING_REQUIRED_TAGS" {
			t.Errorf("the gate's tag check is reported twice: %+v", f)
		}
		if f.Code == "SERVICE_WILDCARD" {
			found = true
			if f.Line != 10 || f.File != "change.json" || !strings.HasPrefix(f.Path, "properties.PolicyDocument.Statement[0].Action") {
				t.Errorf("SERVICE_WILDCARD at %s:%d path %s; want change.json:10 under properties.PolicyDocument", f.File, f.Line, f.Path)
			}
		}
	}
	if !found {
		t.Fatalf("no SERVICE_WILDCARD in %+v", fs)
	}
}

// TestChangeScannerSecrets: a secret written into a change's properties
// is found at its line, and shown redacted.
func TestChangeScannerSecrets(t *testing.T) {
	t.Parallel()
	// Built at run time so that this file holds no secret-shaped literal.
	key := "SG." + "_kv5ZJr3J1TWDtkwtDDb-x" + "." + "HKas1VOqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po-"
	doc := `{
  "environment": "dev",
  "operation": "create",
  "resourceType": "AWS::Lambda::Function",
  "properties": {
    "FunctionName": "engify-rag",
    "Environment": {"Variables": {
      "SENDGRID_API_KEY": "` + key + `"
    }}
  }
}`
	c, err := gate.ParseChange("change.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := changeScanner{New(Options{})}.ScanChange(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Code != "SENDGRID_API_KEY" {
			continue
		}
		if f.Line != 8 || f.Path != "properties.Environment.Variables.SENDGRID_API_KEY" {
			t.Errorf("at %d %s; want line 8, properties.Environment.Variables.SENDGRID_API_KEY", f.Line, f.Path)
		}
		if strings.Contains(f.Message, key[3:25]) {
			t.Errorf("message shows the secret: %s", f.Message)
		}
		return
	}
	t.Fatalf("no SENDGRID_API_KEY in %+v", fs)
}

// TestChangeScannerCompanionRule: a bucket created on its own cannot carry
// its TLS-only bucket policy (that is an AWS::S3::BucketPolicy change), so
// the reminder is a warning that does not block the plan, while a public
// ACL on the same bucket still is a security finding.
func TestChangeScannerCompanionRule(t *testing.T) {
	t.Parallel()
	doc := `{
  "environment": "dev",
  "operation": "create",
  "resourceType": "AWS::S3::Bucket",
  "properties": {
    "BucketName": "synthcoreai-uploads",
    "AccessControl": "PublicRead",
    "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}
  }
}`
	c, err := gate.ParseChange("change.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := changeScanner{New(Options{})}.ScanChange(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	severity := map[string]string{}
	for _, f := range fs {
		severity[f.Code] = string(f.Severity)
	}
	if severity["S3_TLS_NOT_ENFORCED"] != "warning" {
		t.Errorf("S3_TLS_NOT_ENFORCED severity %q, want warning in a single-resource change (all: %v)", severity["S3_TLS_NOT_ENFORCED"], severity)
	}
	if severity["S3_PUBLIC_ACL"] != "security" {
		t.Errorf("S3_PUBLIC_ACL severity %q, want security (all: %v)", severity["S3_PUBLIC_ACL"], severity)
	}
}
