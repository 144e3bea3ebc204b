package service

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzRequests: any JSON request body decodes into the request types or
// fails cleanly, and the service answers or returns an *Error, never a
// panic; bad input positions stay inside the text.
func FuzzRequests(f *testing.F) {
	for _, s := range []string{
		`{"policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}}`,
		`{"policy": "Version: 2012-10-17\nStatement:\n  - Effect: Allow\n    Action: s3:*\n"}`,
		`{"policy": "{\n  \"Statement\": [\n}"}`,
		`{"scenario": {"request": {"principal": "arn:aws:iam::123456789012:user/a", "action": "s3:GetObject", "resource": "*"}}}`,
		`{"change": {"environment": "dev", "operation": "create", "resourceType": "AWS::S3::Bucket", "properties": {}}}`,
		`{"change": "environment: dev\noperation: delete\nresourceType: AWS::S3::Bucket\n"}`,
		`{"files": [{"path": "a.tf", "content": "resource \"aws_sqs_queue\" \"q\" {}"}]}`,
	} {
		f.Add([]byte(s))
	}
	s := New(Options{})
	ctx := WithCaller(context.Background(), Caller{Name: "alice", Via: ViaMCP})
	check := func(t *testing.T, err error) {
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("not an *Error: %T %v", err, err)
		}
		if e.Line < 0 || e.Column < 0 {
			t.Fatalf("negative position: %+v", e)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var lint LintRequest
		if json.Unmarshal(body, &lint) == nil {
			_, err := s.LintPolicy(ctx, lint)
			check(t, err)
		}
		var sim SimulateRequest
		if json.Unmarshal(body, &sim) == nil {
			_, err := s.Simulate(ctx, sim)
			check(t, err)
		}
		var plan PlanRequest
		if json.Unmarshal(body, &plan) == nil && len(plan.Change) > 0 {
			_, err := parseChange(Caller{Name: "alice"}, plan.Change, plan.File)
			check(t, err)
		}
		var scan ScanRequest
		if json.Unmarshal(body, &scan) == nil && len(scan.Files) > 0 {
			_, err := s.ScanResources(ctx, scan)
			check(t, err)
		}
	})
}
