package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const lambdaScenario = "../../eval/testdata/scenarios/lambda-role.yaml"

func writeSimFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSimulate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lambda := "../../examples/engify/Engify-Lambda-Execution.json"
	session := "arn:aws:sts::123456789012:assumed-role/engify-lambda-execution-role/engify-rag"
	secret := "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf"
	bad := writeSimFile(t, dir, "bad.yaml", "request:\n  principal: arn:aws:iam::123456789012:user/alice\n  action: s3:GetObject\n  resources: '*'\n")
	notYAML := writeSimFile(t, dir, "broken.json", `{"request": `)
	scp := writeSimFile(t, dir, "deny-sm.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"secretsmanager:*","Resource":"*"}]}`)
	cases := []struct {
		name    string
		args    []string
		code    int
		out     []string
		errPart string
	}{
		{"scenario allowed", []string{"simulate", lambdaScenario}, 0, []string{"ALLOWED: secretsmanager:GetSecretValue", "lambda-role.yaml:19:11"}, ""},
		{"expect met", []string{"simulate", lambdaScenario, "--expect", "allowed"}, 0, []string{"ALLOWED"}, ""},
		{"expect contradicted", []string{"simulate", lambdaScenario, "--expect", "denied"}, 1, []string{"ALLOWED"}, ""},
		{"flag overrides scenario request", []string{"simulate", lambdaScenario, "--action", "secretsmanager:PutSecretValue"}, 1, []string{"DENIED (implicit)", "fix:"}, ""},
		{"flags only", []string{"simulate", "--policy", lambda, "--principal", session, "--action", "secretsmanager:GetSecretValue", "--resource", secret}, 0, []string{"ALLOWED", "Engify-Lambda-Execution"}, ""},
		{"flags deny describe", []string{"simulate", "--policy", lambda, "--principal", session, "--action", "secretsmanager:DescribeSecret", "--resource", secret}, 0, []string{"DENIED (implicit)", `"Action":"secretsmanager:DescribeSecret"`}, ""},
		{"scp level denies", []string{"simulate", "--policy", lambda, "--scp", scp, "--principal", session, "--action", "secretsmanager:GetSecretValue", "--resource", secret}, 0, []string{"DENIED (explicit)", "deny-sm.json:1:"}, ""},
		{"wildcard action", []string{"simulate", "--policy", lambda, "--principal", session, "--action", "secretsmanager:*Secret*", "--resource", secret, "--format", "json"}, 0, []string{`"decision": "allowed"`, `"decision": "implicitDeny"`}, ""},
		{"context flag", []string{"simulate", "--policy", lambda, "--principal", session, "--action", "secretsmanager:GetSecretValue", "--resource", secret, "--context", "aws:TagKeys=a,b", "--context", "aws:SourceIp=203.0.113.9"}, 0, []string{"ALLOWED"}, ""},
		{"missing flags", []string{"simulate", "--policy", lambda}, 2, nil, "--principal, --action, --resource"},
		{"bad principal flag", []string{"simulate", "--policy", lambda, "--principal", "alice", "--action", "s3:GetObject", "--resource", "*"}, 2, nil, "--principal:"},
		{"unknown scenario field", []string{"simulate", bad}, 2, nil, "bad.yaml:4:3: unknown request field \"resources\""},
		{"not json", []string{"simulate", notYAML}, 2, nil, "broken.json:1:"},
		{"bad format", []string{"simulate", lambdaScenario, "--format", "xml"}, 2, nil, "--format"},
		{"bad expect", []string{"simulate", lambdaScenario, "--expect", "maybe"}, 2, nil, "--expect"},
		{"bad context", []string{"simulate", lambdaScenario, "--context", "novalue"}, 2, nil, "--context"},
		{"missing file", []string{"simulate", filepath.Join(dir, "nope.yaml")}, 2, nil, "nope.yaml"},
		{"explain text", []string{"explain", lambdaScenario, "--action", "secretsmanager:PutSecretValue"}, 0, []string{"How AWS decided", "What to change", "✗ identityPolicies[0].document.Statement[1] Allow does not apply"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := execCLI(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tc.code, out, errOut)
			}
			for _, w := range tc.out {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if tc.errPart != "" && !strings.Contains(errOut, tc.errPart) {
				t.Errorf("stderr %q lacks %q", errOut, tc.errPart)
			}
		})
	}
}

