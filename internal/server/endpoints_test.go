package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/internal/service"
)

// Seed 000's policies.
const (
	engifyLambdaExecution = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
      "Resource": "arn:aws:logs:*:*:*"
    },
    {
      "Effect": "Allow",
      "Action": ["secretsmanager:GetSecretValue"],
      "Resource": ["arn:aws:secretsmanager:*:*:secret:engify/*"]
    }
  ]
}`
	engifyS3UserUploads = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      "Resource": ["arn:aws:s3:::engify-ai-uploads/*"]
    },
    {
      "Effect": "Allow",
      "Action": ["s3:ListBucket"],
      "Resource": ["arn:aws:s3:::engify-ai-uploads"],
      "Condition": {"StringLike": {"s3:prefix": ["users/*", "public/*"]}}
    }
  ]
}`
)

func scenario(action, resource string) map[string]any {
	return map[string]any{"scenario": map[string]any{
		"request": map[string]any{
			"principal": "arn:aws:sts::123456789012:assumed-role/engify-lambda-execution-role/rag",
			"action":    action,
			"resource":  resource,
		},
		"identityPolicies": []any{map[string]any{"name": "Engify-Lambda-Execution", "document": json.RawMessage(engifyLambdaExecution)}},
	}}
}

const mongoSecret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf"

