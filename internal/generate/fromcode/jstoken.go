package fromcode

import "strings"

// tokKind is a token's kind, shared by the JavaScript and Python tokenizers.
type tokKind uint8

const (
	tIdent tokKind = iota
	tString
	tNumber
	tPunct
	tNewline // Python only: a logical line ends
)

// tok is one lexical token. For strings, Text is the literal's value up
// to its first interpolation, and Partial says an interpolation followed
// (a template literal with ${…}, an f-string with {…}): only the prefix is
// known.
type tok struct {
	Text    string
	Line    int32
	Kind    tokKind
	Partial bool
	// Top is set (Python) on a token that starts a line at column 0: a
	// module-level statement.
	Top bool
}

// jsKeywordsBeforeRegex are words after which '/' starts a regular
// expression rather than a division.
var jsKeywordsBeforeRegex = map[string]bool{
	"return": true, "typeof": true, "case": true, "in": true, "of": true, "new": true, "delete": true,
	"void": true, "throw": true, "else": true, "do": true, "instanceof": true, "yield": true, "await": true,
}

// TokenizeJS splits JavaScript or TypeScript into tokens, skipping
// comments and regular expressions. It never fails: unterminated strings
// and comments end at the end of input. Template literals yield one string
// token holding their text up to the first ${…}; the expressions inside are
// tokenized too, so calls written in them are still seen.
func TokenizeJS(src []byte) []tok {
	// One string for the whole file: token texts are slices of it, so an
	// identifier or an escape-free string costs no allocation.
	lx := jsLexer{src: src, text: string(src), line: 1, toks: make([]tok, 0, len(src)/4+16)}
	lx.run(0)
	return lx.toks
}

