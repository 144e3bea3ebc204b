package node_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/iamguard/iamguard/node"
)

// seedPolicies are the real policies our users wrote (policy/testdata/seeds).
func seedPolicies(f *testing.F) [][]byte {
	files, err := filepath.Glob("../policy/testdata/seeds/*.json")
	if err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range seedPolicies(f) {
		f.Add(s)
	}
	for _, s := range []string{`{"a":[1,2.5e3,"\u00e9\ud83d\ude00",true,null]}`, `[`, `{"a":1,}`, "\uFEFF{}", `"\ud800"`, `-0.0e-0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := node.ParseJSON("f.json", data)
		if err != nil {
			var se *node.SyntaxError
			if !errors.As(err, &se) || !se.Pos.IsValid() {
				t.Fatalf("error %v is not a positioned *SyntaxError", err)
			}
			if se.Pos.Offset < 0 || se.Pos.Offset > len(data) {
				t.Fatalf("error offset %d outside input of %d bytes", se.Pos.Offset, len(data))
			}
			checkPos(t, "error", se.Pos, data)
		} else {
			checkRanges(t, n, len(data))
			checkPositions(t, n, data)
		}
		// The standard library is the reference for validity, except
		// where we are deliberately stricter (invalid UTF-8, nesting
		// depth) or more lenient (a leading byte order mark).
		if !utf8.Valid(data) || bytes.HasPrefix(data, []byte("\uFEFF")) {
			return
		}
		if err != nil && strings.Contains(err.Error(), "nesting exceeds") {
			return
		}
		if valid := json.Valid(data); valid != (err == nil) {
			t.Fatalf("ParseJSON error = %v but json.Valid = %v for %q", err, valid, data)
		}
	})
}

// checkRanges asserts that every node's range lies inside the input and
// starts before it ends.
func checkRanges(t *testing.T, n *node.Node, size int) {
	t.Helper()
	if !n.Pos.IsValid() || n.EndOffset < n.Pos.Offset || n.EndOffset > size {
		t.Fatalf("bad range %+v-%d for %s node (input %d bytes)", n.Pos, n.EndOffset, n.Kind, size)
	}
	for _, it := range n.Items {
		checkRanges(t, it, size)
	}
	for _, fl := range n.Fields {
		if !fl.KeyPos.IsValid() {
			t.Fatalf("key %q has no position", fl.Key)
		}
		checkRanges(t, fl.Value, size)
	}
}

// checkPositions recomputes every node's line and column from its byte
// offset the slow way and compares.
func checkPositions(t *testing.T, n *node.Node, data []byte) {
	t.Helper()
	// want[i] is the position of byte offset i, computed in one pass.
	type lc struct{ line, col int }
	want := make([]lc, len(data)+1)
	line, col := 1, 1
	i := 0
	if bytes.HasPrefix(data, []byte("\uFEFF")) {
		i = 3
	}
	for i < len(data) {
		want[i] = lc{line, col}
		_, size := utf8.DecodeRune(data[i:])
		for j := 1; j < size; j++ {
			want[i+j] = lc{line, col} // inside a character: not a real position
		}
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	want[len(data)] = lc{line, col}
	check := func(what string, p node.Pos) {
		if w := want[p.Offset]; p.Line != w.line || p.Column != w.col {
			t.Fatalf("%s at offset %d: got %d:%d, want %d:%d", what, p.Offset, p.Line, p.Column, w.line, w.col)
		}
	}
	var walk func(n *node.Node)
	walk = func(n *node.Node) {
		check("start", n.Pos)
		for _, it := range n.Items {
			walk(it)
		}
		for _, f := range n.Fields {
			check("key", f.KeyPos)
			walk(f.Value)
		}
	}
	walk(n)
}

func FuzzParseYAML(f *testing.F) {
	for _, s := range seedPolicies(f) {
		f.Add(s)
	}
	for _, s := range []string{
		"Version: \"2012-10-17\"\nStatement:\n  - Effect: Allow\n    Action: [s3:GetObject]\n    Resource: '*'\n",
		"a: !Ref B\nc: !Sub '${X}'\nd: !GetAtt R.Arn\n",
		"a: &a [1, 2]\nb: *a\nc: {<<: {x: 1}}\n",
		"- 0x1F\n- .inf\n- ~\n- 'q'\n",
		"a: 1\n---\nb: 2\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := node.ParseYAML("f.yaml", data)
		if err != nil {
			var se *node.SyntaxError
			if !errors.As(err, &se) || !se.Pos.IsValid() {
				t.Fatalf("error %v is not a positioned *SyntaxError", err)
			}
			return
		}
		if n == nil {
			t.Fatal("nil node without error")
		}
		checkRanges(t, n, len(data))
	})
}

// checkPos recomputes a position's line and column from its byte offset.
func checkPos(t *testing.T, what string, p node.Pos, data []byte) {
	t.Helper()
	line, start := 1, 0
	for i := 0; i < p.Offset; i++ {
		if data[i] == '\n' {
			line, start = line+1, i+1
		}
	}
	if start == 0 && p.Offset >= 3 && bytes.HasPrefix(data, []byte("\uFEFF")) {
		start = 3
	}
	col := utf8.RuneCount(data[start:p.Offset]) + 1
	if p.Line != line || p.Column != col {
		t.Fatalf("%s at offset %d: got %d:%d, want %d:%d", what, p.Offset, p.Line, p.Column, line, col)
	}
}

// FuzzJSONReader: the reader accepts exactly what ParseJSON accepts and
// reads the same texts, keys and positions.
func FuzzJSONReader(f *testing.F) {
	for _, s := range seedPolicies(f) {
		f.Add(s)
	}
	for _, s := range []string{`{"a":[1,2.5e3,"\u00e9\ud83d\ude00",true,null]}`, `[`, `{"a":1,}`, "\uFEFF{}", `"\ud800"`, `-0.0e-0`, `[1 2]`, `{"a":1 "b":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReaderAgrees(t, data)
	})
}
