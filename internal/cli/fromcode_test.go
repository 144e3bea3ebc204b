package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestFromCodeSeedSecret(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := runFromCode(context.Background(), fromCodeParams{dir: "../generate/testdata/code/ts/seed-secrets", configFile: synthCoreConfig(t), format: "json"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Document json.RawMessage `json:"document"`
		Evidence []struct {
			Action, File, Resource string
			Line                   int
		} `json:"evidence"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Evidence) != 1 || got.Evidence[0].Action != "secretsmanager:GetSecretValue" || got.Evidence[0].File != "secrets.ts" || got.Evidence[0].Line != 6 ||
		got.Evidence[0].Resource != "arn:aws:secretsmanager:us-east-1:*:secret:synthcoreai/ses-credentials-??????" {
		t.Errorf("evidence = %+v", got.Evidence)
	}
	if got.Warnings == nil {
		t.Error(`"warnings" must be a list, even empty`)
	}
}

func TestFromCodeText(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := runFromCode(context.Background(), fromCodeParams{dir: "../generate/testdata/code/python/client", configFile: synthCoreConfig(t), format: "text"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Evidence:", "app.py:13", "s3:PutObject", "Policy SynthCoreAI-S3-ReadWrite"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestFromCodeBadInput(t *testing.T) {
	t.Parallel()
	if _, _, code := execCLI(t, "from-code", "/nonexistent-dir"); code != 2 {
		t.Errorf("missing dir: exit %d, want 2", code)
	}
	if _, _, code := execCLI(t, "from-code", "fromcode_test.go"); code != 2 {
		t.Errorf("a file: exit %d, want 2", code)
	}
}
