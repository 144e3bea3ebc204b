package policy_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/iamguard/iamguard/policy"
)

// FuzzParse feeds JSON and YAML documents to Parse. It must never panic;
// for documents without problems, Format must be idempotent and the
// formatted text must decode to the same model.
func FuzzParse(f *testing.F) {
	for file, data := range readSeeds(f) {
		f.Add(filepath.Base(file), data)
	}
	twins, _ := filepath.Glob("testdata/yaml/*")
	inputs, _ := filepath.Glob("testdata/fmt/*.input")
	for _, file := range append(twins, inputs...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(filepath.Base(file), data)
	}
	f.Add("p.json", []byte(`{"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:SecureTransport":[true,1,"x"]}}}}`))
	f.Add("p.yaml", []byte("Statement:\n  Effect: Deny\n  NotAction: !Ref X\n  Condition: {NumericLessThan: {k: .inf}}\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		p, err := policy.Parse(name, data)
		if err != nil {
			return
		}
		_ = policy.DetectKind(p)
		for _, pr := range p.Problems {
			if pr.Code == "" || pr.Message == "" || !pr.Pos.IsValid() {
				t.Fatalf("incomplete problem %+v", pr)
			}
		}
		formatted, err := policy.Format(p)
		if err != nil {
			return
		}
		if len(p.Problems) > 0 {
			return
		}
		again, err := policy.Parse("formatted.json", formatted)
		if err != nil {
			t.Fatalf("formatted output does not parse: %v\n%s", err, formatted)
		}
		if len(again.Problems) > 0 {
			t.Fatalf("formatted output has problems %q\n%s", problemStrings(again.Problems), formatted)
		}
		if got, want := shape(again, false), shape(p, false); !reflect.DeepEqual(got, want) {
			t.Fatalf("formatted output decodes differently:\n%s", formatted)
		}
		twice, err := policy.Format(again)
		if err != nil || string(twice) != string(formatted) {
			t.Fatalf("Format is not idempotent (%v):\n%s\n---\n%s", err, formatted, twice)
		}
	})
}
