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
	kind, text, pos, ok := r.Value()
	if !ok {
		return nil, false
	}
	n := &node.Node{Kind: kind, Text: text, Pos: pos}
	switch kind {
	case node.Object:
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
		for r.NextItem() {
			v, ok := readTree(r)
			if !ok {
				return nil, false
			}
			n.Items = append(n.Items, v)
		}
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
	value := func(r *node.JSONReader) bool {
		_, _, _, ok := r.Value()
		return ok
	}
	tests := []struct {
		name string
		in   string
		use  func(r *node.JSONReader) bool // reports what the failing call returned
	}{
		{"member of an array", `["a", 1]`, func(r *node.JSONReader) bool {
			value(r)
			_, _, more := r.NextMember()
			return more
		}},
		{"item of an object", `{"a": 1}`, func(r *node.JSONReader) bool {
			value(r)
			return r.NextItem()
		}},
		{"two values without stepping", `[1, 2]`, func(r *node.JSONReader) bool {
			value(r)
			r.NextItem()
			value(r)
			return value(r)
		}},
		{"step before reading the value", `[1, 2]`, func(r *node.JSONReader) bool {
			value(r)
			r.NextItem()
			return r.NextItem()
		}},
		{"member before reading the value", `{"a": 1, "b": 2}`, func(r *node.JSONReader) bool {
			value(r)
			r.NextMember()
			_, _, more := r.NextMember()
			return more
		}},
		{"member outside any container", `1`, func(r *node.JSONReader) bool {
			value(r)
			_, _, more := r.NextMember()
			return more
		}},
		{"finish before the value", `1`, func(r *node.JSONReader) bool { return r.Finish() }},
		{"finish inside a container", `[1]`, func(r *node.JSONReader) bool {
			value(r)
			r.NextItem()
			value(r)
			return r.Finish()
		}},
		{"finish before trailing text", `1 2`, func(r *node.JSONReader) bool {
			value(r)
			return r.Finish()
		}},
		{"second top-level value", `1 2`, func(r *node.JSONReader) bool {
			value(r)
			return value(r)
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
			if value(&r) {
				t.Fatal("Value succeeded after a failure")
			}
		})
	}
}

func TestJSONReaderReadsPositionsAndTexts(t *testing.T) {
	t.Parallel()
	r := node.NewJSONReader("p.json", []byte("{\n  \"é\": [\"a\\u0041é\", -0.5]\n}"))
	if kind, _, pos, ok := r.Value(); !ok || kind != node.Object || pos.String() != "p.json:1:1" {
		t.Fatalf("Value = %v at %v, %v; want an object at p.json:1:1", kind, pos, ok)
	}
	key, keyPos, more := r.NextMember()
	if !more || key != "é" || keyPos.String() != "p.json:2:3" {
		t.Fatalf("NextMember = %q at %v, %v; want \"é\" at p.json:2:3", key, keyPos, more)
	}
	if kind, _, _, ok := r.Value(); !ok || kind != node.Array || !r.NextItem() {
		t.Fatal("entering the array failed")
	}
	kind, text, pos, ok := r.Value()
	if !ok || kind != node.String || text != "aAé" || pos.String() != "p.json:2:9" || pos.Offset != 11 {
		t.Fatalf("Value = %v %q at %v (offset %d), %v; want string \"aAé\" at p.json:2:9 (offset 11)", kind, text, pos, pos.Offset, ok)
	}
	if !r.NextItem() {
		t.Fatal("second item missing")
	}
	if kind, text, pos, ok := r.Value(); !ok || kind != node.Number || text != "-0.5" || pos.Column != 21 {
		t.Fatalf("Value = %v %q at %v; want number \"-0.5\" at column 21", kind, text, pos)
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
