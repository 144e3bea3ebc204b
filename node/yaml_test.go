package node_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/node"
)

func TestParseYAML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"core schema scalars",
			"- 10\n- -1.5\n- 1e3\n- true\n- False\n- null\n- ~\n-\n- yes\n- 2012-10-17\n- 0x1F\n- .inf\n- s3:GetObject\n",
			`1:1[1:3number(10),2:3number(-1.5),3:3number(1e3),4:3boolean(true),5:3boolean(false),6:3null(null),7:3null(null),8:2null(null),9:3"yes",10:3"2012-10-17",11:3number(0x1F),12:3number(.inf),13:3"s3:GetObject"]`},
		{"quoted scalars are strings",
			"- '10'\n- \"true\"\n- 'null'\n- |\n  12\n",
			`1:1[1:3"10",2:3"true",3:3"null",4:3"12\n"]`},
		{"standard tags type the value",
			"- !!str 10\n- !!int \"7\"\n",
			`1:1[1:3"10",2:3number(7)]`},
		{"policy in block style",
			"Version: \"2012-10-17\"\nStatement:\n  - Effect: Allow\n    Action: [s3:GetObject]\n",
			`1:1{1:1"Version":1:10"2012-10-17",2:1"Statement":3:3[3:5{3:5"Effect":3:13"Allow",4:5"Action":4:13[4:14"s3:GetObject"]}]}`},
		{"duplicate keys kept",
			"Effect: Allow\nEffect: Deny\n",
			`1:1{1:1"Effect":1:9"Allow",2:1"Effect":2:9"Deny"}`},
		{"CloudFormation short-form tags survive",
			"Resource: !Sub 'arn:aws:s3:::${Bucket}/*'\nRole: !GetAtt Role.Arn\nList: !Join ['', [a, !Ref B]]\nIf: !If [IsProd, 1, 2]\nMap: !Transform {Name: X}\n",
			`1:1{1:1"Resource":1:11!Sub "arn:aws:s3:::${Bucket}/*",2:1"Role":2:7!GetAtt "Role.Arn",3:1"List":3:7!Join [3:14"",3:18[3:19"a",3:22!Ref "B"]],4:1"If":4:5!If [4:10"IsProd",4:18number(1),4:21number(2)],5:1"Map":5:6!Transform {5:18"Name":5:24"X"}}`},
		{"non-string keys become text",
			"1: a\ntrue: b\n",
			`1:1{1:1"1":1:4"a",2:1"true":2:7"b"}`},
		{"aliases resolve",
			"base: &b [s3:GetObject]\ncopy: *b\n",
			`1:1{1:1"base":1:7[1:11"s3:GetObject"],2:1"copy":1:7[1:11"s3:GetObject"]}`},
		{"merge keys",
			"base: &b {Effect: Allow, Sid: A}\nst:\n  <<: *b\n  Sid: B\n",
			`1:1{1:1"base":1:7{1:11"Effect":1:19"Allow",1:26"Sid":1:31"A"},2:1"st":3:3{4:3"Sid":4:8"B",1:11"Effect":1:19"Allow"}}`},
		{"columns count code points", "é: ü\nk: x\n", `1:1{1:1"é":1:4"ü",2:1"k":2:4"x"}`},
		{"BOM", "\uFEFFa: 1\n", `1:1{1:1"a":1:4number(1)}`},
		{"explicit document markers", "---\na: 1\n...\n", `2:1{2:1"a":2:4number(1)}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, err := node.ParseYAML("t.yaml", []byte(tt.in))
			if err != nil {
				t.Fatalf("ParseYAML(%q): %v", tt.in, err)
			}
			if got := sketch(n); got != tt.want {
				t.Errorf("ParseYAML(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseYAMLOffsets(t *testing.T) {
	t.Parallel()
	in := "Statement:\n  - Action: \"s3:Get*\"\n    Resource: é-x\n"
	n, err := node.ParseYAML("t.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	st := n.Get("Statement").Items[0]
	for _, tc := range []struct{ key, src string }{{"Action", `"s3:Get*"`}, {"Resource", "é-x"}} {
		v := st.Get(tc.key)
		if got := in[v.Pos.Offset:v.EndOffset]; got != tc.src {
			t.Errorf("%s source = %q, want %q", tc.key, got, tc.src)
		}
	}
	if v := st.Get("Resource"); v.EndOffset != len(in)-1 {
		t.Errorf("Resource EndOffset = %d, want %d (just before the final newline)", v.EndOffset, len(in)-1)
	}
}

func TestParseYAMLErrors(t *testing.T) {
	t.Parallel()
	laughs := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 'b', 'a'; i <= 'g'; i, prev = i+1, i {
		laughs += string(i) + ": &" + string(i) + " [" + strings.Repeat("*"+string(prev)+", ", 9) + "*" + string(prev) + "]\n"
	}
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "1:1: empty input"},
		{"only a comment", "# nothing\n", "1:1: empty input"},
		{"two documents", "a: 1\n---\nb: 2\n", "multiple YAML documents"},
		{"bad indentation", "a:\n  b: 1\n c: 2\n", "invalid YAML: did not find expected key"},
		{"mapping in scalar context", "a: b: c\n", "1:1: invalid YAML: mapping values are not allowed"},
		{"unclosed flow sequence", "a: [1, 2\n", "invalid YAML:"},
		{"unknown alias", "a: *nope\n", "invalid YAML:"},
		{"invalid UTF-8", "a: b\nc: \xff\n", "2:4: invalid UTF-8"},
		{"billion laughs", laughs, "expands to more than 100000 nodes"},
		{"alias inside its own anchor", "a: &a [1, *a]\n", "refers to a node that contains it"},
		{"mapping as key", "? {a: 1}\n: x\n", "mapping key must be a scalar"},
		{"too deep", strings.Repeat("[", node.MaxDepth+2) + strings.Repeat("]", node.MaxDepth+2), "nesting exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := node.ParseYAML("t.yaml", []byte(tt.in))
			var se *node.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseYAML error = %v, want *SyntaxError", err)
			}
			if !se.Pos.IsValid() || se.Pos.File != "t.yaml" {
				t.Errorf("error position %+v is not set", se.Pos)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseYAML error\n got %s\nwant it to contain %s", err, tt.want)
			}
		})
	}
}