type jsLexer struct {
	src  []byte
	text string
	i    int
	line int32
	toks []tok
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$' || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// regexAllowed reports whether a '/' here starts a regular expression.
func (lx *jsLexer) regexAllowed() bool {
	if len(lx.toks) == 0 {
		return true
	}
	t := lx.toks[len(lx.toks)-1]
	switch t.Kind {
	case tIdent:
		return jsKeywordsBeforeRegex[t.Text]
	case tString, tNumber:
		return false
	case tPunct:
		return t.Text != ")" && t.Text != "]" && t.Text != "}"
	}
	return true
}

// run lexes until the input ends or, inside a template expression
// (depth > 0), until the '}' that closes it.
func (lx *jsLexer) run(depth int) {
	braces := 0
	src := lx.src
	for lx.i < len(src) {
		c := src[lx.i]
		switch {
		case c == '\n':
			lx.line++
			lx.i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			lx.i++
		case c == '/' && lx.i+1 < len(src) && src[lx.i+1] == '/':
			for lx.i < len(src) && src[lx.i] != '\n' {
				lx.i++
			}
		case c == '/' && lx.i+1 < len(src) && src[lx.i+1] == '*':
			lx.i += 2
			for lx.i < len(src) && !(src[lx.i] == '*' && lx.i+1 < len(src) && src[lx.i+1] == '/') {
				if src[lx.i] == '\n' {
					lx.line++
				}
				lx.i++
			}
			lx.i += 2
		case c == '/' && lx.regexAllowed():
			lx.skipRegex()
		case c == '"' || c == '\'':
			lx.quoted(c)
		case c == '`':
			lx.template(depth)
		case isIdentStart(c):
			start := lx.i
			for lx.i < len(src) && isIdentPart(src[lx.i]) {
				lx.i++
			}
			lx.toks = append(lx.toks, tok{Kind: tIdent, Text: lx.text[start:lx.i], Line: lx.line})
		case c >= '0' && c <= '9' || c == '.' && lx.i+1 < len(src) && src[lx.i+1] >= '0' && src[lx.i+1] <= '9':
			start := lx.i
			for lx.i < len(src) && (isIdentPart(src[lx.i]) || src[lx.i] == '.') {
				lx.i++
			}
			lx.toks = append(lx.toks, tok{Kind: tNumber, Text: lx.text[start:lx.i], Line: lx.line})
		default:
			if depth > 0 {
				if c == '{' {
					braces++
				} else if c == '}' {
					if braces == 0 {
						lx.i++
						return
					}
					braces--
				}
			}
			text := lx.text[lx.i : lx.i+1]
			// The multi-character operators the analyzers look at.
			if c == '.' || c == '=' || c == '?' {
				for _, op := range [...]string{"...", "=>", "?.", "??"} {
					if op[0] == c && strings.HasPrefix(lx.text[lx.i:], op) {
						text = op
						break
					}
				}
			}
			lx.toks = append(lx.toks, tok{Kind: tPunct, Text: text, Line: lx.line})
			lx.i += len(text)
		}
	}
}

func (lx *jsLexer) skipRegex() {
	src := lx.src
	lx.i++
	inClass := false
	for lx.i < len(src) {
		c := src[lx.i]
		switch {
		case c == '\\':
			lx.i++
		case c == '\n':
			return // not a regex after all; resume on the next line
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case c == '/' && !inClass:
			lx.i++
			for lx.i < len(src) && isIdentPart(src[lx.i]) {
				lx.i++
			}
			// A regex is a value: record it so a following '/' divides.
			lx.toks = append(lx.toks, tok{Kind: tNumber, Text: "/regex/", Line: lx.line})
			return
		}
		lx.i++
	}
}

func (lx *jsLexer) quoted(q byte) {
	src := lx.src
	line := lx.line
	lx.i++
	// Fast path: no escape before the closing quote.
	for j := lx.i; j < len(src); j++ {
		c := src[j]
		if c == q {
			lx.toks = append(lx.toks, tok{Kind: tString, Text: lx.text[lx.i:j], Line: line})
			lx.i = j + 1
			return
		}
		if c == '\\' || c == '\n' {
			break
		}
	}
	var buf []byte
	for lx.i < len(src) && src[lx.i] != q {
		c := src[lx.i]
		if c == '\n' {
			break // unterminated: strings do not span lines
		}
		if c == '\\' && lx.i+1 < len(src) {
			lx.i++
			buf = append(buf, unescape(src[lx.i]))
			if src[lx.i] == '\n' {
				lx.line++
			}
			lx.i++
			continue
		}
		buf = append(buf, c)
		lx.i++
	}
	lx.i++
	lx.toks = append(lx.toks, tok{Kind: tString, Text: string(buf), Line: line})
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	case '0':
		return 0
	}
	return c
}

// maxTemplateDepth bounds templates nested in template expressions; deeper
// ones are read as text, so hostile input cannot exhaust the stack.
const maxTemplateDepth = 64

// template lexes a template literal: its text up to the first ${ becomes
// the string token; each ${…} is lexed as code.
func (lx *jsLexer) template(depth int) {
	src := lx.src
	line := lx.line
	lx.i++
	var buf []byte
	partial := false
	idx := len(lx.toks)
	lx.toks = append(lx.toks, tok{Kind: tString, Line: line})
	for lx.i < len(src) && src[lx.i] != '`' {
		c := src[lx.i]
		switch {
		case c == '\\' && lx.i+1 < len(src):
			lx.i++
			if !partial {
				buf = append(buf, unescape(src[lx.i]))
			}
			if src[lx.i] == '\n' {
				lx.line++
			}
			lx.i++
		case c == '$' && lx.i+1 < len(src) && src[lx.i+1] == '{' && depth < maxTemplateDepth:
			partial = true
			lx.i += 2
			// The expression's tokens go after the string token, bracketed
			// so that they never read as part of an argument list.
			lx.toks = append(lx.toks, tok{Kind: tPunct, Text: "${", Line: lx.line})
			lx.run(depth + 1)
			lx.toks = append(lx.toks, tok{Kind: tPunct, Text: "}$", Line: lx.line})
		default:
			if c == '\n' {
				lx.line++
			}
			if !partial {
				buf = append(buf, c)
			}
			lx.i++
		}
	}
	lx.i++
	lx.toks[idx].Text = string(buf)
	lx.toks[idx].Partial = partial
}
