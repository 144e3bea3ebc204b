package policy

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/node"
)

// fastPathDocs are problem-free documents that exercise every element and
// value form the direct decoder handles.
var fastPathDocs = []string{
	`{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*","arn:aws:s3:::c/*"]}]}`,
	"\uFEFF{\n  \"Statement\": {\n    \"Effect\": \"Deny\",\n    \"NotAction\": [\"iam:*\"],\n    \"NotResource\": \"*\"\n  }\n}\n",
	`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:root"],"Service":"s3.amazonaws.com","Federated":"cognito-identity.amazonaws.com","CanonicalUser":"abc"},"Action":[]}]}`,
	`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"aws:MultiFactorAuthAge":[3600,"7200",-1.5e3]},"StringLike":{"s3:prefix":["users/*",""],"a\"b":"c\\d","ünï":"ç"}}}]}`,
	`{"Statement":[{"Effect":"Allow","Action":[],"Resource":[],"Principal":{},"Condition":{"StringEquals":{}}},{"Effect":"Allow","Condition":{}}]}`,
	`{"Statement":[]}`, `{}`, `{"Version":"2012-10-17"}`,
	`{"Statement":[{}, {"Sid":""}]}`,
}

// problemDocs have problems or are not JSON; the direct decoder must leave
// them to the tree path.
var problemDocs = []string{
	``, `[`, `{"Statement":[]}}`, `{"Statement":[],}`, `[]`, `"s"`, `null`,
	`{"Version":1}`, `{"Version":"a","Version":"b"}`, `{"Bogus":1}`, `{"version":"x"}`,
	`{"Statement":"x"}`, `{"Statement":[1]}`, `{"Statement":[{"Effect":true}]}`,
	`{"Statement":[{"Effect":"Allow","Effect":"Deny"}]}`, `{"Statement":[{"Actions":"*"}]}`,
	`{"Statement":[{"Action":"*","NotAction":"*"}]}`, `{"Statement":[{"Resource":"*","NotResource":"*"}]}`,
	`{"Statement":[{"Principal":"*","NotPrincipal":"*"}]}`, `{"Statement":[{"Principal":"arn"}]}`,
	`{"Statement":[{"Principal":{"User":"a"}}]}`, `{"Statement":[{"Principal":{"AWS":"a","AWS":"b"}}]}`,
	`{"Statement":[{"Principal":{"AWS":1}}]}`, `{"Statement":[{"Principal":[]}]}`,
	`{"Statement":[{"Action":5}]}`, `{"Statement":[{"Action":["a",null]}]}`, `{"Statement":[{"Resource":[["a"]]}]}`,
	`{"Statement":[{"Condition":[]}]}`, `{"Statement":[{"Condition":{"Bool":"true"}}]}`,
	`{"Statement":[{"Condition":{"Bool":{"k":null}}}]}`, `{"Statement":[{"Condition":{"Bool":{"k":[{}]}}}]}`,
	`{"Statement":[{"Condition":{"Bool":{"k":"a"},"Bool":{"j":"b"}}}]}`,
	`{"Statement":[{"Condition":{"Bool":{"k":"a","k":"b"}}}]}`,
	`{"Statement":[{"Effect":"Allow","Action":"*"}`, `{"Statement":[{"Effect":"Allow\x01"}]}`,
}

// checkSameAsDecode asserts that the direct decoder either declines or builds
// exactly the model Decode builds from ParseJSON's tree, and that it only
// declines documents with problems (or too many keys to check pairwise).
func checkSameAsDecode(t *testing.T, data []byte) {
	t.Helper()
	fast := decodeJSON("p.json", data)
	n, err := node.ParseJSON("p.json", data)
	if err != nil {
		if fast != nil {
			t.Fatalf("decodeJSON accepted text ParseJSON rejects (%v): %q", err, data)
		}
		return
	}
	tree := Decode(n, "p.json", "")
	if len(tree.Problems) > 0 {
		if fast != nil {
			t.Fatalf("decodeJSON accepted a policy with problems %v: %q", tree.Problems, data)
		}
		return
	}
	if fast == nil {
		if !hasLargeObject(n) {
			t.Fatalf("decodeJSON declined a problem-free policy: %q", data)
		}
		return
	}
	if !reflect.DeepEqual(fast, tree) {
		t.Fatalf("decodeJSON and Decode differ for %q:\nfast %s\ntree %s", data, dump(fast), dump(tree))
	}
	if path := sharedCapacity(fast); path != "" {
		t.Fatalf("%s has room past its end in a shared array, for %q", path, data)
	}
}

