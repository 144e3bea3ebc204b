package apply

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func jsonProps(t testing.TB, src string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

const fileUploadPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::synthcoreai-*/*"}]}`

// dryRunCases are seed-shaped changes, one per kind of call plan.
func dryRunCases(t testing.TB) []struct {
	name string
	req  Request
} {
	dev := Request{ChangeID: "chg-0123456789ab", ContentHash: strings.Repeat("5e", 32), Environment: "dev", Account: "111111111111", Region: "us-east-1", Profile: "aws-dev"}
	with := func(op, typ, id, p string) Request {
		r := dev
		r.Operation, r.ResourceType, r.Identifier = op, typ, id
		if p != "" {
			r.Properties = jsonProps(t, p)
		}
		return r
	}
	noAccount := with("create", "AWS::IAM::ManagedPolicy", "", `{"ManagedPolicyName":"SynthCoreAI-S3-FileUpload","PolicyDocument":`+fileUploadPolicy+`,"Roles":["synthcoreai-app"]}`)
	noAccount.Account, noAccount.Profile = "", ""
	return []struct {
		name string
		req  Request
	}{
		{"managed-policy", with("create", "AWS::IAM::ManagedPolicy", "", `{"ManagedPolicyName":"SynthCoreAI-S3-FileUpload","Path":"/synthcore/","Description":"upload files (seed 001)","PolicyDocument":`+fileUploadPolicy+`,"Roles":["synthcoreai-app"],"Users":["ci"],"Tags":[{"Key":"Environment","Value":"development"},{"Key":"CostCenter","Value":"Engineering"}]}`)},
		{"managed-policy-no-account", noAccount},
		{"role", with("create", "AWS::IAM::Role", "", `{"RoleName":"engify-lambda","AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]},"MaxSessionDuration":3600,"Policies":[{"PolicyName":"Engify-Lambda-Execution","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:*:*:*"}]}}],"ManagedPolicyArns":["arn:aws:iam::111111111111:policy/Engify-SecretsManager-ReadOnly"],"Tags":[{"Key":"Project","Value":"Engify"}]}`)},
		{"role-policy", with("create", "AWS::IAM::RolePolicy", "", `{"RoleName":"engify-lambda","PolicyName":"Engify-SecretsManager-ReadOnly","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":["arn:aws:secretsmanager:*:*:secret:engify/*"]}]}}`)},
		{"inline-policy", with("create", "AWS::IAM::Policy", "", `{"PolicyName":"Engify-S3-Uploads","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::engify-uploads/*"}]},"Roles":["engify-api"],"Groups":["developers"]}`)},
		{"cloudcontrol-create", with("create", "AWS::SQS::Queue", "", `{"QueueName":"synthcoreai-jobs","VisibilityTimeout":60,"Tags":[{"Key":"Environment","Value":"development"}]}`)},
		{"cloudcontrol-update", with("update", "AWS::SQS::Queue", "https://sqs.us-east-1.amazonaws.com/111111111111/synthcoreai-jobs", `{"VisibilityTimeout":120,"Weird/Key~":"x"}`)},
		{"cloudcontrol-delete", with("delete", "AWS::SQS::Queue", "https://sqs.us-east-1.amazonaws.com/111111111111/synthcoreai-jobs", "")},
		{"cloudcontrol-read", with("read", "AWS::IAM::Role", "engify-lambda", "")},
	}
}

// TestDryRunGolden checks the exact command lines and documents.
func TestDryRunGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range dryRunCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			res, err := DryRun{Dir: dir}.Apply(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if !res.DryRun {
				t.Error("result not marked as a dry run")
			}
			var b strings.Builder
			for _, c := range res.Calls {
				b.WriteString("# " + c.API + "\n" + c.CLI + "\n")
			}
			for _, c := range res.Calls {
				for _, f := range c.Files {
					onDisk, err := os.ReadFile(f.Path)
					if err != nil {
						t.Fatalf("%s was not written: %v", f.Path, err)
					}
					if string(onDisk) != string(f.Content) {
						t.Errorf("%s on disk differs from the result", f.Path)
					}
					var v any
					if err := json.Unmarshal(onDisk, &v); err != nil {
						t.Errorf("%s is not JSON: %v", f.Path, err)
					}
					b.WriteString("\n--- " + filepath.Base(f.Path) + "\n" + string(onDisk))
				}
			}
			got := strings.ReplaceAll(b.String(), dir, "DIR")
			golden := filepath.Join("testdata", "golden", tc.name+".txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("dry run differs from %s:\n%s", golden, got)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	base := Request{ChangeID: "c", Environment: "dev"}
	cases := []struct {
		name, op, typ, id, props, want string
	}{
		{"policy without document", "create", "AWS::IAM::ManagedPolicy", "", `{"ManagedPolicyName":"x"}`, "PolicyDocument is required"},
		{"names differ", "create", "AWS::IAM::ManagedPolicy", "", `{"ManagedPolicyName":"x","PolicyName":"y","PolicyDocument":{}}`, "differ"},
		{"role without name", "create", "AWS::IAM::Role", "", `{"AssumeRolePolicyDocument":{}}`, "RoleName is required"},
		{"role session too long", "create", "AWS::IAM::Role", "", `{"RoleName":"r","AssumeRolePolicyDocument":{},"MaxSessionDuration":99999}`, "MaxSessionDuration"},
		{"inline policy without attachments", "create", "AWS::IAM::Policy", "", `{"PolicyName":"p","PolicyDocument":{}}`, "Roles, Users or Groups"},
		{"roles not a list", "create", "AWS::IAM::ManagedPolicy", "", `{"ManagedPolicyName":"x","PolicyDocument":{},"Roles":"r"}`, "Roles must be a list"},
		{"inline policy entry", "create", "AWS::IAM::Role", "", `{"RoleName":"r","AssumeRolePolicyDocument":{},"Policies":[{"PolicyName":"p"}]}`, "Policies[0].PolicyDocument is required"},
		{"update without id", "update", "AWS::SQS::Queue", "", `{"A":1}`, "identifier"},
		{"ok: document as a JSON string", "create", "AWS::IAM::ManagedPolicy", "", `{"ManagedPolicyName":"x","PolicyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[]}"}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := base
			r.Operation, r.ResourceType, r.Identifier, r.Properties = tc.op, tc.typ, tc.id, jsonProps(t, tc.props)
			err := Validate(r)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want …%s…", err, tc.want)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"simple":             "simple",
		"arn:aws:iam::1:x":   "arn:aws:iam::1:x",
		"has space":          "'has space'",
		"it's":               `'it'\''s'`,
		`"$(rm -rf /)"`:      `'"$(rm -rf /)"'`,
		"":                   "''",
		`[{"Key":"a"}]`:      `'[{"Key":"a"}]'`,
		"file:///tmp/a.json": "file:///tmp/a.json",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"arn:aws:iam::${ACCOUNT_ID}:policy/p":    `"arn:aws:iam::${ACCOUNT_ID}:policy/p"`,
		"arn:aws:iam::${ACCOUNT_ID}:policy/$(x)": `"arn:aws:iam::${ACCOUNT_ID}:policy/\$(x)"`,
		"a\"b`c`":                                "\"a\\\"b\\`c\\`\"",
	} {
		if got := expandQuote(in); got != want {
			t.Errorf("expandQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
