package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/finding"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestScanMixedGolden scans the mixed tree (CloudFormation, Terraform, a
// plan, a Cloud Control document, application code with a hardcoded key,
// env files) and compares the JSON and SARIF output with the goldens.
func TestScanMixedGolden(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"json", "sarif"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := runScan(context.Background(), scanParams{paths: []string{"testdata/mixed"}, format: format, workDir: "../.."}, &out)
			if !errors.Is(err, errExitFindings) {
				t.Fatalf("err = %v, want findings at or above error", err)
			}
			got := bytes.ReplaceAll(out.Bytes(), []byte(`"`+Version()+`"`), []byte(`"VERSION"`))
			golden := filepath.Join("..", "..", "testdata", "mixed", "golden", "scan."+format)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/cli -run TestScanMixedGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run with -update after checking the change):\n%s", golden, got)
			}
		})
	}
}

func TestScanMixedFindings(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	_ = runScan(context.Background(), scanParams{paths: []string{"testdata/mixed"}, format: "json", workDir: "../.."}, &out)
	var doc struct {
		Findings []finding.Finding `json:"findings"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	type key struct{ file, code string }
	got := map[key]finding.Finding{}
	for _, f := range doc.Findings {
		got[key{f.File, f.Code}] = f
		if strings.Contains(f.Message, "AKIAQ3EGRQKH5NWZ4TYB") {
			t.Errorf("secret printed in full: %s", f.Message)
		}
	}
	tests := []struct {
		name, file, code string
		line             int
		suppressed       bool
	}{
		{"hardcoded key in app code", "testdata/mixed/app/src/mailer.ts", "AWS_ACCESS_KEY_ID", 4, false},
		{"key in an env file", "testdata/mixed/app/.env", "AWS_ACCESS_KEY_ID", 2, false},
		{"cloudformation yaml tags", "testdata/mixed/cloudformation/engify.yaml", "TAG_VALUE_FORMAT", 25, false},
		{"cloudformation json security group", "testdata/mixed/cloudformation/network.json", "SG_OPEN_ADMIN_PORT", 9, false},
		{"policy inside a template is linted in place", "testdata/mixed/cloudformation/engify.yaml", "SERVICE_WILDCARD", 64, false},
		{"heredoc policy in terraform", "testdata/mixed/terraform/main.tf", "SERVICE_WILDCARD", 50, false},
		{"plan json", "testdata/mixed/plan/tfplan.json", "RDS_STORAGE_UNENCRYPTED", 16, false},
		{"cloud control document", "testdata/mixed/cloudcontrol/uploads-bucket.json", "S3_PUBLIC_ACL", 5, false},
		{"inline suppression with a reason", "testdata/mixed/cloudformation/engify.yaml", "IAM_USER_ACCESS_KEY", 77, true},
		{"suppression above a terraform resource", "testdata/mixed/terraform/main.tf", "SG_OPEN_ADMIN_PORT", 74, true},
		{"configured suppression", "testdata/mixed/cloudformation/engify.yaml", "LOG_GROUP_NOT_KMS", 37, true},
		{"directive without a reason does not suppress", "testdata/mixed/terraform/main.tf", "S3_PUBLIC_ACCESS_BLOCK_DISABLED", 24, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, ok := got[key{tt.file, tt.code}]
			if !ok {
				t.Fatalf("no %s in %s", tt.code, tt.file)
			}
			if f.Line != tt.line || (f.Suppressed != "") != tt.suppressed {
				t.Errorf("got line %d suppressed %q, want line %d suppressed %v", f.Line, f.Suppressed, tt.line, tt.suppressed)
			}
		})
	}
	for _, f := range doc.Findings {
		if strings.HasPrefix(f.File, "testdata/mixed/golden/") || strings.HasSuffix(f.File, "package.json") {
			t.Errorf("finding in an excluded or non-IaC file: %+v", f)
		}
	}
}

func TestScanMalformedStillScansTheRest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("broken.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A: [\n")
	write("bad.tf", "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n}\n")
	write("ok.yaml", "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
	var out bytes.Buffer
	err := runScan(context.Background(), scanParams{paths: []string{dir}, format: "json"}, &out)
	var ie *inputError
	if !errors.As(err, &ie) || exitCode(err) != exitInput {
		t.Fatalf("err = %v, want exit 2", err)
	}
	for _, want := range []string{"broken.yaml:3:", "bad.tf:2:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	for _, want := range []string{`"code": "SNS_UNENCRYPTED"`, `"code": "IAC_SYNTAX_ERROR"`, `"code": "JSON_SYNTAX_ERROR"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, out.String())
		}
	}
}

func TestScanFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"missing required tags fail at error", []string{"scan", "--fail-on", "error", "../../internal/scan/resource/testdata/SNS_UNENCRYPTED/good.yaml", "--config", "../../testdata/mixed/iamguard.yaml"}, exitFindings},
		{"suggestion threshold fails on a suggestion", []string{"scan", "--fail-on", "suggestion", "../../internal/scan/resource/testdata/LOG_GROUP_NOT_KMS/bad.yaml"}, exitFindings},
		{"bad fail-on", []string{"scan", "--fail-on", "fatal", "."}, exitInput},
		{"bad format", []string{"scan", "--format", "xml", "."}, exitInput},
		{"missing path", []string{"scan", "does-not-exist"}, exitInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, stderr, code := execCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.code, stderr)
			}
		})
	}
}

func TestScanCleanTemplateExitsZero(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tpl := `Resources:
  Alerts:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: alias/aws/sns
      Tags:
        - {Key: MANAGED_BY, Value: CCAPI-MCP-SERVER}
        - {Key: Environment, Value: development}
        - {Key: Project, Value: SynthCore}
        - {Key: CostCenter, Value: Engineering}
        - {Key: CreatedBy, Value: Claude Code}
        - {Key: CreatedDate, Value: "2025-11-02"}
`
	if err := os.WriteFile(filepath.Join(dir, "alerts.yaml"), []byte(tpl), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runScan(context.Background(), scanParams{paths: []string{dir}, format: "text"}, &out); err != nil {
		t.Fatalf("err = %v\n%s", err, out.String())
	}
}
