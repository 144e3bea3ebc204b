package generate

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/iamguard/iamguard/internal/generate/fromcode"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFromCodeFixtures runs from-code on every fixture under
// testdata/code/<language>/<case>/ and compares the JSON output with the
// case's expected.json (go test -update rewrites them).
func TestFromCodeFixtures(t *testing.T) {
	dirs, err := filepath.Glob("testdata/code/*/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.ToSlash(dir), func(t *testing.T) {
			t.Parallel()
			res, err := FromCode(context.Background(), os.DirFS(dir), ".", Options{Config: synthCore(t)}, fromcode.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Document != nil && !res.Proof.OK {
				t.Errorf("proof failed: %s", res.Proof.Summary())
			}
			golden(t, filepath.Join(dir, "expected.json"), marshal(t, res.JSON()))
		})
	}
}

// TestFromCodeSeedSecret is seed 001's "Secrets Management" snippet: the
// secret's literal name and the client's region become the ARN, with the
// six characters AWS appends to every secret name.
func TestFromCodeSeedSecret(t *testing.T) {
	t.Parallel()
	res, err := FromCode(context.Background(), os.DirFS("testdata/code/ts/seed-secrets"), ".", Options{Config: synthCore(t)}, fromcode.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Evidence{{Action: "secretsmanager:GetSecretValue", File: "secrets.ts", Line: 6,
		Resource: "arn:aws:secretsmanager:us-east-1:*:secret:synthcoreai/ses-credentials-??????", Call: "new GetSecretValueCommand"}}
	if !slices.Equal(res.Evidence, want) {
		t.Errorf("evidence = %+v\nwant %+v", res.Evidence, want)
	}
	doc, _ := json.Marshal(res.Document)
	if string(doc) != `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:GetSecretValue"],"Resource":"arn:aws:secretsmanager:us-east-1:*:secret:synthcoreai/ses-credentials-??????"}]}` {
		t.Errorf("document = %s", doc)
	}
	if res.Name != "SynthCoreAI-SecretsManager-ReadOnly" {
		t.Errorf("name = %s", res.Name)
	}
}
