package lint

import "testing"

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
