package lint

import (
	"regexp"
	"testing"

	"github.com/iamguard/iamguard/catalog"
)

// globCoversDP is globCovers without the literal prefix/suffix shortcut:
// the reference the shortcut must agree with.
func globCoversDP(b, a string) bool {
	if b == a {
		return true
	}
	reach := make([]bool, len(a)+1)
	next := make([]bool, len(a)+1)
	reach[0] = true
	for i := 0; i < len(b); i++ {
		clear(next)
		bc := b[i]
		for j := 0; j <= len(a); j++ {
			if !reach[j] {
				continue
			}
			if bc == '*' {
				for k := j; k <= len(a); k++ {
					next[k] = true
				}
				break
			}
			if j == len(a) {
				continue
			}
			ac := a[j]
			switch {
			case bc == '?' && ac != '*':
				next[j+1] = true
			case bc == ac && ac != '*' && ac != '?':
				next[j+1] = true
			case bc == ac && ac == '?':
				next[j+1] = true
			}
		}
		reach, next = next, reach
	}
	return reach[len(a)]
}

func TestGlobCovers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		b, a string
		want bool
	}{
		{"equal", "arn:aws:s3:::b/*", "arn:aws:s3:::b/*", true},
		{"prefix pattern covers object", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k.txt", true},
		{"star covers all", "*", "arn:aws:s3:::b", true},
		{"other bucket", "arn:aws:s3:::b/*", "arn:aws:s3:::c/k", false},
		{"star not covered by literal", "arn:aws:s3:::b/k", "arn:aws:s3:::b/*", false},
		{"wildcard in a before b's literal", "arn:aws:s3:::b/x*", "arn:aws:s3:::b/*", false},
		{"suffix mismatch", "arn:aws:logs:*:*:log-group:*:log-stream:*", "arn:aws:logs:*:*:log-group:x", false},
		{"suffix match", "arn:aws:s3:::*/*.txt", "arn:aws:s3:::b/k.txt", true},
		{"prefix and suffix overlap in a", "ab*ba", "aba", false},
		{"question mark", "arn:aws:s3:::b?", "arn:aws:s3:::b1", true},
		{"question mark does not cover star", "arn:aws:s3:::b?", "arn:aws:s3:::b*", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := globCovers(tt.b, tt.a); got != tt.want {
				t.Errorf("globCovers(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
			}
			if got := globCoversDP(tt.b, tt.a); got != tt.want {
				t.Errorf("reference globCoversDP(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

// FuzzGlobCovers: the literal prefix/suffix shortcut never changes the
// answer of the dynamic program.
func FuzzGlobCovers(f *testing.F) {
	f.Add("arn:aws:s3:::b/*", "arn:aws:s3:::b/k")
	f.Add("ab*ba", "aba")
	f.Add("a?*", "a*?")
	f.Add("*x*", "y*x")
	f.Fuzz(func(t *testing.T, b, a string) {
		if got, want := globCovers(b, a), globCoversDP(b, a); got != want {
			t.Fatalf("globCovers(%q, %q) = %v, reference %v", b, a, got, want)
		}
	})
}

// The regular expressions the hand-written checks replace: the reference
// they must agree with.
var (
	regionRE           = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]+$`)
	accountRE          = regexp.MustCompile(`^[0-9]{12}$`)
	variableRE         = regexp.MustCompile(`\$\{[^}]*\}`)
	servicePrincipalRE = regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)+$`)
)

func TestTextChecks(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"us-east-1", "us-gov-west-1", "ap-southeast-5", "eu-central-", "us-east-1a", "u-east-1", "useast-east-1", "us--1", "us-1",
		"123456789012", "12345678901", "1234567890123", "12345678901a", "",
		"lambda.amazonaws.com", "lambda", "Lambda.amazonaws.com", ".lambda.com", "lambda.com.", "a..b", "a.b",
		"arn:aws:s3:::${aws:username}/*", "${a}${b}", "x${unclosed", "${}", "a}${b",
	} {
		if got, want := isRegionName(s), regionRE.MatchString(s); got != want {
			t.Errorf("isRegionName(%q) = %v, regexp %v", s, got, want)
		}
		if got, want := isAccountID(s), accountRE.MatchString(s); got != want {
			t.Errorf("isAccountID(%q) = %v, regexp %v", s, got, want)
		}
		if got, want := isServicePrincipal(s), servicePrincipalRE.MatchString(s); got != want {
			t.Errorf("isServicePrincipal(%q) = %v, regexp %v", s, got, want)
		}
		if got, want := withoutVariables(s), variableRE.ReplaceAllString(s, "*"); got != want {
			t.Errorf("withoutVariables(%q) = %q, regexp %q", s, got, want)
		}
	}
}

// FuzzTextChecks: the hand-written checks agree with the regular
// expressions they replace.
func FuzzTextChecks(f *testing.F) {
	for _, s := range []string{"us-east-1", "123456789012", "lambda.amazonaws.com", "arn:aws:s3:::${aws:username}/*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if isRegionName(s) != regionRE.MatchString(s) || isAccountID(s) != accountRE.MatchString(s) ||
			isServicePrincipal(s) != servicePrincipalRE.MatchString(s) || withoutVariables(s) != variableRE.ReplaceAllString(s, "*") {
			t.Fatalf("%q: hand-written check and regexp disagree", s)
		}
	})
}

// BenchmarkBuildIndex is what the first lint of a process pays on top of
// the catalog's decoding: the linter's precomputed action sets and maps.
func BenchmarkBuildIndex(b *testing.B) {
	c := catalog.Default()
	b.ReportAllocs()
	for b.Loop() {
		buildIndex(c)
	}
}
