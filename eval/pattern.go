package eval

import (
	"strings"
	"unicode/utf8"
)

// A pattern is an IAM wildcard pattern (Resource, NotResource, StringLike and
// ArnLike values) compiled once into parts. Policy variables stay parts of
// their own so that a request's values are matched in place: matching never
// builds the substituted string, and so never allocates.
type pattern struct {
	text  string
	parts []part
	// prefix is the literal text every match starts with (up to the first
	// wildcard or variable): the fast reject.
	prefix string
	// any is true for "*": everything matches.
	any bool
	// literal is true when the pattern has no wildcard and no variable.
	literal bool
	hasVars bool
}

type partKind uint8

const (
	partLiteral  partKind = iota
	partStar              // * : any run of characters
	partQuestion          // ? : exactly one character
	partVar               // ${key} or ${key, 'default'}
)

type part struct {
	kind partKind
	text string // literal text, or the variable's key lowercased
	// def is the variable's default value, used when the key is absent.
	def    string
	hasDef bool
}

// varSource resolves a policy variable (a lowercased key) to its value.
type varSource interface {
	variable(key string) (string, bool)
}

// compilePattern splits text into parts. With vars false (policy version
// 2008-10-17 or no version), "${...}" is literal text, as AWS treats it.
// wildcards false makes * and ? literal too (StringEquals values).
func compilePattern(text string, vars, wildcards bool) *pattern {
	p := &pattern{text: text}
	if wildcards && text == "*" {
		p.any = true
		p.parts = []part{{kind: partStar}}
		return p
	}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.parts = append(p.parts, part{kind: partLiteral, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case wildcards && c == '*':
			flush()
			p.parts = append(p.parts, part{kind: partStar})
			i++
		case wildcards && c == '?':
			flush()
			p.parts = append(p.parts, part{kind: partQuestion})
			i++
		case vars && c == '$' && i+1 < len(text) && text[i+1] == '{':
			end := strings.IndexByte(text[i+2:], '}')
			if end < 0 {
				lit.WriteByte(c)
				i++
				continue
			}
			body := text[i+2 : i+2+end]
			i += 2 + end + 1
			switch body {
			case "*", "?", "$":
				// The escapes: the character itself, never a wildcard.
				lit.WriteString(body)
				continue
			}
			flush()
			v := part{kind: partVar}
			if key, def, ok := splitVarDefault(body); ok {
				v.text, v.def, v.hasDef = strings.ToLower(key), def, true
			} else {
				v.text = strings.ToLower(strings.TrimSpace(body))
			}
			p.parts = append(p.parts, v)
			p.hasVars = true
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	p.literal = true
	for _, pt := range p.parts {
		if pt.kind != partLiteral {
			p.literal = false
			break
		}
	}
	if len(p.parts) > 0 && p.parts[0].kind == partLiteral {
		p.prefix = p.parts[0].text
	}
	return p
}

// splitVarDefault splits "aws:PrincipalTag/team, 'company-wide'".
func splitVarDefault(body string) (key, def string, ok bool) {
	comma := strings.IndexByte(body, ',')
	if comma < 0 {
		return "", "", false
	}
	key = strings.TrimSpace(body[:comma])
	rest := strings.TrimSpace(body[comma+1:])
	if len(rest) >= 2 && rest[0] == '\'' && rest[len(rest)-1] == '\'' {
		return key, rest[1 : len(rest)-1], true
	}
	return "", "", false
}

// resolve returns a variable part's value; ok is false when the key is absent
// and has no default, which makes the whole pattern match nothing.
func (pt *part) resolve(vs varSource) (string, bool) {
	if vs != nil {
		if v, ok := vs.variable(pt.text); ok {
			return v, true
		}
	}
	if pt.hasDef {
		return pt.def, true
	}
	return "", false
}

// match reports whether s matches the whole pattern. foldCase compares
// letters case-insensitively (actions); resources and StringLike are
// case-sensitive.
func (p *pattern) match(s string, vs varSource) bool {
	if p.any {
		return true
	}
	if p.literal {
		if len(p.parts) == 0 {
			return s == ""
		}
		return s == p.parts[0].text
	}
	if !strings.HasPrefix(s, p.prefix) {
		return false
	}
	return matchParts(p.parts, s, vs)
}

// matchParts is the linear-time wildcard match with backtracking to the last
// star: a literal run (or a resolved variable) must appear whole, a star
// absorbs any run, a question mark one character.
func matchParts(parts []part, s string, vs varSource) bool {
	// A literal tail must end the value: most mismatches stop here.
	if last := &parts[len(parts)-1]; last.kind == partLiteral && !strings.HasSuffix(s, last.text) {
		return false
	}
	pi, si := 0, 0
	starPi, starSi := -1, 0
	for {
		if pi < len(parts) {
			pt := &parts[pi]
			switch pt.kind {
			case partStar:
				if pi == len(parts)-1 {
					return true // a trailing star takes the rest
				}
				starPi, starSi = pi, si
				pi++
				// Jump straight to the next place the following literal occurs.
				if next := &parts[pi]; next.kind == partLiteral {
					j := strings.Index(s[si:], next.text)
					if j < 0 {
						return false
					}
					si += j
					starSi = si
				}
				continue
			case partQuestion:
				if si < len(s) {
					_, w := utf8.DecodeRuneInString(s[si:])
					si += w
					pi++
					continue
				}
			case partLiteral:
				if strings.HasPrefix(s[si:], pt.text) {
					si += len(pt.text)
					pi++
					continue
				}
			case partVar:
				v, ok := pt.resolve(vs)
				if !ok {
					return false
				}
				if strings.HasPrefix(s[si:], v) {
					si += len(v)
					pi++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		// Backtrack: let the last star absorb one more character.
		if starPi < 0 || starSi >= len(s) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starSi:])
		starSi += w
		if next := &parts[starPi+1]; next.kind == partLiteral {
			j := strings.Index(s[starSi:], next.text)
			if j < 0 {
				return false
			}
			starSi += j
		}
		si = starSi
		pi = starPi + 1
	}
}

// equal reports whether s equals the pattern's text with variables
// substituted (StringEquals): no wildcards, so a straight walk.
func (p *pattern) equal(s string, vs varSource, fold bool) bool {
	if !p.hasVars {
		t := ""
		if len(p.parts) == 1 {
			t = p.parts[0].text
		}
		if fold {
			return strings.EqualFold(s, t)
		}
		return s == t
	}
	si := 0
	for i := range p.parts {
		pt := &p.parts[i]
		t := pt.text
		if pt.kind == partVar {
			v, ok := pt.resolve(vs)
			if !ok {
				return false
			}
			t = v
		}
		if len(s)-si < len(t) {
			return false
		}
		if fold {
			if !strings.EqualFold(s[si:si+len(t)], t) {
				return false
			}
		} else if s[si:si+len(t)] != t {
			return false
		}
		si += len(t)
	}
	return si == len(s)
}

// substitute renders the pattern with variables resolved, for explanations
// only (it allocates). Unresolvable variables stay as written.
func (p *pattern) substitute(vs varSource) string {
	if !p.hasVars {
		return p.text
	}
	var b strings.Builder
	for i := range p.parts {
		pt := &p.parts[i]
		switch pt.kind {
		case partLiteral:
			b.WriteString(pt.text)
		case partStar:
			b.WriteByte('*')
		case partQuestion:
			b.WriteByte('?')
		case partVar:
			if v, ok := pt.resolve(vs); ok {
				b.WriteString(v)
			} else {
				b.WriteString("${" + pt.text + "}")
			}
		}
	}
	return b.String()
}

// unresolved returns the first variable of the pattern the request cannot
// resolve ("" when all resolve).
func (p *pattern) unresolved(vs varSource) string {
	for i := range p.parts {
		if p.parts[i].kind == partVar {
			if _, ok := p.parts[i].resolve(vs); !ok {
				return p.parts[i].text
			}
		}
	}
	return ""
}

// arnPattern is an ARN pattern matched segment by segment, as AWS matches
// Resource and ArnLike values: the six colon-separated parts (partition,
// service, region, account, resource) are compared separately, so a * in
// the region cannot swallow the account; the last part takes the rest of
// the ARN, colons included.
type arnPattern struct {
	text string
	// whole is used when the pattern is not an ARN ("*", or text without
	// the arn: prefix): one pattern over the whole value.
	whole *pattern
	segs  []*pattern
	// prefix is the literal start of the whole text: the fast reject.
	prefix string
}

// maxARNSegments is "arn", partition, service, region, account, resource.
const maxARNSegments = 6

func compileARNPattern(text string, vars bool) *arnPattern {
	ap := &arnPattern{text: text}
	if !strings.HasPrefix(text, "arn:") {
		ap.whole = compilePattern(text, vars, true)
		ap.prefix = ap.whole.prefix
		return ap
	}
	for _, seg := range splitARNText(text, vars) {
		ap.segs = append(ap.segs, compilePattern(seg, vars, true))
	}
	whole := compilePattern(text, vars, true)
	ap.prefix = whole.prefix
	return ap
}

// splitARNText splits at the first five colons that are not inside a
// ${...} variable (variables like ${aws:username} contain a colon).
func splitARNText(s string, vars bool) []string {
	out := make([]string, 0, maxARNSegments)
	start, depth := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '$':
			if vars && i+1 < len(s) && s[i+1] == '{' {
				depth++
				i++
			}
		case '}':
			if depth > 0 {
				depth--
			}
		case ':':
			if depth == 0 && len(out) < maxARNSegments-1 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// arnValue is a request value split into ARN segments once per request.
type arnValue struct {
	s    string
	segs [maxARNSegments]string
	n    int // number of segments; 0 when s is not an ARN
}

func splitARNValue(s string) arnValue {
	v := arnValue{s: s}
	if !strings.HasPrefix(s, "arn:") {
		return v
	}
	rest := s
	for v.n < maxARNSegments-1 {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			break
		}
		v.segs[v.n] = rest[:i]
		v.n++
		rest = rest[i+1:]
	}
	v.segs[v.n] = rest
	v.n++
	return v
}

// match reports whether the ARN value matches segment by segment. A pattern
// with fewer segments than the value matches the remainder with its last
// segment, which is how "arn:aws:s3:::*"-style patterns behave.
func (ap *arnPattern) match(v *arnValue, vs varSource) bool {
	if ap.whole != nil {
		return ap.whole.match(v.s, vs)
	}
	if !strings.HasPrefix(v.s, ap.prefix) {
		return false
	}
	if v.n == 0 || len(ap.segs) > v.n {
		return false
	}
	last := len(ap.segs) - 1
	for i := 0; i < last; i++ {
		if !ap.segs[i].match(v.segs[i], vs) {
			return false
		}
	}
	if last == v.n-1 {
		return ap.segs[last].match(v.segs[last], vs)
	}
	// The value has more segments: the pattern's last one spans the rest.
	off := 0
	for i := 0; i < last; i++ {
		off += len(v.segs[i]) + 1
	}
	return ap.segs[last].match(v.s[off:], vs)
}
