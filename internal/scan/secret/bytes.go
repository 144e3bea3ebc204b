package secret

import "bytes"

// Byte classes and small cursor helpers shared by the detectors. They work on
// the raw input so validation allocates nothing until a match is certain.

func isLower(c byte) bool  { return 'a' <= c && c <= 'z' }
func isUpper(c byte) bool  { return 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isAlnum(c byte) bool  { return isLower(c) || isUpper(c) || isDigit(c) }
func isHex(c byte) bool    { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isBase32(c byte) bool { return isUpper(c) || '2' <= c && c <= '7' }
func isB64(c byte) bool    { return isAlnum(c) || c == '+' || c == '/' }
func isB64Pad(c byte) bool { return isB64(c) || c == '=' }
func isURL64(c byte) bool  { return isAlnum(c) || c == '-' || c == '_' }
func isWord(c byte) bool   { return isAlnum(c) || c == '_' }
func isSlackBody(c byte) bool {
	return isAlnum(c) || c == '-'
}
func isQuote(c byte) bool { return c == '"' || c == '\'' || c == '`' }
func isBlank(c byte) bool { return c == ' ' || c == '\t' }
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isIdentByte covers identifiers across languages and config keys:
// "aws_secret_access_key", "clientSecret", "x-api-key", "config.db.password".
func isIdentByte(c byte) bool { return isWord(c) || c == '-' || c == '.' }

// runEnd returns the end of the run of bytes satisfying ok that starts at i.
func runEnd(d []byte, i int, ok func(byte) bool) int {
	for i < len(d) && ok(d[i]) {
		i++
	}
	return i
}

func hasPrefixAt(d []byte, at int, prefix string) bool {
	return at >= 0 && len(d)-at >= len(prefix) && string(d[at:at+len(prefix)]) == prefix
}

// boundaryBefore reports whether the token starting at at is not glued to a
// preceding letter or digit ("xAKIA…" is no key ID).
func boundaryBefore(d []byte, at int) bool { return at == 0 || !isAlnum(d[at-1]) }

// lineStart returns the offset of the first byte of the line holding at.
func lineStart(d []byte, at int) int { return bytes.LastIndexByte(d[:at], '\n') + 1 }

// lineEnd returns the offset of the newline ending the line holding at (or
// len(d)).
func lineEnd(d []byte, at int) int {
	if i := bytes.IndexByte(d[at:], '\n'); i >= 0 {
		return at + i
	}
	return len(d)
}

// linesBefore returns the start of the line n lines above the one holding at.
func linesBefore(d []byte, at, n int) int {
	s := lineStart(d, at)
	for ; n > 0 && s > 0; n-- {
		s = lineStart(d, s-1)
	}
	return s
}

// linesAfter returns the end of the line n lines below the one holding at.
func linesAfter(d []byte, at, n int) int {
	e := lineEnd(d, at)
	for ; n > 0 && e < len(d); n-- {
		e = lineEnd(d, e+1)
	}
	return e
}

func allHex(b []byte) bool {
	for _, c := range b {
		if !isHex(c) {
			return false
		}
	}
	return len(b) > 0
}

func hasLetterAndDigit(b []byte) bool {
	var letter, digit bool
	for _, c := range b {
		letter = letter || isLower(c) || isUpper(c)
		digit = digit || isDigit(c)
	}
	return letter && digit
}

func containsFold(hay []byte, needles ...string) bool {
	for _, n := range needles {
		if indexFold(hay, n) >= 0 {
			return true
		}
	}
	return false
}

// indexFold is an ASCII case-insensitive bytes.Index for a lower-case needle.
func indexFold(hay []byte, lowerNeedle string) int {
	n := len(lowerNeedle)
	for i := 0; i+n <= len(hay); i++ {
		j := 0
		for j < n && fold(hay[i+j]) == lowerNeedle[j] {
			j++
		}
		if j == n {
			return i
		}
	}
	return -1
}

// indexFoldBytes is an ASCII case-insensitive bytes.Index.
func indexFoldBytes(hay, needle []byte) int {
	n := len(needle)
	for i := 0; i+n <= len(hay); i++ {
		j := 0
		for j < n && fold(hay[i+j]) == fold(needle[j]) {
			j++
		}
		if j == n {
			return i
		}
	}
	return -1
}
