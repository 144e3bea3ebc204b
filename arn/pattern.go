package arn

import (
	"strings"
	"unicode/utf8"
)

// Pattern is a compiled IAM wildcard pattern ('*' any run, '?' one
// character). It is immutable and safe for concurrent use.
type Pattern struct {
	text   string // as written (lower-cased when fold)
	prefix string // literal text before the first wildcard
	suffix string // literal text after the last '*' (empty when there is no '*')
	middle string // text between prefix and suffix, still holding wildcards
	fold   bool   // ASCII case-insensitive (actions)
	exact  bool   // no wildcard at all: Match is a string comparison
	hasStr bool   // middle contains a '*'
	minLen int    // shortest value that can match
}

// CompileResource compiles a case-sensitive resource pattern.
func CompileResource(pattern string) *Pattern { return compile(pattern, false) }

// CompileAction compiles a case-insensitive action pattern such as "s3:get*".
func CompileAction(pattern string) *Pattern { return compile(pattern, true) }

// MatchResource reports whether value matches the resource pattern. It
// compiles the pattern on each call; compile once for repeated use.
func MatchResource(pattern, value string) bool { return CompileResource(pattern).Match(value) }

func compile(pattern string, fold bool) *Pattern {
	if fold {
		pattern = lowerASCII(pattern)
	}
	p := &Pattern{text: pattern, fold: fold}
	first := strings.IndexAny(pattern, "*?")
	if first < 0 {
		p.exact, p.prefix, p.minLen = true, pattern, len(pattern)
		return p
	}
	p.prefix = pattern[:first]
	rest := pattern[first:]
	if last := strings.LastIndexByte(rest, '*'); last >= 0 {
		p.suffix = rest[last+1:]
		// A '?' in the suffix makes it non-literal, and a suffix starting
		// with a UTF-8 continuation byte could split a character that a '*'
		// must consume whole: keep those in middle.
		if strings.IndexByte(p.suffix, '?') >= 0 || (p.suffix != "" && p.suffix[0]&0xC0 == 0x80) {
			p.suffix = ""
		} else {
			rest = rest[:last+1]
		}
	}
	p.middle = rest
	p.hasStr = strings.IndexByte(rest, '*') >= 0
	p.minLen = len(p.prefix) + len(p.suffix)
	for i := 0; i < len(rest); i++ {
		if rest[i] != '*' {
			p.minLen++
		}
	}
	return p
}

// String returns the pattern text (lower-cased for action patterns).
func (p *Pattern) String() string { return p.text }

// Literal reports whether the pattern has no wildcard.
func (p *Pattern) Literal() bool { return p.exact }

// Prefix is the literal text before the first wildcard.
func (p *Pattern) Prefix() string { return p.prefix }

// Match reports whether value matches the whole pattern. It allocates nothing.
func (p *Pattern) Match(value string) bool {
	if len(value) < p.minLen {
		return false
	}
	if p.exact {
		if p.fold {
			return equalFold(value, p.prefix)
		}
		return value == p.prefix
	}
	if !p.hasPrefix(value, p.prefix) || !p.hasSuffix(value, p.suffix) {
		return false
	}
	return p.glob(p.middle, value[len(p.prefix):len(value)-len(p.suffix)])
}

func (p *Pattern) hasPrefix(v, lit string) bool {
	if p.fold {
		return len(v) >= len(lit) && equalFold(v[:len(lit)], lit)
	}
	return strings.HasPrefix(v, lit)
}

func (p *Pattern) hasSuffix(v, lit string) bool {
	if p.fold {
		return len(v) >= len(lit) && equalFold(v[len(v)-len(lit):], lit)
	}
	return strings.HasSuffix(v, lit)
}

// glob is the classic iterative matcher: on a mismatch, retry from the most
// recent '*' one character further. Worst case O(len(pat)*len(val)), no
// recursion and no allocation.
func (p *Pattern) glob(pat, val string) bool {
	pi, vi := 0, 0
	star, mark := -1, 0
	for vi < len(val) {
		if pi < len(pat) {
			switch c := pat[pi]; c {
			case '*':
				star, mark = pi, vi
				pi++
				continue
			case '?':
				pi++
				vi += runeLen(val, vi)
				continue
			default:
				v := val[vi]
				if p.fold {
					v = lowerByte(v)
				}
				if v == c {
					pi++
					vi++
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		mark += runeLen(val, mark)
		vi = mark
	}
	for pi < len(pat) && pat[pi] == '*' {
		pi++
	}
	return pi == len(pat)
}

// runeLen is the byte length of the character at s[i], so that '?' matches
// one character, not one byte, of a non-ASCII value.
func runeLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// equalFold compares s with lower, which is already lower-case ASCII.
func equalFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lowerByte(s[i]) != lower[i] {
			return false
		}
	}
	return true
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerByte(b[j])
			}
			return string(b)
		}
	}
	return s
}
