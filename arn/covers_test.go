package arn

import "testing"

// coversDP is Covers without the literal prefix/suffix shortcut:
// the reference the shortcut must agree with.
func coversDP(b, a string) bool {
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

func TestCovers(t *testing.T) {
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
		{"everything", "*", "arn:aws:s3:::b/*", true},
		{"wider prefix", "arn:aws:s3:::b/*", "arn:aws:s3:::b/users/*", true},
		{"narrower prefix", "arn:aws:s3:::b/users/*", "arn:aws:s3:::b/*", false},
		{"project buckets", "arn:aws:s3:::synthcoreai-*/*", "arn:aws:s3:::synthcoreai-uploads/*", true},
		{"one bucket does not cover the project", "arn:aws:s3:::synthcoreai-uploads/*", "arn:aws:s3:::synthcoreai-*/*", false},
		{"question mark covers one character", "a?c", "abc", true},
		{"star covers question mark", "a*c", "a?c", true},
		{"different literal", "abc", "abd", false},
		{"secret suffix", "secret:x-??????", "secret:x-AbCdEf", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Covers(tt.b, tt.a); got != tt.want {
				t.Errorf("Covers(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
			}
			if got := coversDP(tt.b, tt.a); got != tt.want {
				t.Errorf("reference coversDP(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

// FuzzCovers: the literal prefix/suffix shortcut never changes the
// answer of the dynamic program.
func FuzzCovers(f *testing.F) {
	f.Add("arn:aws:s3:::b/*", "arn:aws:s3:::b/k")
	f.Add("ab*ba", "aba")
	f.Add("a?*", "a*?")
	f.Add("*x*", "y*x")
	f.Fuzz(func(t *testing.T, b, a string) {
		if got, want := Covers(b, a), coversDP(b, a); got != want {
			t.Fatalf("Covers(%q, %q) = %v, reference %v", b, a, got, want)
		}
	})
}
