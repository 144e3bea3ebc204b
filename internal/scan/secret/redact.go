package secret

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"
)

// Redact hides a secret for display: it keeps at most 4 leading and 4
// trailing characters and never more than a third of the secret, replacing
// the rest with '*'. Short secrets (under 3 characters) are hidden entirely.
func Redact(s string) string {
	r := []rune(s)
	keep := min(len(r)/3, 8)
	lead := (keep + 1) / 2
	trail := keep - lead
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(string(r[:lead]))
	b.WriteString(strings.Repeat("*", len(r)-lead-trail))
	b.WriteString(string(r[len(r)-trail:]))
	return b.String()
}

// Fingerprint is the stable identity of a finding for allowlists: the first
// 16 hex digits of sha256(file, code, secret). It survives line moves and
// does not reveal the secret.
func Fingerprint(file, code, secret string) string {
	h := sha256.New()
	h.Write([]byte(file))
	h.Write([]byte{0})
	h.Write([]byte(code))
	h.Write([]byte{0})
	h.Write([]byte(secret))
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:8])
}

// entropy is the Shannon entropy of s in bits per byte.
func entropy[T ~string | ~[]byte](s T) float64 {
	if len(s) == 0 {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	var h float64
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h
}

// charClasses reports which of lower case letters, upper case letters and
// digits occur in s.
func charClasses[T ~string | ~[]byte](s T) (lower, upper, digit bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
			lower = true
		case 'A' <= c && c <= 'Z':
			upper = true
		case '0' <= c && c <= '9':
			digit = true
		}
	}
	return
}

// mixedClasses reports whether s draws on at least two of lower case, upper
// case and digits: prose and identifiers rarely do, generated secrets do.
func mixedClasses[T ~string | ~[]byte](s T) bool {
	l, u, d := charClasses(s)
	n := 0
	for _, b := range []bool{l, u, d} {
		if b {
			n++
		}
	}
	return n >= 2
}

// hideSecret is the last line of defence of "never print a secret in full":
// whatever a message template did, no occurrence of the secret survives.
func hideSecret(msg, secret string) string {
	if secret == "" {
		return msg
	}
	for range 4 {
		if !strings.Contains(msg, secret) {
			return msg
		}
		msg = strings.ReplaceAll(msg, secret, Redact(secret))
	}
	for _, fallback := range []string{"hardcoded secret (message withheld)", "withheld"} {
		if !strings.Contains(fallback, secret) {
			return fallback
		}
	}
	return ""
}
