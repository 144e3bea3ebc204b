package eval

import (
	"math/rand/v2"
	"testing"

	"github.com/iamguard/iamguard/arn"
)

type mapVars map[string]string

func (m mapVars) variable(k string) (string, bool) { v, ok := m[k]; return v, ok }

func TestPatternMatch(t *testing.T) {
	t.Parallel()
	vars := mapVars{"aws:username": "alice", "aws:principaltag/team": "rag"}
	cases := []struct {
		pattern, value string
		vars           bool
		want           bool
	}{
		{"*", "anything", true, true},
		{"arn:aws:s3:::engify-ai-uploads/*", "arn:aws:s3:::engify-ai-uploads/a/b", true, true},
		{"arn:aws:s3:::engify-ai-uploads/*", "arn:aws:s3:::engify-ai-uploads", true, false},
		{"arn:aws:logs:*:*:*", "arn:aws:logs:us-east-1:1:log-group:/a:log-stream:b", true, true},
		{"a?c", "abc", true, true},
		{"a?c", "aβc", true, true}, // ? is one character, not one byte
		{"a?c", "abbc", true, false},
		{"*b*b*", "abab", true, true},
		{"*b*b*", "ab", true, false},
		{"home/${aws:username}/*", "home/alice/x", true, true},
		{"home/${aws:username}/*", "home/bob/x", true, false},
		{"home/${aws:username}/*", "home/${aws:username}/x", false, true},
		{"${aws:PrincipalTag/team}/*", "rag/x", true, true},
		{"${aws:PrincipalTag/missing}/*", "rag/x", true, false},
		{"${aws:PrincipalTag/missing, 'all'}/*", "all/x", true, true},
		{"a${*}b", "a*b", true, true},
		{"a${*}b", "axb", true, false},
		{"a${?}b${$}", "a?b$", true, true},
		{"unterminated${aws:username", "unterminated${aws:username", true, true},
	}
	for _, tc := range cases {
		p := compilePattern(tc.pattern, tc.vars, true)
		if got := p.match(tc.value, vars); got != tc.want {
			t.Errorf("%q (vars %v) ~ %q = %v, want %v", tc.pattern, tc.vars, tc.value, got, tc.want)
		}
	}
}

// TestPatternAgreesWithArn holds our matcher to the shared arn.Pattern on
// random patterns and values over a small alphabet (where wildcards and
// literals collide most).
func TestPatternAgreesWithArn(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	const alpha = "ab:/*?"
	gen := func(n int, wild bool) string {
		b := make([]byte, n)
		for i := range b {
			c := alpha[rng.IntN(len(alpha))]
			if !wild && (c == '*' || c == '?') {
				c = 'a'
			}
			b[i] = c
		}
		return string(b)
	}
	for range 20000 {
		pat, val := gen(rng.IntN(8), true), gen(rng.IntN(10), false)
		want := arn.CompileResource(pat).Match(val)
		if got := compilePattern(pat, true, true).match(val, nil); got != want {
			t.Fatalf("%q ~ %q: ours %v, arn %v", pat, val, got, want)
		}
	}
}

func FuzzPatternAgreesWithArn(f *testing.F) {
	f.Add("arn:aws:s3:::engify-*/*", "arn:aws:s3:::engify-ai-uploads/x")
	f.Add("*b*?", "abcb")
	f.Fuzz(func(t *testing.T, pat, val string) {
		if want, got := arn.CompileResource(pat).Match(val), compilePattern(pat, false, true).match(val, nil); got != want {
			t.Fatalf("%q ~ %q: ours %v, arn %v", pat, val, got, want)
		}
	})
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		ok   bool
		unix int64 // seconds
	}{
		{"2025-10-29T12:00:00Z", true, 1761739200},
		{"2025-10-29T14:00:00+02:00", true, 1761739200},
		{"2025-10-29T12:00:00.000Z", true, 1761739200},
		{"2025-10-29", true, 1761696000},
		{"1761739200", true, 1761739200},
		{" 123", false, 0}, // a fuzz crasher: shorter than a year once trimmed
		{"tomorrow", false, 0},
		{"", false, 0},
	}
	for _, tc := range cases {
		got, ok := parseDate(tc.in)
		if ok != tc.ok || ok && got/1e9 != tc.unix {
			t.Errorf("parseDate(%q) = %d, %v; want %d, %v", tc.in, got/1e9, ok, tc.unix, tc.ok)
		}
	}
}
