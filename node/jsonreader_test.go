package node_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/node"
)

// readTree walks a document with a JSONReader and builds the tree ParseJSON
// would (without EndOffset, which the reader does not track).
func readTree(r *node.JSONReader) (*node.Node, bool) {
	kind, pos, ok := r.Peek()
	if !ok {
		return nil, false
	}
	n := &node.Node{Kind: kind, Pos: pos}
	switch kind {
	case node.Object:
		if !r.Enter() {
			return nil, false
		}
		for {
			key, keyPos, more := r.NextMember()
			if !more {
				break
			}
			v, ok := readTree(r)
			if !ok {
				return nil, false
			}
			n.Fields = append(n.Fields, &node.Field{Key: key, KeyPos: keyPos, Value: v})
		}
	case node.Array:
		if !r.Enter() {
			return nil, false
		}
		for r.NextItem() {
			v, ok := readTree(r)
			if !ok {
				return nil, false
			}
			n.Items = append(n.Items, v)
		}
	default:
		text, ok := r.Scalar()
		if !ok {
			return nil, false
		}
		n.Text = text
	}
	return n, !r.Failed()
}

// sameTree compares two trees' kinds, texts, keys and positions.
func sameTree(a, b *node.Node) error {
	if a.Kind != b.Kind || a.Text != b.Text || a.Pos != b.Pos || len(a.Items) != len(b.Items) || len(a.Fields) != len(b.Fields) {
		return fmt.Errorf("%s %q at %v (%d items, %d fields) vs %s %q at %v (%d items, %d fields)",
			a.Kind, a.Text, a.Pos, len(a.Items), len(a.Fields), b.Kind, b.Text, b.Pos, len(b.Items), len(b.Fields))
	}
	for i := range a.Items {
		if err := sameTree(a.Items[i], b.Items[i]); err != nil {
			return err
		}
	}
	for i, f := range a.Fields {
		g := b.Fields[i]
		if f.Key != g.Key || f.KeyPos != g.KeyPos {
			return fmt.Errorf("key %q at %v vs %q at %v", f.Key, f.KeyPos, g.Key, g.KeyPos)
		}
		if err := sameTree(f.Value, g.Value); err != nil {
			return err
		}
	}
	return nil
}

// checkReaderAgrees asserts that the reader accepts exactly what ParseJSON
// accepts and reports the same tree.
func checkReaderAgrees(t *testing.T, data []byte) {
	t.Helper()
	want, err := node.ParseJSON("r.json", data)
	r := node.NewJSONReader("r.json", data)
	got, ok := readTree(&r)
	ok = ok && r.Finish()
	if ok != (err == nil) {
		t.Fatalf("reader ok = %v, ParseJSON error = %v, for %q", ok, err, data)
	}
	if !ok {
		if !r.Failed() {
			t.Fatalf("reader stopped without Failed for %q", data)
		}
		return
	}
	if err := sameTree(got, want); err != nil {
		t.Fatalf("reader and ParseJSON differ for %q: %v", data, err)
	}
}

func TestJSONReaderAgreesWithParseJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`{}`, `[]`, `{"a":{}}`, `[[],{}]`, `"s"`, `-1.5e+3`, `true`, `false`, `null`,
		"\uFEFF {\"a\": [1, \"x\\n\\u00e9\", null],\n  \"é\": {\"b\": false}}\n",
		"{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": [\"s3:*\"]}\n  ]\n}",
		// Not JSON: the reader must fail wherever ParseJSON does.
		``, ` `, `{`, `[`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,"a":1}`, `{"a":1 "b":2}`,
		`[1 2]`, `{"a":1}}`, `{} {}`, `01`, `1.`, `-`, `tru`, `nul`, `trueish`, `'a'`, `{a:1}`,
		"\"\x01\"", "\"\xff\"", `"\x"`, `"unterminated`, `{"a":1]`, `[1}`, `/* c */ {}`,
		strings.Repeat("[", node.MaxDepth) + strings.Repeat("]", node.MaxDepth),
		strings.Repeat("[", node.MaxDepth+1) + strings.Repeat("]", node.MaxDepth+1),
		strings.Repeat(`{"a":`, node.MaxDepth+1) + "1" + strings.Repeat("}", node.MaxDepth+1),
	} {
		checkReaderAgrees(t, []byte(in))
	}
}

