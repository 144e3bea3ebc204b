package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

const extendTestdata = "../generate/testdata/extend/"

func TestExtendJSON(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := runExtend(context.Background(), extendParams{
		current: []string{extendTestdata + "SynthCoreAI-S3-ReadOnly.json"}, need: "I need to add file upload to S3",
		configFile: synthCoreConfig(t), format: "json"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		AlreadyAllowed []struct{ Action, Statement string } `json:"alreadyAllowed"`
		Missing        []struct{ Action string }            `json:"missing"`
		PolicyName     string                               `json:"policyName"`
		Document       json.RawMessage                      `json:"document"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.AlreadyAllowed) != 1 || got.AlreadyAllowed[0].Action != "s3:GetObject" ||
		got.AlreadyAllowed[0].Statement != extendTestdata+"SynthCoreAI-S3-ReadOnly.json:4:5" {
		t.Errorf("alreadyAllowed = %+v", got.AlreadyAllowed)
	}
	if len(got.Missing) != 1 || got.Missing[0].Action != "s3:PutObject" {
		t.Errorf("missing = %+v", got.Missing)
	}
	if got.PolicyName != "SynthCoreAI-S3-FileUpload" || !strings.Contains(string(got.Document), `"s3:PutObject"`) || strings.Contains(string(got.Document), "GetObject") {
		t.Errorf("policy %s %s: want the gap only", got.PolicyName, got.Document)
	}
}

func TestExtendNothingMissing(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := runExtend(context.Background(), extendParams{
		current: []string{extendTestdata}, actions: []string{"s3:GetObject"}, resources: []string{"arn:aws:s3:::synthcoreai-uploads/a.txt"},
		configFile: synthCoreConfig(t), format: "json"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"document": null`) || !strings.Contains(out.String(), `"policyName": null`) {
		t.Errorf("want a null document:\n%s", out.String())
	}
}

func TestExtendText(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := runExtend(context.Background(), extendParams{need: "send email", configFile: synthCoreConfig(t), format: "text"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Already allowed (0):", "Missing (2):", "Policy SynthCoreAI-SES-SendOnly"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestExtendBadInput(t *testing.T) {
	t.Parallel()
	cfg := synthCoreConfig(t)
	bad := t.TempDir() + "/bad.json"
	writeFile(t, bad, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n}")
	for name, args := range map[string][]string{
		"no need":          {"extend", "--config", cfg},
		"need and action":  {"extend", "--config", cfg, "--need", "x", "--action", "s3:GetObject"},
		"unpaired":         {"extend", "--config", cfg, "--action", "s3:GetObject", "--action", "s3:PutObject", "--resource", "arn:aws:s3:::b/*"},
		"unknown action":   {"extend", "--config", cfg, "--action", "s3:GetObjekt"},
		"missing current":  {"extend", "--config", cfg, "--need", "file upload", "--current", "/nonexistent.json"},
		"syntax error":     {"extend", "--config", cfg, "--need", "file upload", "--current", bad},
		"resource on need": {"extend", "--config", cfg, "--need", "file upload", "--resource", "arn:aws:s3:::b/*"},
	} {
		_, stderr, code := execCLI(t, args...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (%s)", name, code, stderr)
		}
		if name == "syntax error" && !strings.Contains(stderr, "bad.json:4:") {
			t.Errorf("syntax error must name file:line:col: %s", stderr)
		}
	}
}
