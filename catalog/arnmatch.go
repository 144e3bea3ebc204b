package catalog

import "math/bits"

// Bit-parallel template ∩ pattern test.
//
// intersects (resource.go) runs a dynamic program over (template token,
// pattern byte) pairs. This is the same automaton product with each row (one
// template token) held as a bitset over pattern positions 0..len(p), so a
// row costs a few word operations instead of a loop over the pattern:
//
//   - a literal template byte c moves every live position j whose pattern
//     byte is c or '?' to j+1, and keeps every j whose byte is '*' (the
//     pattern's run absorbs c);
//   - a placeholder's first byte (tOne) does the same with "any byte the
//     placeholder accepts" instead of c;
//   - a placeholder's run (tMany) stays on its row while the pattern
//     advances over accepted bytes, '?' and '*': a closure over runs of
//     such positions, computed with one addition ((X+S)^S sets every
//     position from the lowest live one in a run of S to just past the run);
//   - a pattern '*' may also be empty: the same closure over '*' positions.
//
// Patterns of up to maxPatternLen bytes take this path; longer ones fall
// back to the row-by-row program.

const (
	maskWords     = 4
	maxPatternLen = maskWords*64 - 1 // positions 0..len(p) must fit
)

type posMask [maskWords]uint64

// compiledPattern is an ARN pattern prepared once for testing against many
// templates.
type compiledPattern struct {
	text string
	nw   int // words in use
	star posMask
	// acc[excl]: positions whose byte a placeholder excluding excl accepts
	// (literal bytes outside excl, and '?'). '*' positions are not included:
	// a '*' is handled by star.
	acc [4]posMask
	// eq[slot[c]-1]: positions holding byte c or '?'; a byte absent from the
	// pattern (slot 0) matches the '?' positions only (qmark).
	slot  [256]uint8
	eq    [maxDistinctBytes]posMask
	qmark posMask
}

// maxDistinctBytes bounds the literal bytes of a pattern on the fast path
// (an ARN uses a few dozen); a pattern with more takes the slow path.
const maxDistinctBytes = 64

// compilePattern prepares p in cp, which must be the zero value; ok is
// false when p is too long or too varied for the bit-parallel path.
func compilePattern(cp *compiledPattern, p string) bool {
	if len(p) > maxPatternLen {
		return false
	}
	cp.text = p
	cp.nw = (len(p) + 1 + 63) / 64
	neq := 0
	for j := 0; j < len(p); j++ {
		w, bit := j>>6, uint64(1)<<(uint(j)&63)
		switch c := p[j]; c {
		case '*':
			cp.star[w] |= bit
		case '?':
			cp.qmark[w] |= bit
			for e := range cp.acc {
				cp.acc[e][w] |= bit
			}
		default:
			for e := range cp.acc {
				if !(c == ':' && e&exclColon != 0) && !(c == '/' && e&exclSlash != 0) {
					cp.acc[e][w] |= bit
				}
			}
			if cp.slot[c] == 0 {
				if neq == maxDistinctBytes {
					return false
				}
				neq++
				cp.slot[c] = uint8(neq)
			}
			cp.eq[cp.slot[c]-1][w] |= bit
		}
	}
	for i := range neq {
		for w := range cp.nw {
			cp.eq[i][w] |= cp.qmark[w]
		}
	}
	return true
}

// closure adds to r every position reachable by stepping over bytes in s:
// from a live position j in a run of s positions, every later position of
// the run and the one just past it.
func closure(r *posMask, s *posMask, nw int) {
	var carry uint64
	for w := range nw {
		x := r[w] & s[w]
		sum, c := bits.Add64(x, s[w], carry)
		carry = c
		r[w] |= sum ^ s[w]
	}
}

// intersectsFast reports whether some string matches both the compiled
// template and the compiled pattern.
func intersectsFast(toks []ttok, cp *compiledPattern) bool {
	if cp.nw == 1 {
		return intersects1(toks, cp)
	}
	nw := cp.nw
	var r posMask
	r[0] = 1
	var s posMask
	for i := range toks {
		t := toks[i]
		if t.kind == tMany {
			for w := range nw {
				s[w] = cp.acc[t.excl][w] | cp.star[w]
			}
			closure(&r, &s, nw)
			continue // the run may end here: the next row starts from r
		}
		closure(&r, &cp.star, nw)
		var m *posMask
		if t.kind == tLit {
			if sl := cp.slot[t.c]; sl != 0 {
				m = &cp.eq[sl-1]
			} else {
				m = &cp.qmark
			}
		} else {
			m = &cp.acc[t.excl]
		}
		var carry uint64
		live := uint64(0)
		for w := range nw {
			x := r[w] & m[w]
			shifted := x<<1 | carry
			carry = x >> 63
			r[w] = shifted | r[w]&cp.star[w]
			live |= r[w]
		}
		if live == 0 {
			return false
		}
	}
	closure(&r, &cp.star, nw)
	end := len(cp.text)
	return r[end>>6]&(1<<(uint(end)&63)) != 0
}

// intersects1 is intersectsFast for patterns shorter than 64 bytes (most
// ARNs): one word per row, the closures inlined.
func intersects1(toks []ttok, cp *compiledPattern) bool {
	star := cp.star[0]
	r := uint64(1)
	for _, t := range toks {
		if t.kind == tMany {
			s := cp.acc[t.excl][0] | star
			r |= (r&s + s) ^ s
			continue
		}
		r |= (r&star + star) ^ star
		var m uint64
		switch {
		case t.kind != tLit:
			m = cp.acc[t.excl][0]
		case cp.slot[t.c] != 0:
			m = cp.eq[cp.slot[t.c]-1][0]
		default:
			m = cp.qmark[0]
		}
		r = (r&m)<<1 | r&star
		if r == 0 {
			return false
		}
	}
	r |= (r&star + star) ^ star
	return r&(1<<uint(len(cp.text))) != 0
}

// maxSharedRows bounds the rows intersects1From records (templates are
// far shorter; a longer one is matched without sharing).
const maxSharedRows = 256

// intersects1From is intersects1 starting at row start, whose entering state
// rows[start] was recorded by an earlier template with the same first start
// tokens. It records the state entering each row it computes and returns
// the number of leading rows now valid for this template.
func intersects1From(toks []ttok, cp *compiledPattern, rows *[maxSharedRows]uint64, start int) (bool, int) {
	star := cp.star[0]
	r := rows[start]
	for i := start; i < len(toks); i++ {
		rows[i] = r
		t := toks[i]
		if t.kind == tMany {
			s := cp.acc[t.excl][0] | star
			r |= (r&s + s) ^ s
			continue
		}
		r |= (r&star + star) ^ star
		var m uint64
		switch {
		case t.kind != tLit:
			m = cp.acc[t.excl][0]
		case cp.slot[t.c] != 0:
			m = cp.eq[cp.slot[t.c]-1][0]
		default:
			m = cp.qmark[0]
		}
		r = (r&m)<<1 | r&star
		if r == 0 {
			return false, i + 1
		}
	}
	rows[len(toks)] = r
	r |= (r&star + star) ^ star
	return r&(1<<uint(len(cp.text))) != 0, len(toks) + 1
}