func TestSimulateJSON(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := simulateParams{scenario: lambdaScenario, format: "json", action: "secretsmanager:PutSecretValue"}
	// The scenario expects "allowed", so the denial is also exit 1.
	if err := runSimulate(context.Background(), p, &out); !errors.Is(err, errExitFindings) {
		t.Fatalf("err %v, want errExitFindings", err)
	}
	var got struct {
		Decision string `json:"decision"`
		Missing  struct {
			PolicyType string `json:"policyType"`
		} `json:"missing"`
		Fixes []struct {
			Kind      string          `json:"kind"`
			Policy    string          `json:"policy"`
			Statement json.RawMessage `json:"statement"`
		} `json:"fixes"`
		Policies []struct {
			Statements []struct {
				Applied bool   `json:"applied"`
				Failed  string `json:"failed"`
			} `json:"statements"`
		} `json:"policies"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if got.Decision != "implicitDeny" || got.Missing.PolicyType != "identityPolicies" {
		t.Errorf("decision %q missing %q", got.Decision, got.Missing.PolicyType)
	}
	if len(got.Fixes) != 1 || got.Fixes[0].Kind != "addStatement" || got.Fixes[0].Policy != "Engify-Lambda-Execution" {
		t.Errorf("fixes %+v", got.Fixes)
	}
	if len(got.Policies) == 0 || got.Policies[0].Statements[1].Failed != "action" {
		t.Errorf("first policy's second statement should fail on its action: %+v", got.Policies)
	}
}

func TestSimulateBatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := `{"request":{"principal":"arn:aws:iam::123456789012:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::engify-ai-uploads/a"},"identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}]}`
	in := writeSimFile(t, dir, "in.jsonl", good+"\n{oops\n"+good+"\n")
	out, errOut, code := execCLI(t, "simulate", "--batch", in)
	if code != 2 {
		t.Fatalf("exit %d, want 2 (a bad line)", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `"decision":"allowed"`) || !strings.Contains(lines[1], `"line":2`) || !strings.Contains(lines[1], `"error"`) || !strings.Contains(lines[2], `"line":3`) {
		t.Errorf("batch output:\n%s", out)
	}
	if !strings.Contains(errOut, "1 of 3 scenarios") {
		t.Errorf("stderr %q", errOut)
	}
	ok := writeSimFile(t, dir, "ok.jsonl", good+"\n")
	if _, _, code := execCLI(t, "simulate", "--batch", ok); code != 0 {
		t.Errorf("clean batch exit %d", code)
	}
	if _, errOut, code := execCLI(t, "simulate", "--batch", ok, lambdaScenario); code != 2 || !strings.Contains(errOut, "--batch") {
		t.Errorf("batch with a scenario: exit %d %q", code, errOut)
	}
}

// TestExplainGolden pins the explain text for the seeds' troubleshooting
// cases (run with -update to rewrite).
func TestExplainGolden(t *testing.T) {
	t.Parallel()
	session := "arn:aws:sts::123456789012:assumed-role/engify-lambda-execution-role/engify-rag"
	cases := []struct {
		name string
		p    simulateParams
	}{
		{"region-mismatch", simulateParams{policies: []string{"testdata/simulate/us-east-1-only.json"}, principal: session,
			action: "secretsmanager:GetSecretValue", resource: "arn:aws:secretsmanager:us-east-2:123456789012:secret:engify/mongodb-uri-AbCdEf"}},
		{"missing-trust", simulateParams{principal: "lambda.amazonaws.com", action: "sts:AssumeRole", resource: "arn:aws:iam::123456789012:role/engify-lambda-execution-role"}},
		{"no-identity-policy", simulateParams{principal: session, action: "secretsmanager:GetSecretValue", resource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf"}},
		{"lambda-role", simulateParams{scenario: lambdaScenario}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.p.format = "text"
			var out bytes.Buffer
			if err := runExplain(context.Background(), tc.p, &out); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "simulate", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("explain output changed (go test -update to accept):\n%s", out.String())
			}
		})
	}
}
