package service

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/internal/gate/store"
)

// benchChanges are one-resource changes as an assistant plans them: the
// seed's uploads bucket and an IAM policy (linted in place).
func benchChanges() []struct{ name, change string } {
	return []struct{ name, change string }{{"s3-bucket", `{
  "environment": "dev", "operation": "create", "resourceType": "AWS::S3::Bucket", "monthlyCost": 25,
  "properties": {
    "BucketName": "synthcoreai-uploads",
    "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
    "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
    "Tags": [{"Key": "Project", "Value": "SynthCore"}, {"Key": "CostCenter", "Value": "Engineering"}]
  }
}`}, {"iam-policy", `{
  "environment": "dev", "operation": "create", "resourceType": "AWS::IAM::ManagedPolicy",
  "properties": {
    "ManagedPolicyName": "SynthCore-S3-FileUpload",
    "PolicyDocument": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "arn:aws:s3:::synthcoreai-*/*"}
    ]},
    "Tags": [{"Key": "Project", "Value": "SynthCore"}, {"Key": "CostCenter", "Value": "Engineering"}]
  }
}`}}
}

// BenchmarkPlanChange plans one resource through the service layer, as
// plan_change and POST /v1/changes/plan do: parse, tag, price, decide the
// rule, run the real scanner (resource rules, policy lint, secrets), and
// commit the change and its audit records to SQLite (WAL,
// synchronous=FULL) in a temporary directory. It reports the p50 and p99
// latency of one plan.
func BenchmarkPlanChange(b *testing.B) {
	for _, bc := range benchChanges() {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			st, err := store.OpenSQLite(ctx, filepath.Join(b.TempDir(), "gate.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			// A Cloud Control bucket cannot carry its bucket policy: the
			// TLS-only policy is its own change, as an organisation says.
			cfg, err := config.Parse("iamguard.yaml", []byte("project: SynthCore\nsuppressions:\n  - code: S3_TLS_NOT_ENFORCED\n    reason: the TLS-only bucket policy is its own change\n"))
			if err != nil {
				b.Fatal(err)
			}
			s := New(Options{Config: cfg, Store: st})
			ctx = WithCaller(ctx, Caller{Name: "alice", Via: ViaMCP})
			var req PlanRequest
			if err := json.Unmarshal([]byte(`{"change": `+bc.change+`}`), &req); err != nil {
				b.Fatal(err)
			}
			// Warm the catalog, the linter's caches and the store.
			if _, err := s.PlanChange(ctx, req); err != nil {
				b.Fatal(err)
			}
			durations := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				p, err := s.PlanChange(ctx, req)
				durations = append(durations, time.Since(start))
				if err != nil || p.ScanStatus != "passed" {
					b.Fatalf("%v %s %+v", err, p.ScanStatus, p.Findings)
				}
			}
			b.StopTimer()
			slices.Sort(durations)
			at := func(q float64) float64 {
				return float64(durations[min(len(durations)-1, int(q*float64(len(durations))))].Microseconds()) / 1000
			}
			b.ReportMetric(at(0.50), "p50-ms")
			b.ReportMetric(at(0.99), "p99-ms")
		})
	}
}
