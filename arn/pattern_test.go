package arn

import (
	"testing"
	"unicode/utf8"
)

// Case names cite the rule from the IAM User Guide they check:
// [Resource] "IAM JSON policy elements: Resource" (wildcards in ARNs),
// [Action] "IAM JSON policy elements: Action" (case-insensitive actions).
func TestMatchResource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		pattern, value string
		want           bool
	}{
		{"[Resource] exact ARN", "arn:aws:s3:::engify-ai-uploads", "arn:aws:s3:::engify-ai-uploads", true},
		{"[Resource] bucket ARN does not cover its objects", "arn:aws:s3:::engify-ai-uploads", "arn:aws:s3:::engify-ai-uploads/users/a.txt", false},
		{"[Resource] * spans '/' in object keys", "arn:aws:s3:::engify-ai-uploads/*", "arn:aws:s3:::engify-ai-uploads/users/a.txt", true},
		{"[Resource] bucket/* does not cover the bucket itself", "arn:aws:s3:::engify-ai-uploads/*", "arn:aws:s3:::engify-ai-uploads", false},
		{"[Resource] * spans ':' across segments (logs:*:*:*)", "arn:aws:logs:*:*:*",
			"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/engify-rag:log-stream:x", true},
		{"[Resource] * in region and account", "arn:aws:secretsmanager:*:*:secret:engify/*",
			"arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf", true},
		{"[Resource] secret prefix must match", "arn:aws:secretsmanager:*:*:secret:engify/*",
			"arn:aws:secretsmanager:us-east-1:123456789012:secret:other/mongodb-uri-AbCdEf", false},
		{"[Resource] name prefix wildcard", "arn:aws:lambda:*:*:function:engify-*",
			"arn:aws:lambda:us-east-1:123456789012:function:engify-rag", true},
		{"[Resource] case-sensitive", "arn:aws:lambda:*:*:function:engify-*",
			"arn:aws:lambda:us-east-1:123456789012:function:Engify-rag", false},
		{"[Resource] ? is exactly one character", "arn:aws:s3:::bucket-?", "arn:aws:s3:::bucket-1", true},
		{"[Resource] ? is not zero characters", "arn:aws:s3:::bucket-?", "arn:aws:s3:::bucket-", false},
		{"[Resource] ? is not two characters", "arn:aws:s3:::bucket-?", "arn:aws:s3:::bucket-12", false},
		{"[Resource] ? is one character, not one byte", "arn:aws:s3:::b/?", "arn:aws:s3:::b/é", true},
		{"[Resource] * alone matches everything", "*", "arn:aws:s3:::anything", true},
		{"[Resource] * matches empty", "arn:aws:s3:::b*", "arn:aws:s3:::b", true},
		{"[Resource] several stars backtrack", "arn:aws:s3:::synthcoreai-*/*", "arn:aws:s3:::synthcoreai-prod/uploads/x", true},
		{"[Resource] several stars need the '/'", "arn:aws:s3:::synthcoreai-*/*", "arn:aws:s3:::synthcoreai-prod", false},
		{"[Resource] suffix after star", "arn:aws:s3:::*/*.txt", "arn:aws:s3:::b/users/a.txt", true},
		{"[Resource] suffix after star mismatch", "arn:aws:s3:::*/*.txt", "arn:aws:s3:::b/users/a.pdf", false},
		{"[Resource] ? in suffix", "arn:aws:s3:::*-?", "arn:aws:s3:::a-b", true},
		{"[Resource] empty pattern matches only empty", "", "", true},
		{"[Resource] empty pattern", "", "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := MatchResource(tt.pattern, tt.value); got != tt.want {
				t.Errorf("MatchResource(%q, %q) = %v, want %v", tt.pattern, tt.value, got, tt.want)
			}
			if got := refMatch(tt.pattern, tt.value, false); got != tt.want {
				t.Errorf("reference matcher disagrees with the table: %v", got)
			}
		})
	}
}

func TestCompileAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		pattern, value string
		want           bool
	}{
		{"[Action] case-insensitive prefix", "s3:get*", "s3:GetObject", true},
		{"[Action] case-insensitive pattern", "S3:GETOBJECT", "s3:GetObject", true},
		{"[Action] suffix", "s3:*Object", "s3:PutObject", true},
		{"[Action] suffix mismatch", "s3:*Object", "s3:PutObjectAcl", false},
		{"[Action] service wildcard", "*:Describe*", "ec2:DescribeInstances", true},
		{"[Action] ?", "iam:?etRole", "iam:GetRole", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := CompileAction(tt.pattern)
			if got := p.Match(tt.value); got != tt.want {
				t.Errorf("CompileAction(%q).Match(%q) = %v, want %v", tt.pattern, tt.value, got, tt.want)
			}
		})
	}
}

func TestPatternAccessors(t *testing.T) {
	t.Parallel()
	p := CompileResource("arn:aws:s3:::engify-ai-uploads/*")
	if p.Prefix() != "arn:aws:s3:::engify-ai-uploads/" || p.Literal() || p.String() != "arn:aws:s3:::engify-ai-uploads/*" {
		t.Errorf("prefix %q literal %v string %q", p.Prefix(), p.Literal(), p.String())
	}
	if !CompileResource("arn:aws:s3:::b").Literal() {
		t.Error("literal pattern not reported as literal")
	}
}

func TestMatchAllocatesNothing(t *testing.T) {
	p := CompileResource("arn:aws:secretsmanager:*:*:secret:engify/*")
	v := "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf"
	if n := testing.AllocsPerRun(100, func() { p.Match(v) }); n != 0 {
		t.Errorf("Match allocates %v times", n)
	}
}

// refMatch is the obvious recursive matcher, used as the reference in tests
// and fuzzing: '*' any run of characters, '?' one character. Memoised on the
// remaining lengths so that many stars stay polynomial.
func refMatch(p, v string, fold bool) bool {
	memo := map[[2]int]bool{}
	var rec func(p, v string) bool
	rec = func(p, v string) bool {
		k := [2]int{len(p), len(v)}
		if r, ok := memo[k]; ok {
			return r
		}
		r := refStep(p, v, fold, rec)
		memo[k] = r
		return r
	}
	return rec(p, v)
}

func refStep(p, v string, fold bool, rec func(p, v string) bool) bool {
	if p == "" {
		return v == ""
	}
	switch p[0] {
	case '*':
		for i := 0; ; {
			if rec(p[1:], v[i:]) {
				return true
			}
			if i == len(v) {
				return false
			}
			_, n := utf8.DecodeRuneInString(v[i:])
			i += n
		}
	case '?':
		if v == "" {
			return false
		}
		_, n := utf8.DecodeRuneInString(v)
		return rec(p[1:], v[n:])
	default:
		if v == "" {
			return false
		}
		a, b := p[0], v[0]
		if fold {
			a, b = lowerByte(a), lowerByte(b)
		}
		return a == b && rec(p[1:], v[1:])
	}
}

// FuzzMatch: Match never panics and agrees with the recursive reference,
// for both the case-sensitive and the case-insensitive variant.
func FuzzMatch(f *testing.F) {
	f.Add("arn:aws:s3:::engify-ai-uploads/*", "arn:aws:s3:::engify-ai-uploads/users/a.txt")
	f.Add("arn:aws:logs:*:*:*", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/engify-rag:log-stream:x")
	f.Add("arn:aws:secretsmanager:*:*:secret:engify/*", "arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf")
	f.Add("s3:get*", "s3:GetObject")
	f.Add("*?*?", "ab")
	f.Add("a*b?c*", "aXXbYcZ")
	f.Add("?", "é")
	f.Fuzz(func(t *testing.T, pattern, value string) {
		if len(pattern) > 256 || len(value) > 512 {
			return // keep the quadratic reference matcher fast
		}
		if got, want := CompileResource(pattern).Match(value), refMatch(pattern, value, false); got != want {
			t.Fatalf("resource %q vs %q: Match %v, reference %v", pattern, value, got, want)
		}
		if got, want := CompileAction(pattern).Match(value), refMatch(pattern, value, true); got != want {
			t.Fatalf("action %q vs %q: Match %v, reference %v", pattern, value, got, want)
		}
	})
}
