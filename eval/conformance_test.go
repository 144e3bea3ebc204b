package eval

import (
	"embed"
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/node"
	"github.com/iamguard/iamguard/policy"
)

// The conformance corpus: YAML files of cases, each a scenario, the decision
// AWS makes, and the AWS documentation rule it checks. A file may set
// `base` fields that every case starts from; a case's fields replace the
// base's, except `request`, whose fields are merged one by one.
//
//go:embed testdata/conformance/*.yaml
var conformanceFS embed.FS

type conformanceCase struct {
	file   string
	name   string
	cite   string
	expect string
	doc    *node.Node // the merged scenario
}

func loadConformance(t testing.TB) []conformanceCase {
	t.Helper()
	entries, err := conformanceFS.ReadDir("testdata/conformance")
	if err != nil {
		t.Fatal(err)
	}
	var out []conformanceCase
	for _, ent := range entries {
		file := path.Join("testdata/conformance", ent.Name())
		data, err := conformanceFS.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		root, err := node.ParseYAML(file, data)
		if err != nil {
			t.Fatalf("%v", err)
		}
		base := root.Get("base")
		fileCite := ""
		if c := root.Get("cite"); c != nil {
			fileCite = c.Text
		}
		cases := root.Get("cases")
		if cases == nil || cases.Kind != node.Array {
			t.Fatalf("%s: no cases array", file)
		}
		for i, c := range cases.Items {
			cc := conformanceCase{file: ent.Name(), cite: fileCite}
			doc := &node.Node{Kind: node.Object, Pos: c.Pos, EndOffset: c.EndOffset}
			if base != nil {
				doc.Fields = append(doc.Fields, base.Fields...)
			}
			for _, f := range c.Fields {
				switch f.Key {
				case "name":
					cc.name = f.Value.Text
				case "cite":
					cc.cite = f.Value.Text
				case "expect":
					cc.expect = f.Value.Text
				default:
					doc.Fields = mergeField(doc.Fields, f)
				}
			}
			if cc.name == "" {
				cc.name = fmt.Sprintf("case%d", i)
			}
			cc.doc = doc
			out = append(out, cc)
		}
	}
	return out
}

// mergeField sets f in fields: a request object merges field by field.
func mergeField(fields []*node.Field, f *node.Field) []*node.Field {
	for i, old := range fields {
		if old.Key != f.Key {
			continue
		}
		if f.Key == "request" && old.Value.Kind == node.Object && f.Value.Kind == node.Object {
			merged := &node.Node{Kind: node.Object, Pos: f.Value.Pos, EndOffset: f.Value.EndOffset}
			merged.Fields = append(merged.Fields, old.Value.Fields...)
			for _, rf := range f.Value.Fields {
				merged.Fields = mergeField(merged.Fields, rf)
			}
			out := append([]*node.Field(nil), fields...)
			out[i] = &node.Field{Key: f.Key, KeyPos: f.KeyPos, Value: merged}
			return out
		}
		out := append([]*node.Field(nil), fields...)
		out[i] = f
		return out
	}
	return append(append([]*node.Field(nil), fields...), f)
}

func TestConformance(t *testing.T) {
	t.Parallel()
	cases := loadConformance(t)
	if len(cases) < 200 {
		t.Errorf("the corpus has %d cases; it must keep at least 200", len(cases))
	}
	for _, cc := range cases {
		t.Run(strings.TrimSuffix(cc.file, ".yaml")+"/"+cc.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(cc.cite, ".html") || !strings.Contains(cc.cite, ":") {
				t.Errorf("cite %q must name the AWS documentation page (…html) and the rule", cc.cite)
			}
			switch cc.expect {
			case "allowed", "explicitDeny", "implicitDeny":
			default:
				t.Fatalf("expect %q: want allowed, explicitDeny or implicitDeny", cc.expect)
			}
			s, err := decodeScenario(cc.doc, cc.file, nil)
			if err != nil {
				t.Fatalf("scenario: %v", err)
			}
			ps, err := Compile(s.Policies)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			got := Decide(ps, s.Prepared())
			if got.Decision.String() != cc.expect {
				ex := Explain(ps, s.Prepared())
				t.Fatalf("decision %s, want %s (rule: %s)\n%s", got.Decision, cc.expect, cc.cite, ex.Summary)
			}
			ex := Explain(ps, s.Prepared())
			if ex.Decision != got.Decision {
				t.Errorf("Explain decided %s, Decide %s", ex.Decision, got.Decision)
			}
			if got.Decision == ExplicitDeny && (got.Statement == nil || got.Statement.Effect != "Deny") {
				t.Errorf("explicit deny without its Deny statement: %+v", got.Statement)
			}
			if got.Decision == ImplicitDeny && len(ex.Fixes) == 0 {
				t.Errorf("implicit deny without a fix: %s", ex.Summary)
			}
			checkFormatStable(t, s, got.Decision)
		})
	}
}

// checkFormatStable re-prints every policy with policy.Format, re-parses it
// and checks that the decision does not change.
func checkFormatStable(t *testing.T, s *Scenario, want Decision) {
	t.Helper()
	re := func(p *policy.Policy) *policy.Policy {
		if p == nil {
			return nil
		}
		out, err := policy.Format(p)
		if err != nil {
			t.Fatalf("format %s: %v", p.Name, err)
		}
		q, err := policy.Parse(p.Name+".json", out)
		if err != nil {
			t.Fatalf("reparse %s: %v\n%s", p.Name, err, out)
		}
		q.Name = p.Name
		return q
	}
	var pols Policies
	for _, p := range s.Policies.Identity {
		pols.Identity = append(pols.Identity, re(p))
	}
	pols.Resource, pols.Boundary, pols.Session = re(s.Policies.Resource), re(s.Policies.Boundary), re(s.Policies.Session)
	levels := func(in [][]*policy.Policy) [][]*policy.Policy {
		if in == nil {
			return nil
		}
		out := make([][]*policy.Policy, len(in))
		for i, l := range in {
			out[i] = []*policy.Policy{}
			for _, p := range l {
				out[i] = append(out[i], re(p))
			}
		}
		return out
	}
	pols.SCPs, pols.RCPs = levels(s.Policies.SCPs), levels(s.Policies.RCPs)
	ps, err := Compile(pols)
	if err != nil {
		t.Fatalf("compile re-printed policies: %v", err)
	}
	if got := Decide(ps, s.Prepared()).Decision; got != want {
		t.Errorf("decision changed from %s to %s after policy.Format", want, got)
	}
}
