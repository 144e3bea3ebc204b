package policy_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/policy"
)

// shape is a policy without positions (and optionally without paths and
// the Statement object/array distinction), for comparing two documents
// that mean the same thing but are written differently.
func shape(p *policy.Policy, keepPaths bool) *policy.Policy {
	out := &policy.Policy{
		StatementPresent: p.StatementPresent,
		Problems:         nil,
	}
	if keepPaths {
		out.Path = p.Path
		out.StatementIsArray = p.StatementIsArray
	}
	value := func(v policy.Value) policy.Value {
		v.Pos = policy.Pos{}
		if !keepPaths {
			v.Path = ""
		}
		return v
	}
	valuePtr := func(v *policy.Value) *policy.Value {
		if v == nil {
			return nil
		}
		c := value(*v)
		return &c
	}
	list := func(l policy.List) policy.List {
		c := policy.List{IsArray: l.IsArray}
		if keepPaths {
			c.Path = l.Path
		}
		for _, v := range l.Values {
			c.Values = append(c.Values, value(v))
		}
		return c
	}
	listPtr := func(l *policy.List) *policy.List {
		if l == nil {
			return nil
		}
		c := list(*l)
		return &c
	}
	principal := func(pr *policy.Principal) *policy.Principal {
		if pr == nil {
			return nil
		}
		c := &policy.Principal{Wildcard: pr.Wildcard}
		if keepPaths {
			c.Path = pr.Path
		}
		for _, e := range pr.Entries {
			c.Entries = append(c.Entries, policy.PrincipalEntry{Type: e.Type, Values: list(e.Values)})
		}
		return c
	}
	out.Version, out.ID = valuePtr(p.Version), valuePtr(p.ID)
	for _, s := range p.Statements {
		c := &policy.Statement{
			Index: s.Index, Sid: valuePtr(s.Sid), Effect: valuePtr(s.Effect),
			Principal: principal(s.Principal), NotPrincipal: principal(s.NotPrincipal),
			Action: listPtr(s.Action), NotAction: listPtr(s.NotAction),
			Resource: listPtr(s.Resource), NotResource: listPtr(s.NotResource),
		}
		if keepPaths {
			c.Path = s.Path
		}
		if s.Condition != nil {
			c.Condition = &policy.Condition{}
			if keepPaths {
				c.Condition.Path = s.Condition.Path
			}
			for _, b := range s.Condition.Blocks {
				cb := policy.ConditionBlock{Operator: value(b.Operator)}
				for _, e := range b.Entries {
					cb.Entries = append(cb.Entries, policy.ConditionEntry{Key: value(e.Key), Values: list(e.Values)})
				}
				c.Condition.Blocks = append(c.Condition.Blocks, cb)
			}
		}
		out.Statements = append(out.Statements, c)
	}
	for _, pr := range p.Problems {
		pr.Pos = policy.Pos{}
		if !keepPaths {
			pr.Path = ""
		}
		out.Problems = append(out.Problems, pr)
	}
	return out
}

func readSeeds(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/seeds/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 8 {
		t.Fatalf("found %d seed policies, want at least 8", len(files))
	}
	out := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = data
	}
	return out
}

// TestSeedPolicies: every policy our users wrote parses without a problem,
// and its kind is what the seed document says it is.
func TestSeedPolicies(t *testing.T) {
	t.Parallel()
	wantKind := map[string]policy.Kind{
		"Engify-Lambda-Trust":            policy.KindTrust,
		"Engify-APIGateway-InvokeLambda": policy.KindResource,
	}
	for file, data := range readSeeds(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := policy.Parse(file, data)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Problems) > 0 {
				t.Errorf("problems: %q", problemStrings(p.Problems))
			}
			if p.Version == nil || p.Version.Text != "2012-10-17" || len(p.Statements) == 0 {
				t.Errorf("decoded %+v", p)
			}
			want, ok := wantKind[name]
			if !ok {
				want = policy.KindIdentity
			}
			if got := policy.DetectKind(p); got != want {
				t.Errorf("DetectKind = %q, want %q", got, want)
			}
			formatted, err := policy.Format(p)
			if err != nil {
				t.Fatal(err)
			}
			assertIdempotent(t, formatted)
		})
	}
}

// TestYAMLTwins: a policy written in YAML decodes to the same model, paths
// included, as the JSON seed it was transcribed from.
func TestYAMLTwins(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/yaml/*.y*ml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no YAML twins (%v)", err)
	}
	for _, file := range files {
		base := filepath.Base(file)
		name := strings.TrimSuffix(base, filepath.Ext(base))
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			yamlData, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			jsonData, err := os.ReadFile(filepath.Join("testdata/seeds", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			fromYAML, err := policy.Parse(file, yamlData)
			if err != nil {
				t.Fatal(err)
			}
			fromJSON, err := policy.Parse(name+".json", jsonData)
			if err != nil {
				t.Fatal(err)
			}
			if len(fromYAML.Problems) > 0 {
				t.Errorf("YAML problems: %q", problemStrings(fromYAML.Problems))
			}
			if got, want := shape(fromYAML, true), shape(fromJSON, true); !reflect.DeepEqual(got, want) {
				y, _ := policy.Format(fromYAML)
				j, _ := policy.Format(fromJSON)
				t.Errorf("YAML and JSON decode differently:\nYAML:\n%s\nJSON:\n%s", y, j)
			}
			if fromYAML.Statements[0].Pos.File != file || fromYAML.Statements[0].Pos.Line < 3 {
				t.Errorf("YAML statement position %v", fromYAML.Statements[0].Pos)
			}
		})
	}
}
