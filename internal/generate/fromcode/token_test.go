package fromcode

import (
	"slices"
	"testing"
)

func texts(ts []tok) []string {
	var out []string
	for _, t := range ts {
		s := t.Text
		if t.Kind == tString {
			s = "'" + s + "'"
			if t.Partial {
				s += "…"
			}
		}
		if t.Kind == tNewline {
			s = "NL"
		}
		out = append(out, s)
	}
	return out
}

func TestTokenizeJS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"comments skipped", "a // b\n/* c */ d", []string{"a", "d"}},
		{"strings with escapes", `'it\'s' "q\"x"`, []string{"'it's'", `'q"x'`}},
		{"template prefix", "`users/${id}/x`", []string{"'users/'…", "${", "id", "}$"}},
		{"plain template", "`plain`", []string{"'plain'"}},
		{"call inside template", "`${new GetCommand({})}`", []string{"''…", "${", "new", "GetCommand", "(", "{", "}", ")", "}$"}},
		{"regex is not a comment", "x = /a\\/\\/b/g; y", []string{"x", "=", "/regex/", ";", "y"}},
		{"division is not a regex", "a / b / c", []string{"a", "/", "b", "/", "c"}},
		{"regex with slash in class", "f(/[/]/)", []string{"f", "(", "/regex/", ")"}},
		{"operators", "a?.b ?? c => ...d", []string{"a", "?.", "b", "??", "c", "=>", "...", "d"}},
		{"unterminated string", "'abc\nd", []string{"'abc'", "d"}},
		{"unterminated comment", "a /* b", []string{"a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := texts(TokenizeJS([]byte(tc.src))); !slices.Equal(got, tc.want) {
				t.Errorf("TokenizeJS(%q) = %q; want %q", tc.src, got, tc.want)
			}
		})
	}
}

func TestTokenizeJSLines(t *testing.T) {
	t.Parallel()
	toks := TokenizeJS([]byte("a\n`x\ny` /* \n */ b\n'c'"))
	var lines []int
	for _, t := range toks {
		lines = append(lines, int(t.Line))
	}
	if !slices.Equal(lines, []int{1, 2, 4, 5}) {
		t.Errorf("lines = %v", lines)
	}
}

func TestTokenizePython(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"comment skipped", "a # b\nc", []string{"a", "NL", "c"}},
		{"string prefixes", `r'\d' b"x" u'y'`, []string{`'\d'`, "'x'", "'y'"}},
		{"f-string prefix", `f"daily/{day}.csv"`, []string{"'daily/'…"}},
		{"f-string escaped brace", `f"{{x}}"`, []string{"'{x}}'"}},
		{"triple quoted", "'''a\nb''' c", []string{"'a\nb'", "c"}},
		{"newline inside brackets", "f(a,\n  b)\nc", []string{"f", "(", "a", ",", "b", ")", "NL", "c"}},
		{"line continuation", "a = \\\n  b", []string{"a", "=", "b"}},
		{"unterminated", "'abc\nx", []string{"'abc'", "NL", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := texts(TokenizePython([]byte(tc.src))); !slices.Equal(got, tc.want) {
				t.Errorf("TokenizePython(%q) = %q; want %q", tc.src, got, tc.want)
			}
		})
	}
}
