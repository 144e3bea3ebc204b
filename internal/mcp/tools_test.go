package mcpserver

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/iamguard/iamguard/internal/service"
)

// Seed 000's Lambda execution policy.
const engifyLambdaExecution = `{
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

func lambdaScenario(action, resource string) map[string]any {
	return map[string]any{
		"request": map[string]any{
			"principal": "arn:aws:sts::123456789012:assumed-role/engify-lambda-execution-role/rag",
			"action":    action,
			"resource":  resource,
		},
		"identityPolicies": []any{map[string]any{"name": "Engify-Lambda-Execution", "document": json.RawMessage(engifyLambdaExecution)}},
	}
}

// TestToolsListed: every tool is listed with a description an assistant
// can act on, an input schema, an output schema, and truthful annotations.
func TestToolsListed(t *testing.T) {
	t.Parallel()
	for _, allowWrite := range []bool{false, true} {
		cs := connect(t, service.New(service.Options{AllowWrite: allowWrite}), "alice")
		tools := map[string]*mcp.Tool{}
		for tool, err := range cs.Tools(context.Background(), nil) {
			if err != nil {
				t.Fatal(err)
			}
			tools[tool.Name] = tool
		}
		readOnly := []string{"lint_policy", "simulate_access", "explain_access_denied", "suggest_policy", "extend_policy", "policy_from_code", "scan_resources", "scan_secrets", "list_actions", "get_change"}
		writes := []string{"plan_change", "request_approval", "approve_change", "reject_change", "apply_change"}
		for _, name := range append(readOnly, writes...) {
			tool := tools[name]
			if tool == nil {
				t.Fatalf("tool %s is not listed", name)
			}
			if len(tool.Description) < 200 || tool.InputSchema == nil || tool.OutputSchema == nil || tool.Annotations == nil || tool.Annotations.Title == "" {
				t.Errorf("%s: description %d chars, schemas %v %v, annotations %+v", name, len(tool.Description), tool.InputSchema != nil, tool.OutputSchema != nil, tool.Annotations)
			}
			if tool.Annotations.OpenWorldHint == nil {
				t.Errorf("%s: openWorldHint unset (defaults to true)", name)
			}
		}
		for _, name := range readOnly {
			if a := tools[name].Annotations; !a.ReadOnlyHint || *a.OpenWorldHint {
				t.Errorf("%s: annotations %+v; want read-only, closed world", name, a)
			}
		}
		for _, name := range writes {
			a := tools[name].Annotations
			if a.ReadOnlyHint || a.IdempotentHint || a.DestructiveHint == nil {
				t.Errorf("%s: annotations %+v; it records in the audit log", name, a)
				continue
			}
			wantDestructive := name == "apply_change" && allowWrite
			if *a.DestructiveHint != wantDestructive || *a.OpenWorldHint != wantDestructive {
				t.Errorf("%s with allowWrite=%v: destructive %v, open world %v", name, allowWrite, *a.DestructiveHint, *a.OpenWorldHint)
			}
		}
		if len(tools) != len(readOnly)+len(writes) {
			t.Errorf("%d tools listed", len(tools))
		}
	}
}

func TestPolicyTools(t *testing.T) {
	t.Parallel()
	cs := connect(t, service.New(service.Options{}), "alice")
	const mongo = "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf"
	for _, tc := range []struct {
		tool  string
		args  map[string]any
		check func(t *testing.T, text string)
	}{
		{"simulate_access", map[string]any{"scenario": lambdaScenario("secretsmanager:GetSecretValue", mongo)}, func(t *testing.T, text string) {
			if !strings.Contains(text, `"decision":"allowed"`) {
				t.Error(text)
			}
		}},
		{"explain_access_denied", map[string]any{"scenario": lambdaScenario("secretsmanager:DescribeSecret", mongo)}, func(t *testing.T, text string) {
			if !strings.Contains(text, `"decision":"implicitDeny"`) || !strings.Contains(text, `"kind":"addStatement"`) {
				t.Error(text)
			}
		}},
		{"suggest_policy", map[string]any{"need": "send email with SES"}, func(t *testing.T, text string) {
			if !strings.Contains(text, "ses:SendEmail") || !strings.Contains(text, `"proof"`) {
				t.Error(text)
			}
		}},
		{"extend_policy", map[string]any{"current": []any{map[string]any{"name": "Engify-Lambda-Execution", "policy": engifyLambdaExecution}}, "need": "upload files to S3"}, func(t *testing.T, text string) {
			if !strings.Contains(text, "s3:PutObject") || !strings.Contains(text, `"missing":[{`) {
				t.Error(text)
			}
		}},
		{"policy_from_code", map[string]any{"files": []any{map[string]any{"path": "app/upload.py", "content": "import boto3\ns3 = boto3.client('s3')\ns3.put_object(Bucket='synthcoreai-uploads', Key='a.txt', Body=b'')\n"}}}, func(t *testing.T, text string) {
			if !strings.Contains(text, "s3:PutObject") || !strings.Contains(text, "app/upload.py") {
				t.Error(text)
			}
		}},
		{"scan_resources", map[string]any{"files": []any{map[string]any{"path": "queue.yaml", "content": "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: synthcoreai-jobs\n"}}}, func(t *testing.T, text string) {
			if !strings.Contains(text, "MISSING_REQUIRED_TAGS") || !strings.Contains(text, `"resources":1`) || !strings.Contains(text, `"line":2`) {
				t.Error(text)
			}
		}},
		{"list_actions", map[string]any{"pattern": "ses:Send*"}, func(t *testing.T, text string) {
			if !strings.Contains(text, `"action":"ses:SendEmail"`) {
				t.Error(text)
			}
		}},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			var out map[string]any
			if msg := call(t, cs, tc.tool, tc.args, &out); msg != "" {
				t.Fatal(msg)
			}
			b, _ := json.Marshal(out)
			tc.check(t, string(b))
		})
	}
}

// TestToolErrors: bad input is a tool result with isError and a message
// naming the code and the position, never a protocol error.
func TestToolErrors(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "main.tf"), []byte("resource \"aws_sqs_queue\" \"jobs\" {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cs := connect(t, service.New(service.Options{}), "alice")
	rooted := connect(t, service.New(service.Options{Root: root}), "alice")
	for _, tc := range []struct {
		name string
		cs   *mcp.ClientSession
		tool string
		args map[string]any
		want string
	}{
		{"policy not JSON", cs, "lint_policy", map[string]any{"policy": "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n}"}, "BAD_INPUT: policy.json:4:1:"},
		{"unknown kind", cs, "lint_policy", map[string]any{"policy": "{}", "kind": "admin"}, "BAD_INPUT: kind: unknown policy kind"},
		{"scenario field", cs, "simulate_access", map[string]any{"scenario": "request:\n  principal: arn:aws:iam::123456789012:user/a\n  acton: s3:GetObject\n"}, `scenario.yaml:3:3: unknown request field "acton"`},
		{"typo in action", cs, "list_actions", map[string]any{"pattern": "s3:GetObjekt"}, `did you mean "s3:GetObject"`},
		{"need matches nothing", cs, "suggest_policy", map[string]any{"need": "zzqx"}, "BAD_INPUT"},
		{"path without root", cs, "scan_resources", map[string]any{"path": "."}, "FORBIDDEN: this server reads no paths"},
		{"path outside root", rooted, "scan_resources", map[string]any{"path": "../etc"}, "FORBIDDEN: path \"../etc\" is outside"},
		{"absolute path", rooted, "scan_secrets", map[string]any{"path": "/etc/passwd"}, "FORBIDDEN"},
		{"missing path", rooted, "scan_secrets", map[string]any{"path": "nothing-here"}, "NOT_FOUND"},
		{"file path escapes", cs, "scan_secrets", map[string]any{"files": []any{map[string]any{"path": "../.env", "content": "x"}}}, "BAD_INPUT: files[0].path"},
		{"schema violation", cs, "list_actions", map[string]any{"pattern": 3}, "validating"},
		{"no store", cs, "plan_change", map[string]any{"change": "{}"}, "UNAVAILABLE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := call(t, tc.cs, tc.tool, tc.args, nil)
			if !strings.Contains(msg, tc.want) {
				t.Fatalf("tool error %q; want %q", msg, tc.want)
			}
		})
	}
	// A path under the root is read.
	var out service.ScanResourcesResponse
	if msg := call(t, rooted, "scan_resources", map[string]any{"path": "."}, &out); msg != "" || out.Resources != 1 {
		t.Fatalf("%s %+v", msg, out)
	}
}

// TestScanSecretsRedacted: a secret sent to scan_secrets never comes back
// in full, in the structured result or the text.
func TestScanSecretsRedacted(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	cs := connectOpts(t, service.New(service.Options{}), Options{Caller: "alice", Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	// Built at run time so that this file holds no secret-shaped literal.
	token := "eff9243a8f50" + "6b40928b5b7a767c76fb"
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "scan_secrets", Arguments: map[string]any{
		"files": []any{map[string]any{"path": "config/twilio.ts", "content": "export const TWILIO_AUTH_TOKEN = '" + token + "';\n"}},
	}})
	if err != nil || res.IsError {
		t.Fatalf("%v %+v", err, res)
	}
	all, _ := json.Marshal(res)
	if !strings.Contains(string(all), "TWILIO_AUTH_TOKEN") {
		t.Fatalf("no finding: %s", all)
	}
	if strings.Contains(string(all), token) || strings.Contains(string(all), token[4:16]) {
		t.Fatalf("the result holds the secret: %s", all)
	}
	log := logs.String()
	if !strings.Contains(log, "tool=scan_secrets caller=alice") || strings.Contains(log, token[4:16]) {
		t.Fatalf("log: %s", log)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
