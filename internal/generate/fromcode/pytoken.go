package fromcode

// TokenizePython splits Python source into tokens, skipping comments. It
// never fails: an unterminated string ends at the end of its line (or of
// the input, for triple quotes). Strings keep their value; an f-string's
// value stops at its first replacement field and is marked Partial. A
// tNewline token ends each logical line (newlines inside brackets do not).
func TokenizePython(src []byte) []tok {
	text := string(src) // token texts are slices of it: no allocation per token
	toks := make([]tok, 0, len(src)/4+16)
	line := int32(1)
	depth := 0
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			if depth == 0 && len(toks) > 0 && toks[len(toks)-1].Kind != tNewline {
				toks = append(toks, tok{Kind: tNewline, Text: "\n", Line: line})
			}
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i += 2
			line++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			var t tok
			t, i, line = pyString(src, text, i, line, false, false)
			toks = append(toks, t)
		case isPyIdentStart(c):
			start := i
			for i < len(src) && isPyIdentPart(src[i]) {
				i++
			}
			word := src[start:i]
			if i < len(src) && (src[i] == '"' || src[i] == '\'') && len(word) <= 2 && isStringPrefix(word) {
				raw, f := false, false
				for _, p := range word {
					switch p | 0x20 {
					case 'r':
						raw = true
					case 'f':
						f = true
					}
				}
				var t tok
				t, i, line = pyString(src, text, i, line, raw, f)
				toks = append(toks, t)
				continue
			}
			top := start == 0 || src[start-1] == '\n'
			toks = append(toks, tok{Kind: tIdent, Text: text[start:i], Line: line, Top: top})
		case c >= '0' && c <= '9':
			start := i
			for i < len(src) && (isPyIdentPart(src[i]) || src[i] == '.') {
				i++
			}
			toks = append(toks, tok{Kind: tNumber, Text: text[start:i], Line: line})
		default:
			switch c {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
			}
			toks = append(toks, tok{Kind: tPunct, Text: text[i : i+1], Line: line})
			i++
		}
	}
	return toks
}

func isPyIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isPyIdentPart(c byte) bool { return isPyIdentStart(c) || c >= '0' && c <= '9' }

func isStringPrefix(w []byte) bool {
	for _, c := range w {
		switch c | 0x20 {
		case 'r', 'b', 'u', 'f':
		default:
			return false
		}
	}
	return true
}

// pyString reads a string literal starting at its quote.
func pyString(src []byte, text string, i int, line int32, raw, fstr bool) (tok, int, int32) {
	q := src[i]
	t := tok{Kind: tString, Line: line}
	triple := i+2 < len(src) && src[i+1] == q && src[i+2] == q
	if triple {
		i += 3
	} else {
		i++
		// Fast path: a one-line string without escapes (or replacement
		// fields) is a slice of the source.
		for j := i; j < len(src); j++ {
			c := src[j]
			if c == q {
				t.Text = text[i:j]
				return t, j + 1, line
			}
			if c == '\\' || c == '\n' || fstr && c == '{' {
				break
			}
		}
	}
	var buf []byte
	partial := false
	for i < len(src) {
		c := src[i]
		if triple {
			if c == q && i+2 < len(src) && src[i+1] == q && src[i+2] == q {
				i += 3
				break
			}
		} else if c == q {
			i++
			break
		} else if c == '\n' {
			break // unterminated
		}
		switch {
		case c == '\\' && i+1 < len(src):
			if src[i+1] == '\n' {
				line++
			}
			if !partial {
				if raw {
					buf = append(buf, c, src[i+1])
				} else {
					buf = append(buf, unescape(src[i+1]))
				}
			}
			i += 2
			continue
		case fstr && c == '{' && i+1 < len(src) && src[i+1] == '{':
			if !partial {
				buf = append(buf, '{')
			}
			i += 2
			continue
		case fstr && c == '{':
			partial = true
		case c == '\n':
			line++
		}
		if !partial {
			buf = append(buf, c)
		}
		i++
	}
	t.Text = string(buf)
	t.Partial = partial
	return t, i, line
}