// TestJSONReaderOutOfOrder: calls that do not follow the document fail
// rather than accept text that is not JSON.
func TestJSONReaderOutOfOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		use  func(r *node.JSONReader) bool // reports what the failing call returned
	}{
		{"member of an array", `["a", 1]`, func(r *node.JSONReader) bool {
			r.Enter()
			_, _, more := r.NextMember()
			return more
		}},
		{"item of an object", `{"a": 1}`, func(r *node.JSONReader) bool {
			r.Enter()
			return r.NextItem()
		}},
		{"scalar where an object starts", `{"a": 1}`, func(r *node.JSONReader) bool {
			_, ok := r.Scalar()
			return ok
		}},
		{"enter a scalar", `"a"`, func(r *node.JSONReader) bool { return r.Enter() }},
		{"two values without stepping", `[1, 2]`, func(r *node.JSONReader) bool {
			r.Enter()
			r.NextItem()
			r.Scalar()
			_, ok := r.Scalar()
			return ok
		}},
		{"step before reading the value", `[1, 2]`, func(r *node.JSONReader) bool {
			r.Enter()
			r.NextItem()
			return r.NextItem()
		}},
		{"member outside any container", `1`, func(r *node.JSONReader) bool {
			r.Scalar()
			_, _, more := r.NextMember()
			return more
		}},
		{"finish before the value", `1`, func(r *node.JSONReader) bool { return r.Finish() }},
		{"finish inside a container", `[1]`, func(r *node.JSONReader) bool {
			r.Enter()
			r.NextItem()
			r.Scalar()
			return r.Finish()
		}},
		{"finish before trailing text", `1 2`, func(r *node.JSONReader) bool {
			r.Scalar()
			return r.Finish()
		}},
		{"second top-level value", `1`, func(r *node.JSONReader) bool {
			r.Scalar()
			_, _, ok := r.Peek()
			return ok
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := node.NewJSONReader("r.json", []byte(tt.in))
			if tt.use(&r) {
				t.Fatal("the out-of-order call succeeded")
			}
			if !r.Failed() {
				t.Fatal("Failed() = false after an out-of-order call")
			}
			// A failed reader stays failed.
			if _, _, ok := r.Peek(); ok {
				t.Fatal("Peek succeeded after a failure")
			}
		})
	}
}

func TestJSONReaderReadsPositionsAndTexts(t *testing.T) {
	t.Parallel()
	r := node.NewJSONReader("p.json", []byte("{\n  \"é\": [\"a\\u0041\", -0.5]\n}"))
	if !r.Enter() {
		t.Fatal("Enter failed")
	}
	key, keyPos, more := r.NextMember()
	if !more || key != "é" || keyPos.String() != "p.json:2:3" {
		t.Fatalf("NextMember = %q at %v, %v; want \"é\" at p.json:2:3", key, keyPos, more)
	}
	if !r.Enter() || !r.NextItem() {
		t.Fatal("entering the array failed")
	}
	kind, pos, ok := r.Peek()
	if !ok || kind != node.String || pos.String() != "p.json:2:9" || pos.Offset != 11 {
		t.Fatalf("Peek = %v at %v (offset %d), %v; want string at p.json:2:9 (offset 11)", kind, pos, pos.Offset, ok)
	}
	if text, ok := r.Scalar(); !ok || text != "aA" {
		t.Fatalf("Scalar = %q, %v; want \"aA\"", text, ok)
	}
	if !r.NextItem() {
		t.Fatal("second item missing")
	}
	if kind, pos, _ := r.Peek(); kind != node.Number || pos.Column != 20 {
		t.Fatalf("Peek = %v at %v; want a number at column 20", kind, pos)
	}
	if text, ok := r.Scalar(); !ok || text != "-0.5" {
		t.Fatalf("Scalar = %q, %v; want \"-0.5\"", text, ok)
	}
	if r.NextItem() {
		t.Fatal("the array did not close")
	}
	if _, _, more := r.NextMember(); more {
		t.Fatal("the object did not close")
	}
	if !r.Finish() {
		t.Fatal("Finish failed on a complete document")
	}
}
