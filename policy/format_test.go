package policy_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from the current output")

// TestFormatGolden formats every testdata/fmt/*.input and compares with its
// .golden twin, then checks that formatting the output changes nothing.
func TestFormatGolden(t *testing.T) {
	t.Parallel()
	inputs, err := filepath.Glob("testdata/fmt/*.input")
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".input")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			p, err := policy.Parse(in, data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := policy.Format(p)
			if err != nil {
				t.Fatalf("Format: %v", err)
			}
			golden := strings.TrimSuffix(in, ".input") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./policy -run TestFormatGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Format(%s) differs from %s:\n%s", in, golden, got)
			}
			assertIdempotent(t, got)
		})
	}
}

// assertIdempotent checks that formatted output formats to itself and
// decodes to the same model as the document it came from.
func assertIdempotent(t *testing.T, formatted []byte) {
	t.Helper()
	p, err := policy.Parse("formatted.json", formatted)
	if err != nil {
		t.Fatalf("formatted output does not parse: %v\n%s", err, formatted)
	}
	again, err := policy.Format(p)
	if err != nil {
		t.Fatalf("formatted output does not format: %v", err)
	}
	if !bytes.Equal(again, formatted) {
		t.Errorf("Format is not idempotent:\nfirst:\n%s\nsecond:\n%s", formatted, again)
	}
}

func TestFormatRefusesWhatItCannotRepresent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, in, want string
	}{
		{"duplicate key", "p.json", `{"Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}]}`, `duplicate key "Effect"`},
		{"unknown element", "p.json", `{"Statement": [{"Effect": "Allow", "Actions": "*", "Resource": "*"}]}`, `unknown statement element "Actions"`},
		{"wrong type", "p.json", `{"Version": 2012, "Statement": []}`, "Version must be a string"},
		{"not an object", "p.json", `[]`, "must be a JSON object"},
		{"YAML-only number", "p.yaml", "Statement:\n  - Effect: Allow\n    Action: '*'\n    Resource: '*'\n    Condition: {NumericEquals: {s3:max-keys: 0x1F}}\n", `number "0x1F"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := policy.Parse(tt.file, []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			out, err := policy.Format(p)
			if err == nil {
				t.Fatalf("Format succeeded:\n%s", out)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if len(p.Problems) > 0 {
				var fe *policy.FormatError
				if !errors.As(err, &fe) || len(fe.Problems) == 0 {
					t.Errorf("error %v is not a *FormatError with problems", err)
				}
			}
		})
	}
}

func TestPrintMatchesFormat(t *testing.T) {
	t.Parallel()
	p, err := policy.Parse("p.json", []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ses:SendEmail","Resource":"*"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := policy.Print(&buf, p); err != nil {
		t.Fatal(err)
	}
	want, _ := policy.Format(p)
	if buf.String() != string(want) {
		t.Errorf("Print wrote %q, Format returned %q", buf.String(), want)
	}
	if err := policy.Print(&buf, nil); err == nil {
		t.Error("Print(nil) succeeded")
	}
}
