package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
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

// Go inside a module that builds is read with its types: a call through
// a client held in a struct field (declared in another file) is found,
// and --no-types leaves it to the syntax path, which does not see it.
func TestFromCodeGoTypes(t *testing.T) {
	t.Parallel()
	run := func(noTypes bool) (evidence []string, warnings []string) {
		var out bytes.Buffer
		// A fresh machine's empty build cache takes about a minute.
		err := runFromCode(context.Background(), fromCodeParams{dir: "../generate/fromcode/testdata/typed", configFile: synthCoreConfig(t), format: "json", noTypes: noTypes,
			typesTimeout: 10 * time.Minute}, &out)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Evidence []struct {
				Action, File string
				Line         int
			} `json:"evidence"`
			Warnings []string `json:"warnings"`
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		for _, e := range got.Evidence {
			evidence = append(evidence, fmt.Sprintf("%s:%d %s", e.File, e.Line, e.Action))
		}
		return evidence, got.Warnings
	}
	typed, warnings := run(false)
	for _, w := range warnings {
		if strings.Contains(w, "Go types unavailable") {
			t.Skipf("the fixture module does not build here: %s", w)
		}
	}
	const viaField = "handler.go:7 iam:GetRole"
	if !slices.Contains(typed, viaField) || !slices.Contains(typed, "handler.go:17 sts:GetCallerIdentity") {
		t.Errorf("typed evidence %q lacks %s and handler.go:17's sts:GetCallerIdentity", typed, viaField)
	}
	if syntax, _ := run(true); slices.Contains(syntax, viaField) || !slices.Contains(syntax, "users.go:15 iam:ListUsers") {
		t.Errorf("--no-types evidence %q: want users.go:15 and not %s", syntax, viaField)
	}
}

// A module that does not build: the syntax path's calls and one warning.
func TestFromCodeGoTypesFallback(t *testing.T) {
	t.Parallel()
	stdout, _, code := execCLI(t, "from-code", "../generate/fromcode/testdata/broken", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stdout)
	}
	if !strings.Contains(stdout, `"line": 14`) || strings.Count(stdout, "go.mod:1: Go types unavailable") != 1 {
		t.Errorf("want broken.go:14's call and one go.mod warning:\n%s", stdout)
	}
	stdout, _, code = execCLI(t, "from-code", "../generate/fromcode/testdata/typed", "--format", "json", "--types-timeout", "1ns")
	if code != 0 || strings.Count(stdout, "go.mod:1: Go types unavailable, calls in this module read from the syntax only: go list took longer than 1ns") != 1 {
		t.Errorf("--types-timeout 1ns: exit %d, want one timeout warning:\n%s", code, stdout)
	}
}
