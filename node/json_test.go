package node_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/node"
)

// sketch renders a tree compactly with positions, for table assertions.
func sketch(n *node.Node) string {
	var b strings.Builder
	var walk func(n *node.Node)
	walk = func(n *node.Node) {
		fmt.Fprintf(&b, "%d:%d", n.Pos.Line, n.Pos.Column)
		if n.Tag != "" {
			b.WriteString(n.Tag + " ")
		}
		switch n.Kind {
		case node.Object:
			b.WriteString("{")
			for i, f := range n.Fields {
				if i > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, "%d:%d%q:", f.KeyPos.Line, f.KeyPos.Column, f.Key)
				walk(f.Value)
			}
			b.WriteString("}")
		case node.Array:
			b.WriteString("[")
			for i, it := range n.Items {
				if i > 0 {
					b.WriteString(",")
				}
				walk(it)
			}
			b.WriteString("]")
		case node.String:
			fmt.Fprintf(&b, "%q", n.Text)
		default:
			fmt.Fprintf(&b, "%s(%s)", n.Kind, n.Text)
		}
	}
	walk(n)
	return b.String()
}

func TestParseJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"scalar string", `"s3:GetObject"`, `1:1"s3:GetObject"`},
		{"number keeps literal", `[1.50, -0, 2e10, 1E-3]`, `1:1[1:2number(1.50),1:8number(-0),1:12number(2e10),1:18number(1E-3)]`},
		{"literals", `[true,false,null]`, `1:1[1:2boolean(true),1:7boolean(false),1:13null(null)]`},
		{"policy shape", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}",
			`1:1{2:3"Version":2:14"2012-10-17",3:3"Statement":3:16[]}`},
		{"duplicate keys kept in order", `{"Effect":"Allow","Effect":"Deny"}`, `1:1{1:2"Effect":1:11"Allow",1:19"Effect":1:28"Deny"}`},
		{"escapes", `"a\"b\\c\/d\n\t\u00e9\ud83d\ude00"`, "1:1\"a\\\"b\\\\c/d\\n\\té😀\""},
		{"lone surrogate becomes U+FFFD", `"\ud800x"`, "1:1\"\uFFFDx\""},
		{"columns count code points", `{"é€😀":"x", "k":1}`, `1:1{1:2"é€😀":1:8"x",1:13"k":1:17number(1)}`},
		{"BOM is skipped", "\uFEFF{\"a\":1}", `1:1{1:2"a":1:6number(1)}`},
		{"CRLF line endings", "{\r\n\"a\":\r\n1}", `1:1{2:1"a":3:1number(1)}`},
		{"whitespace around", " \t\n [ ] \n", `2:2[]`},
		{"nested", `[[[{"a":[{}]}]]]`, `1:1[1:2[1:3[1:4{1:5"a":1:9[1:10{}]}]]]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, err := node.ParseJSON("p.json", []byte(tt.in))
			if err != nil {
				t.Fatalf("ParseJSON(%q): %v", tt.in, err)
			}
			if got := sketch(n); got != tt.want {
				t.Errorf("ParseJSON(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			if n.Pos.File != "p.json" {
				t.Errorf("Pos.File = %q, want p.json", n.Pos.File)
			}
		})
	}
}

func TestParseJSONEndAndOffset(t *testing.T) {
	t.Parallel()
	in := "{\n  \"Action\": [\"s3:Get*\", \"é\"]\n}"
	n, err := node.ParseJSON("p.json", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	arr := n.Get("Action")
	if got := in[arr.Pos.Offset:arr.EndOffset]; got != `["s3:Get*", "é"]` {
		t.Errorf("array source = %q", got)
	}
	e := arr.Items[1]
	if got, want := e.Pos.String(), "p.json:2:25"; got != want {
		t.Errorf("string start = %s, want %s", got, want)
	}
	if got := in[e.Pos.Offset:e.EndOffset]; got != `"é"` {
		t.Errorf("string source = %q", got)
	}
	if n.EndOffset != len(in) {
		t.Errorf("document EndOffset = %d, want %d", n.EndOffset, len(in))
	}
}

func TestParseJSONErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "1:1: empty input"},
		{"only spaces", " \n ", "2:2: empty input"},
		{"trailing comma in array", `["a",]`, "1:6: unexpected ']' after ','"},
		{"trailing comma in object", "{\"a\":1,\n}", "2:1: unexpected '}' after ','"},
		{"missing colon", `{"a" 1}`, "1:6: unexpected character '1' after object key: expected ':'"},
		{"missing comma", `["a" "b"]`, "1:6: unexpected character '\"' in array"},
		{"single quotes", `{'a':1}`, `1:2: unexpected character '\'': expected a string key`},
		{"unterminated string", `{"a":"bc`, "1:6: unterminated string"},
		{"unterminated object", "{\n\"a\":1", "1:1: unterminated object"},
		{"unterminated array", "[1,\n2", "1:1: unterminated array"},
		{"invalid escape", `"a\x"`, `1:3: invalid escape "\\x"`},
		{"short unicode escape", `"\u12"`, "1:2: invalid escape: \\u must be followed by four hex digits"},
		{"raw newline in string", "\"a\nb\"", "1:3: control character U+000A in string"},
		{"raw tab in string", "\"a\tb\"", "1:3: control character U+0009 in string"},
		{"invalid UTF-8", "\"é\xff\"", "1:3: invalid UTF-8 in string"},
		{"invalid UTF-8 outside strings", "[\xff]", "1:2: unexpected invalid UTF-8 byte"},
		{"trailing garbage", `{} x`, "1:4: unexpected character 'x' after the top-level value"},
		{"two values", "{}\n{}", "2:1: unexpected character '{' after the top-level value"},
		{"leading zero", `[01]`, "1:2: invalid number: leading zeros"},
		{"bare minus", `[-]`, "1:3: invalid number: expected a digit"},
		{"dot without digits", `[1.]`, "1:4: invalid number: expected a digit after '.'"},
		{"exponent without digits", `[1e+]`, "1:5: invalid number: expected a digit in the exponent"},
		{"plus sign", `[+1]`, "1:2: unexpected character '+': expected a value"},
		{"NaN", `[NaN]`, "1:2: unexpected character 'N': expected a value"},
		{"misspelled true", `[tru]`, "1:2: unexpected character 't': expected a value (did you mean true?)"},
		{"literal run-on", `[nullx]`, "1:2: invalid literal: expected null"},
		{"comment", "{\n  // no\n}", "2:3: comments are not allowed in JSON"},
		{"non-string key", `{1:2}`, "1:2: unexpected character '1': expected a string key"},
		{"too deep", strings.Repeat("[", node.MaxDepth+1) + strings.Repeat("]", node.MaxDepth+1), fmt.Sprintf("1:%d: nesting exceeds the maximum depth of 256", node.MaxDepth+1)},
		{"BOM then nothing", "\uFEFF", "1:1: empty input"},
		{"error column after BOM and UTF-8", "\uFEFF{\"é\":x}", "1:6: unexpected character 'x'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := node.ParseJSON("bad.json", []byte(tt.in))
			var se *node.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseJSON(%q) error = %v, want *SyntaxError", tt.in, err)
			}
			got := strings.TrimPrefix(err.Error(), "bad.json:")
			// Compare the position exactly and the message by prefix, so
			// messages can gain detail without breaking every case.
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("ParseJSON(%q) error\n got %s\nwant prefix %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseJSONDepthLimitIsInclusive(t *testing.T) {
	t.Parallel()
	in := strings.Repeat("[", node.MaxDepth) + strings.Repeat("]", node.MaxDepth)
	if _, err := node.ParseJSON("", []byte(in)); err != nil {
		t.Fatalf("depth %d rejected: %v", node.MaxDepth, err)
	}
}

// TestParseJSONMatchesEncodingJSON checks values against the standard
// library on documents both accept.
func TestParseJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	docs := []string{
		`{"a":[1,2.5,"x\u0041\n"],"b":{"c":null,"d":true}}`,
		`"\ud83d\ude00 \u00e9"`,
		`[-1.25e+3, 0, 0.0]`,
	}
	for _, doc := range docs {
		n, err := node.ParseJSON("", []byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		var want any
		if err := json.Unmarshal([]byte(doc), &want); err != nil {
			t.Fatal(err)
		}
		got := toAny(n)
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("%s:\n got %s\nwant %s", doc, gotJSON, wantJSON)
		}
	}
}

// toAny converts a tree to encoding/json's generic representation.
func toAny(n *node.Node) any {
	switch n.Kind {
	case node.Object:
		m := map[string]any{}
		for _, f := range n.Fields {
			m[f.Key] = toAny(f.Value)
		}
		return m
	case node.Array:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			out[i] = toAny(it)
		}
		return out
	case node.Number:
		var f float64
		_ = json.Unmarshal([]byte(n.Text), &f)
		return f
	case node.Bool:
		return n.Text == "true"
	case node.Null:
		return nil
	}
	return n.Text
}

func TestParseChoosesFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, in string
		wantErr        bool
		want           string
	}{
		{"json by extension", "p.json", `{"a":1}`, false, `1:1{1:2"a":1:6number(1)}`},
		{"json extension is strict", "p.json", "a: 1", true, ""},
		{"yaml by extension even if it starts with a brace", "p.yaml", `{a: 1}`, false, `1:1{1:2"a":1:5number(1)}`},
		{"sniffed json", "policy", "  \n[1]", false, `2:1[2:2number(1)]`},
		{"sniffed json after BOM", "policy", "\uFEFF{}", false, `1:1{}`},
		{"sniffed yaml", "policy", "a: 1", false, `1:1{1:1"a":1:4number(1)}`},
		{"yml", "p.YML", "- x", false, `1:1[1:3"x"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, err := node.Parse(tt.file, []byte(tt.in))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Parse(%q, %q) succeeded, want error", tt.file, tt.in)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := sketch(n); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
