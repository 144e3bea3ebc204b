package lint

import (
	"regexp"
	"testing"

	"github.com/iamguard/iamguard/catalog"
)

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
