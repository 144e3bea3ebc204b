package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// synthCoreConfig writes seed 001's configuration: only the project name.
func synthCoreConfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "iamguard.yaml")
	writeFile(t, path, "project: SynthCoreAI\n")
	return path
}

// TestSuggestSeedExample is seed 001's workflow example, through the CLI.
func TestSuggestSeedExample(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := runSuggest(context.Background(), suggestParams{need: "I need to add file upload to S3", configFile: synthCoreConfig(t), format: "json"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		PolicyName  string          `json:"policyName"`
		Document    json.RawMessage `json:"document"`
		Explanation []string        `json:"explanation"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, got.Document); err != nil {
		t.Fatal(err)
	}
	if got.PolicyName != "SynthCoreAI-S3-FileUpload" {
		t.Errorf("policyName = %q", got.PolicyName)
	}
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::synthcoreai-*/*"}]}`
	if compact.String() != want {
		t.Errorf("document = %s\nwant %s", compact.String(), want)
	}
	if len(got.Explanation) == 0 || !strings.Contains(strings.Join(got.Explanation, "\n"), "Proof (evaluation engine): allows 2 of 2") {
		t.Errorf("explanation lacks the proof: %v", got.Explanation)
	}
}

func TestSuggestFormats(t *testing.T) {
	t.Parallel()
	cfg := synthCoreConfig(t)
	for format, want := range map[string]string{
		"text":           "Policy SynthCoreAI-S3-FileUpload",
		"terraform":      `resource "aws_iam_policy" "synthcoreai_s3_fileupload"`,
		"cloudformation": "Type: AWS::IAM::ManagedPolicy",
		"cli":            "--policy-arn arn:aws:iam::<ACCOUNT_ID>:policy/SynthCoreAI-S3-FileUpload",
	} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			if err := runSuggest(context.Background(), suggestParams{need: "file upload to S3", configFile: cfg, format: format}, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		})
	}
}

func TestSuggestBadInput(t *testing.T) {
	t.Parallel()
	cfg := synthCoreConfig(t)
	for name, args := range map[string][]string{
		"no need":      {"suggest"},
		"bad format":   {"suggest", "file upload", "--config", cfg, "--format", "xml"},
		"no match":     {"suggest", "xyzzy plugh", "--config", cfg},
		"bad --config": {"suggest", "file upload", "--config", "/nonexistent/iamguard.yaml"},
	} {
		if _, _, code := execCLI(t, args...); code != 2 {
			t.Errorf("%s: exit %d, want 2", name, code)
		}
	}
}
