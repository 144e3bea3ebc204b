package scan

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/iac"
	"github.com/iamguard/iamguard/node"
)

func TestInlineReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, line, code, reason string
		found                    bool
	}{
		{"yaml comment", "  Key: v # iamguard:ignore SNS_UNENCRYPTED public alerts only", "SNS_UNENCRYPTED", "public alerts only", true},
		{"several codes", "// iamguard:ignore A,SNS_UNENCRYPTED reviewed", "SNS_UNENCRYPTED", "reviewed", true},
		{"block comment closer dropped", "/* iamguard:ignore X ticket 7 */", "X", "ticket 7", true},
		{"no reason", "# iamguard:ignore X", "X", "", true},
		{"other code", "# iamguard:ignore Y because", "X", "", false},
		{"no directive", "resource \"x\" \"y\" {", "X", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reason, found := inlineReason([]byte(tt.line), tt.code)
			if reason != tt.reason || found != tt.found {
				t.Errorf("got %q %v, want %q %v", reason, found, tt.reason, tt.found)
			}
		})
	}
}

func TestScanExcludesAndSuppresses(t *testing.T) {
	t.Parallel()
	topic := "Resources:\n  Alerts: # iamguard:ignore SNS_UNENCRYPTED alerts carry no data (SEC-1)\n    Type: AWS::SNS::Topic\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false\n"
	fsys := fstest.MapFS{
		"stack.yaml":          {Data: []byte(topic)},
		"testdata/stack.yaml": {Data: []byte(topic)},
	}
	cfg := config.Default()
	cfg.Scan.Exclude = []string{"testdata/**"}
	cfg.Suppressions = []config.Suppression{{Code: "SQS_UNENCRYPTED", Policy: "Jobs", Reason: "queue holds public events"}}
	res, err := Scan(context.Background(), fsys, ".", Options{Config: cfg, NoSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Resources != 2 || res.Files != 1 {
		t.Errorf("resources %d files %d, want 2 and 1 (testdata excluded)", res.Resources, res.Files)
	}
	got := map[string]string{}
	for _, f := range res.Findings {
		if f.File != "stack.yaml" {
			t.Errorf("finding in an excluded file: %+v", f)
		}
		got[f.Code] = f.Suppressed
	}
	if got["SNS_UNENCRYPTED"] != "alerts carry no data (SEC-1)" || got["SQS_UNENCRYPTED"] != "queue holds public events" {
		t.Errorf("suppressions: %v", got)
	}
	if got["MISSING_REQUIRED_TAGS"] != "" {
		t.Error("unrelated finding suppressed")
	}
}

func TestScanLintsPoliciesInPlace(t *testing.T) {
	t.Parallel()
	tf := `resource "aws_iam_policy" "ses" {
  name = "SynthCoreAI-SES-SendOnly"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "ses:*"
      Resource = "*"
    }]
  })
}
`
	fsys := fstest.MapFS{"infra/iam.tf": {Data: []byte(tf)}}
	res, err := Scan(context.Background(), fsys, ".", Options{NoSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	var wildcard *finding.Finding
	for i, f := range res.Findings {
		if f.Code == "SERVICE_WILDCARD" {
			wildcard = &res.Findings[i]
		}
	}
	if wildcard == nil || wildcard.File != "infra/iam.tf" || wildcard.Line != 7 || wildcard.Policy != "SynthCoreAI-SES-SendOnly" {
		t.Fatalf("SERVICE_WILDCARD = %+v in %+v", wildcard, res.Findings)
	}
	if !strings.HasPrefix(wildcard.Path, "aws_iam_policy.ses.policy.Statement[0].Action") {
		t.Errorf("path = %q", wildcard.Path)
	}
}

func TestResourceForTheGate(t *testing.T) {
	t.Parallel()
	desired, err := node.ParseJSON("change.json", []byte(`{"BucketName": "synthcoreai-prod-uploads", "AccessControl": "PublicRead"}`))
	if err != nil {
		t.Fatal(err)
	}
	r := iac.FromCloudControl("AWS::S3::Bucket", desired, "change.json")
	var codes []string
	for _, f := range New(nil).Resource(&r) {
		codes = append(codes, f.Code)
	}
	for _, want := range []string{"S3_PUBLIC_ACL", "MISSING_REQUIRED_TAGS", "S3_TLS_NOT_ENFORCED"} {
		if !slices.Contains(codes, want) {
			t.Errorf("codes %v lack %s", codes, want)
		}
	}
}

func TestRulesCoverEveryResourceRule(t *testing.T) {
	t.Parallel()
	rules := Rules()
	codes := map[string]bool{}
	for _, r := range rules {
		codes[r.Code] = true
	}
	for _, c := range []string{"MISSING_REQUIRED_TAGS", "S3_PUBLIC_ACL", "IAC_SYNTAX_ERROR", "JSON_SYNTAX_ERROR", "SERVICE_WILDCARD"} {
		if !codes[c] {
			t.Errorf("Rules() lacks %s", c)
		}
	}
}
