package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type checkJSON struct {
	Findings []struct {
		Code     string `json:"code"`
		Severity string `json:"severity"`
		File     string `json:"file"`
		Line     int    `json:"line"`
		Column   int    `json:"column"`
		Message  string `json:"message"`
	} `json:"findings"`
	Summary struct {
		Total int `json:"total"`
	} `json:"summary"`
}

// TestCheckExamples is the quick start: what a reviewer would say about
// the seeds' files, at the right places, and nothing about the ones the
// seeds call correct.
func TestCheckExamples(t *testing.T) {
	t.Parallel()
	out, errOut, code := execCLI(t, "check", "../../examples", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the wrong/ examples have errors); stderr %s", code, errOut)
	}
	var doc checkJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	type at struct {
		code, file string
		line, col  int
	}
	got := map[at]bool{}
	byFile := map[string][]string{}
	for _, f := range doc.Findings {
		file := strings.TrimPrefix(f.File, "../../examples/")
		got[at{f.Code, file, f.Line, f.Column}] = true
		byFile[file] = append(byFile[file], f.Code)
	}
	want := []at{
		{"RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", "engify/Engify-APIGateway-InvokeLambda.json", 13, 28},
		{"RESOURCE_WILDCARD", "engify/Engify-Lambda-Execution.json", 11, 19},
		{"SERVICE_WILDCARD", "engify/Engify-SecretsManager-FullAccess.json", 6, 18},
		{"SERVICE_WILDCARD", "synthcoreai/wrong/SynthCoreAI-SES-SendOnly.json", 6, 17},
		{"NAME_ACCESS_MISMATCH", "synthcoreai/wrong/SynthCoreAI-SES-SendOnly.json", 6, 17},
		{"RDS_STORAGE_UNENCRYPTED", "synthcoreai/wrong/reports-db.yaml", 12, 25},
		{"SG_OPEN_ADMIN_PORT", "synthcoreai/wrong/reports-db.yaml", 28, 19},
		{"AWS_ACCESS_KEY_ID", "synthcoreai/wrong/ses-client.ts", 5, 28},
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("missing %s at %s:%d:%d; findings by file: %v", w.code, w.file, w.line, w.col, byFile)
		}
	}
	for _, clean := range []string{
		"synthcoreai/SynthCoreAI-SES-SendOnly.json",
		"synthcoreai/SynthCoreAI-S3-FileUpload.json",
		"synthcoreai/infra/uploads-bucket.yaml",
		"synthcoreai/app/send-email.ts",
		"engify/Engify-SecretsManager-ReadOnly.json",
		"engify/Engify-S3-UserUploads.json",
		"engify/engify-lambda-execution-role.trust.json",
	} {
		if len(byFile[clean]) > 0 {
			t.Errorf("%s should be clean, got %v", clean, byFile[clean])
		}
	}
	if strings.Contains(out, "q7Rk2mXv9LpZ4tYb8NcW1dHs6JfG3aUe5oPi0TyQ") || strings.Contains(out, "AKIA2OGYBAH6QNQZ7FMR") {
		t.Error("a secret was printed in full")
	}
}

// TestCheckBadInput: a file that is not JSON is reported with file:line:col
// and exit 2, as a JSON_SYNTAX_ERROR finding too, and the other files are
// still checked.
func TestCheckBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Team-SES-SendOnly.json"), `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:*", "Resource": "*"}]}`)
	writeFile(t, filepath.Join(dir, "broken-policy.json"), "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\",,}\n  ]\n}\n")
	out, errOut, code := execCLI(t, "check", dir, "--format", "json")
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr %s", code, errOut)
	}
	if !strings.Contains(errOut, "broken-policy.json:4:") {
		t.Errorf("stderr does not name file:line:col: %s", errOut)
	}
	var doc checkJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, out)
	}
	codes := map[string]int{}
	for _, f := range doc.Findings {
		codes[f.Code]++
	}
	if codes["JSON_SYNTAX_ERROR"] != 1 || codes["SERVICE_WILDCARD"] != 1 {
		t.Errorf("want one JSON_SYNTAX_ERROR and the other file's SERVICE_WILDCARD, got %v", codes)
	}
}

// TestCheckNestedConfigs: each directory with an iamguard.yaml is checked
// with its own rules (here, two projects' naming conventions).
func TestCheckNestedConfigs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q"}]}`
	for _, team := range []string{"Alpha", "Beta"} {
		sub := filepath.Join(dir, strings.ToLower(team))
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(sub, "iamguard.yaml"), "project: "+team+"\n")
		writeFile(t, filepath.Join(sub, team+"-SQS-SendOnly.json"), policy)
		writeFile(t, filepath.Join(sub, "Gamma-SQS-SendOnly.json"), policy)
	}
	out, errOut, code := execCLI(t, "check", dir, "--format", "json")
	if code == 2 {
		t.Fatalf("exit 2: %s", errOut)
	}
	var doc checkJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	naming := map[string]bool{}
	for _, f := range doc.Findings {
		if f.Code == "NAMING_CONVENTION" {
			naming[filepath.Base(filepath.Dir(f.File))+"/"+filepath.Base(f.File)] = true
		}
	}
	want := map[string]bool{"alpha/Gamma-SQS-SendOnly.json": true, "beta/Gamma-SQS-SendOnly.json": true}
	if len(naming) != 2 || !naming["alpha/Gamma-SQS-SendOnly.json"] || !naming["beta/Gamma-SQS-SendOnly.json"] {
		t.Errorf("NAMING_CONVENTION on %v, want %v", naming, want)
	}
}

func TestCheckSARIF(t *testing.T) {
	t.Parallel()
	out, _, code := execCLI(t, "check", "../../examples/engify", "--format", "sarif")
	if code != 1 {
		t.Fatalf("exit %d, want 1: scan.failOn defaults to security and the API Gateway permission pins no account", code)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) < 4 {
		t.Errorf("unexpected SARIF: %+v", log)
	}
}
