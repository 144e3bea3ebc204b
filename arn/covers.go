package arn

import "strings"

// Covers reports whether every value IAM wildcard pattern a matches is
// also matched by pattern b ('*' any run, '?' one character). It is exact when a has no
// wildcards and sound otherwise: a '*' of a is only covered by a '*' of b.
func Covers(b, a string) bool {
	if b == a {
		return true
	}
	// b's literal prefix and suffix must be literally in a: a wildcard of a
	// there could produce another character. Most pairs stop here.
	pre := strings.IndexAny(b, "*?")
	if pre < 0 {
		return false // b is literal and differs from a
	}
	if pre > len(a) || a[:pre] != b[:pre] {
		return false
	}
	suf := len(b) - 1 - strings.LastIndexAny(b, "*?")
	if suf > len(a)-pre || a[len(a)-suf:] != b[len(b)-suf:] {
		return false
	}
	// Match b against a's text, where a's own '*' can only be consumed by a
	// '*' of b, and a's '?' by a '?' or '*' of b: the iterative glob
	// matcher that retries from b's last '*', linear on typical inputs.
	bi, ai, starB, starA := 0, 0, -1, 0
	for ai < len(a) {
		if bi < len(b) && b[bi] == '*' {
			starB, starA = bi, ai
			bi++
			continue
		}
		if bi < len(b) && (b[bi] == '?' && a[ai] != '*' || b[bi] == a[ai] && b[bi] != '?') {
			bi++
			ai++
			continue
		}
		if starB < 0 {
			return false
		}
		bi, starA = starB+1, starA+1
		ai = starA
	}
	for bi < len(b) && b[bi] == '*' {
		bi++
	}
	return bi == len(b)
}