// sharedCapacity returns the path of a slice in the model whose capacity
// exceeds its length: its elements are carved from arrays shared with other
// slices, so an append by a consumer would overwrite a neighbour.
func sharedCapacity(p *Policy) string {
	list := func(l *List) string {
		if l != nil && cap(l.Values) != len(l.Values) {
			return l.Path
		}
		return ""
	}
	for _, s := range p.Statements {
		for _, l := range []*List{s.Action, s.NotAction, s.Resource, s.NotResource} {
			if path := list(l); path != "" {
				return path
			}
		}
		for _, pr := range []*Principal{s.Principal, s.NotPrincipal} {
			if pr == nil {
				continue
			}
			if cap(pr.Entries) != len(pr.Entries) {
				return pr.Path
			}
			for i := range pr.Entries {
				if path := list(&pr.Entries[i].Values); path != "" {
					return path
				}
			}
		}
		if c := s.Condition; c != nil {
			if cap(c.Blocks) != len(c.Blocks) {
				return c.Path
			}
			for _, b := range c.Blocks {
				if cap(b.Entries) != len(b.Entries) {
					return b.Operator.Path
				}
				for i := range b.Entries {
					if path := list(&b.Entries[i].Values); path != "" {
						return path
					}
				}
			}
		}
	}
	return ""
}

// hasLargeObject reports whether an object in the tree has more members than
// the direct decoder checks for duplicates pairwise.
func hasLargeObject(n *node.Node) bool {
	if len(n.Fields) > maxPairwiseKeys {
		return true
	}
	for _, it := range n.Items {
		if hasLargeObject(it) {
			return true
		}
	}
	for _, f := range n.Fields {
		if hasLargeObject(f.Value) {
			return true
		}
	}
	return false
}

func dump(p *Policy) string {
	var b strings.Builder
	b.WriteString(p.Pos.String())
	for _, s := range p.Statements {
		b.WriteString("\n  ")
		b.WriteString(s.Path)
		for _, l := range []*List{s.Action, s.NotAction, s.Resource, s.NotResource} {
			if l != nil {
				for _, v := range l.Values {
					b.WriteString(" " + v.Path + "=" + v.Text + "@" + v.Pos.String())
				}
			}
		}
	}
	return b.String()
}

func testInputs(t testing.TB) [][]byte {
	t.Helper()
	var out [][]byte
	for _, s := range append(append([]string(nil), fastPathDocs...), problemDocs...) {
		out = append(out, []byte(s))
	}
	files, err := filepath.Glob("testdata/seeds/*.json")
	if err != nil {
		t.Fatal(err)
	}
	inputs, err := filepath.Glob("testdata/fmt/*.input")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 8 || len(inputs) < 8 {
		t.Fatalf("found %d seeds and %d format inputs, want at least 8 of each", len(files), len(inputs))
	}
	for _, f := range append(files, inputs...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

func TestDecodeJSONMatchesDecode(t *testing.T) {
	t.Parallel()
	for _, data := range testInputs(t) {
		checkSameAsDecode(t, data)
	}
}

func TestDecodeJSONTakesTheCommonCase(t *testing.T) {
	t.Parallel()
	for _, doc := range fastPathDocs {
		if decodeJSON("p.json", []byte(doc)) == nil {
			t.Errorf("decodeJSON declined %s", doc)
		}
	}
	for _, doc := range problemDocs {
		if decodeJSON("p.json", []byte(doc)) != nil {
			t.Errorf("decodeJSON accepted %s", doc)
		}
	}
	// Objects too large to check for duplicates pairwise go to Decode,
	// which still decodes them without a problem.
	var keys []string
	for i := range maxPairwiseKeys + 1 {
		keys = append(keys, `"k`+string(rune('a'+i))+`":"v"`)
	}
	big := `{"Statement":{"Condition":{"StringEquals":{` + strings.Join(keys, ",") + `}}}}`
	if decodeJSON("p.json", []byte(big)) != nil {
		t.Error("decodeJSON accepted a condition with more keys than it checks pairwise")
	}
	p, err := Parse("p.json", []byte(big))
	if err != nil || len(p.Problems) > 0 || len(p.Statements[0].Condition.Blocks[0].Entries) != maxPairwiseKeys+1 {
		t.Errorf("Parse of a large condition: %v, %v", err, p)
	}
}

// TestParseKeepsNothingOfTheInput: the model's strings are copies, so a
// caller may reuse its buffer.
func TestParseKeepsNothingOfTheInput(t *testing.T) {
	t.Parallel()
	for _, doc := range fastPathDocs[:4] {
		data := []byte(doc)
		p, err := Parse("p.json", data)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := Parse("p.json", []byte(doc))
		copy(data, bytes.Repeat([]byte("x"), len(data)))
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("overwriting the input changed the model of %s", doc)
		}
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, data := range testInputs(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSameAsDecode(t, data)
	})
}