func TestPolicyEndpoints(t *testing.T) {
	t.Parallel()
	srv := newAPI(t, service.Options{})
	// The seed's own "Secrets Management" example, as code.
	uploadTS := `import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';

const client = new SecretsManagerClient({ region: 'us-east-1' });
const response = await client.send(
  new GetSecretValueCommand({ SecretId: 'synthcoreai/ses-credentials' })
);
`
	rdsTemplate := `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      StorageEncrypted: false
`
	for _, tc := range []struct {
		name, method, path string
		body               any
		check              func(t *testing.T, out map[string]any)
	}{
		{"lint clean", "POST", "/v1/lint", map[string]any{"name": "Engify-S3-UserUploads", "policy": engifyS3UserUploads}, func(t *testing.T, out map[string]any) {
			if out["passed"] != true {
				t.Errorf("passed %v; findings %v", out["passed"], out["findings"])
			}
		}},
		{"lint fails a statement without Effect", "POST", "/v1/lint", map[string]any{"name": "SynthCore-SES-SendOnly", "policy": "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Action\": \"ses:SendEmail\", \"Resource\": \"*\"}]\n}"}, func(t *testing.T, out map[string]any) {
			if out["passed"] != false || !strings.Contains(jsonText(out["findings"]), `"line":3`) {
				t.Errorf("passed %v; findings %v", out["passed"], out["findings"])
			}
		}},
		{"simulate allowed", "POST", "/v1/simulate", scenario("secretsmanager:GetSecretValue", mongoSecret), func(t *testing.T, out map[string]any) {
			if d := first(out["results"])["decision"]; d != "allowed" {
				t.Errorf("decision %v", d)
			}
		}},
		{"simulate denied", "POST", "/v1/simulate", scenario("secretsmanager:DescribeSecret", mongoSecret), func(t *testing.T, out map[string]any) {
			if d := first(out["results"])["decision"]; d != "implicitDeny" {
				t.Errorf("decision %v", d)
			}
		}},
		{"explain denied", "POST", "/v1/explain", scenario("secretsmanager:DescribeSecret", mongoSecret), func(t *testing.T, out map[string]any) {
			ex := first(out["explanations"])
			if ex["decision"] != "implicitDeny" || !strings.Contains(jsonText(ex["fixes"]), "secretsmanager:DescribeSecret") {
				t.Errorf("explanation %v", ex)
			}
		}},
		{"suggest", "POST", "/v1/suggest", map[string]any{"need": "send email with SES", "format": "terraform"}, func(t *testing.T, out map[string]any) {
			if !strings.HasPrefix(out["policyName"].(string), "SynthCore-SES-") || !strings.Contains(jsonText(out["document"]), "ses:SendEmail") || !strings.Contains(out["rendered"].(string), "aws_iam_policy") {
				t.Errorf("suggest: %v", out)
			}
		}},
		{"extend", "POST", "/v1/extend", map[string]any{
			"current": []any{map[string]any{"name": "Engify-S3-UserUploads", "policy": engifyS3UserUploads}},
			"actions": []string{"s3:PutObject", "s3:GetObject", "secretsmanager:GetSecretValue"}, "resources": []string{"arn:aws:s3:::engify-ai-uploads/users/a.pdf", "arn:aws:s3:::engify-ai-uploads/users/a.pdf", "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/sendgrid-api-key-*"},
		}, func(t *testing.T, out map[string]any) {
			allowed, missing := jsonText(out["alreadyAllowed"]), jsonText(out["missing"])
			if !strings.Contains(allowed, "s3:PutObject") || !strings.Contains(missing, "secretsmanager:GetSecretValue") || strings.Contains(jsonText(out["document"]), "s3:PutObject") {
				t.Errorf("already %s, missing %s, document %s", allowed, missing, jsonText(out["document"]))
			}
		}},
		{"from code", "POST", "/v1/from-code", map[string]any{"files": []any{map[string]any{"path": "src/secrets.ts", "content": uploadTS}}}, func(t *testing.T, out map[string]any) {
			if !strings.Contains(jsonText(out["document"]), "secretsmanager:GetSecretValue") || !strings.Contains(jsonText(out["evidence"]), "src/secrets.ts") {
				t.Errorf("from code: %v", out)
			}
		}},
		{"scan resources", "POST", "/v1/scan/resources", map[string]any{"files": []any{map[string]any{"path": "infra/db.yaml", "content": rdsTemplate}}}, func(t *testing.T, out map[string]any) {
			if !strings.Contains(jsonText(out["findings"]), "RDS_STORAGE_UNENCRYPTED") || out["resources"].(float64) != 1 {
				t.Errorf("scan: %v", out)
			}
		}},
		{"actions", "GET", "/v1/actions?pattern=secretsmanager:Get*&accessLevel=read", nil, func(t *testing.T, out map[string]any) {
			if !strings.Contains(jsonText(out["actions"]), `"action":"secretsmanager:GetSecretValue"`) || out["truncated"] != false {
				t.Errorf("actions: %v", out)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out map[string]any
			status, e, _ := do(t, srv, tc.method, tc.path, aliceToken, tc.body, &out)
			if e != nil || status != http.StatusOK {
				t.Fatalf("%d %+v", status, e)
			}
			tc.check(t, out)
		})
	}
}

// TestScanSecretsRedacts: a secret sent for scanning never comes back in
// full, anywhere in the response.
func TestScanSecretsRedacts(t *testing.T) {
	t.Parallel()
	srv := newAPI(t, service.Options{})
	// Built at run time so that this file holds no secret-shaped literal.
	sendgrid := "SG." + "_kv5ZJr3J1TWDtkwtDDb-x" + "." + "HKas1VOqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po-"
	env := "SENDGRID_API_KEY=" + sendgrid + "\n"
	var out map[string]any
	status, e, _ := do(t, srv, "POST", "/v1/scan/secrets", aliceToken, map[string]any{"files": []any{map[string]any{"path": ".env", "content": env}}}, &out)
	if e != nil || status != 200 {
		t.Fatalf("%d %+v", status, e)
	}
	text := jsonText(out)
	if !strings.Contains(text, `"code":"SENDGRID_API_KEY"`) || !strings.Contains(out["next"].(string), "rotate") {
		t.Fatalf("no SendGrid finding: %s", text)
	}
	for _, part := range []string{sendgrid, sendgrid[3:25], sendgrid[26:]} {
		if strings.Contains(text, part) {
			t.Fatalf("the response holds the secret (%q): %s", part, text)
		}
	}
}
