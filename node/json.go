package node

import (
	"fmt"
	"strconv"
	"unicode/utf8"
	"unsafe" // only for Sizeof, to keep slabs within a size class
)

// MaxDepth is the deepest nesting of arrays and objects the parsers accept.
// Real policies and templates nest a handful of levels; the limit keeps
// hostile input from exhausting the stack.
const MaxDepth = 256

// ParseJSON parses data as one strict RFC 8259 JSON value. Every node and
// object key records its position in file. Duplicate object keys are kept in
// order, numbers keep their literal text, and a leading UTF-8 byte order mark
// is skipped. Any error is a *SyntaxError naming the offending position.
func ParseJSON(file string, data []byte) (*Node, error) {
	p := jsonParser{jsonScanner: newJSONScanner(file, data)}
	p.skipSpace()
	if p.off >= len(p.data) {
		return nil, p.errAt(p.off, "empty input: expected a JSON value")
	}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.off < len(p.data) {
		return nil, p.errAt(p.off, "unexpected %s after the top-level value", p.describe(p.off))
	}
	return n, nil
}

// jsonScanner reads JSON text and computes positions. The tree builder
// (jsonParser) and JSONReader share it, so both accept exactly the same text
// and report the same texts and positions.
type jsonScanner struct {
	data []byte
	src  string
	file string
	off  int

	// Line bookkeeping: lineStart is the byte offset where the current line
	// starts. Multi-byte UTF-8 can only appear inside strings, and the
	// string scanner adds each character's continuation bytes to extra, so
	// a column is off-lineStart-extra+1 without rescanning the line
	// (minified JSON is one long line). extraOff is how far extra counts.
	line      int
	lineStart int
	extra     int
	extraOff  int
}

func newJSONScanner(file string, data []byte) jsonScanner {
	// One string copy of the whole input lets every unescaped string and
	// number be a substring of it instead of an allocation of its own.
	s := jsonScanner{data: data, src: string(data), file: file, line: 1}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		s.off = 3
		s.lineStart = 3
	}
	return s
}

type jsonParser struct {
	jsonScanner

	// Nodes and fields are carved out of slabs to keep the allocation count
	// proportional to the document's size in kilobytes, not its node count.
	nodeSlab  []Node
	fieldSlab []Field
	// Scratch stacks shared by every nesting level: a container's children
	// are appended here and copied to an exactly sized slice when it closes.
	// Popped entries are not cleared: they point at nodes of this same
	// tree, and clearing pointer memory costs write barriers.
	itemStack  []*Node
	fieldStack []*Field
	// Exactly sized child slices are carved from these, too.
	itemSlab     []*Node
	fieldPtrSlab []*Field
}

const slabSize = 256

func (p *jsonParser) items(children []*Node) []*Node {
	n := len(children)
	if n > slabSize/4 {
		return append([]*Node(nil), children...)
	}
	if len(p.itemSlab) < n {
		p.itemSlab = make([]*Node, slabSize)
	}
	out := p.itemSlab[:n:n]
	p.itemSlab = p.itemSlab[n:]
	copy(out, children)
	return out
}

func (p *jsonParser) fields(children []*Field) []*Field {
	n := len(children)
	if n > slabSize/4 {
		return append([]*Field(nil), children...)
	}
	if len(p.fieldPtrSlab) < n {
		p.fieldPtrSlab = make([]*Field, slabSize)
	}
	out := p.fieldPtrSlab[:n:n]
	p.fieldPtrSlab = p.fieldPtrSlab[n:]
	copy(out, children)
	return out
}

func (p *jsonScanner) pos(off int) Pos {
	if off < p.lineStart || off < p.extraOff {
		return p.slowPos(off)
	}
	return Pos{File: p.file, Line: p.line, Column: off - p.lineStart - p.extra + 1, Offset: off}
}

// setPos stores a position field by field. Assigning a whole Pos to heap
// memory compiles to a typed copy that takes a bulk write barrier while the
// garbage collector is marking; profiles showed it among the parser's top
// costs.
func setPos(dst *Pos, src Pos) {
	dst.File, dst.Line, dst.Column, dst.Offset = src.File, src.Line, src.Column, src.Offset
}

// multibyte records a UTF-8 character of size bytes at off.
func (p *jsonScanner) multibyte(off, size int) {
	p.extra += size - 1
	p.extraOff = off + size
}

// slowPos computes a position from scratch; only error messages that point
// back (at an opening bracket, or at a string's start) need it.
func (p *jsonScanner) slowPos(off int) Pos {
	line, lineStart := 1, 0
	for i := 0; i < off; i++ {
		if p.data[i] == '\n' {
			line, lineStart = line+1, i+1
		}
	}
	if lineStart == 0 && off >= 3 && len(p.data) >= 3 && p.src[:3] == "\uFEFF" {
		lineStart = 3
	}
	return Pos{File: p.file, Line: line, Column: utf8.RuneCount(p.data[lineStart:off]) + 1, Offset: off}
}

func (p *jsonScanner) errAt(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: p.pos(off), Msg: fmt.Sprintf(format, args...)}
}

// describe names the input at off for an error message.
func (p *jsonScanner) describe(off int) string {
	if off >= len(p.data) {
		return "end of input"
	}
	c := p.data[off]
	if c < utf8.RuneSelf {
		if c < 0x20 || c == 0x7f {
			return fmt.Sprintf("character U+%04X", c)
		}
		return "character " + strconv.QuoteRune(rune(c))
	}
	r, _ := utf8.DecodeRune(p.data[off:])
	if r == utf8.RuneError {
		return "invalid UTF-8 byte"
	}
	return fmt.Sprintf("character %q (U+%04X)", r, r)
}

// slabLen sizes a slab from the input: pretty-printed policies hold about
// one value per 28 bytes and one object member per 43, so one slab usually
// serves the whole document without much waste. A slab stays within 32 KB,
// the largest small-object size class: bigger allocations take the runtime's
// slower large-object path (their own span, cleared and returned to the OS
// separately), which cost more than the extra slabs a big document needs.
func (p *jsonParser) slabLen(bytesPerItem int, itemSize uintptr) int {
	return min(max(len(p.data)/bytesPerItem, 16), int(maxSmallAlloc/itemSize))
}

const maxSmallAlloc = 32 << 10

func (p *jsonParser) newNode() *Node {
	if len(p.nodeSlab) == 0 {
		p.nodeSlab = make([]Node, p.slabLen(24, unsafe.Sizeof(Node{})))
	}
	n := &p.nodeSlab[0]
	p.nodeSlab = p.nodeSlab[1:]
	return n
}

func (p *jsonParser) newField() *Field {
	if len(p.fieldSlab) == 0 {
		p.fieldSlab = make([]Field, p.slabLen(36, unsafe.Sizeof(Field{})))
	}
	f := &p.fieldSlab[0]
	p.fieldSlab = p.fieldSlab[1:]
	return f
}

func (p *jsonScanner) skipSpace() {
	for p.off < len(p.data) {
		switch p.data[p.off] {
		case ' ', '\t', '\r':
			p.off++
		case '\n':
			p.off++
			p.line++
			p.lineStart, p.extra = p.off, 0
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (*Node, error) {
	if p.off >= len(p.data) {
		return nil, p.errAt(p.off, "unexpected end of input: expected a value")
	}
	switch c := p.data[p.off]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		startPos := p.pos(p.off)
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		n := p.newNode()
		n.Kind, n.Text, n.EndOffset = String, s, p.off
		setPos(&n.Pos, startPos)
		return n, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", Bool)
	case c == 'f':
		return p.literal("false", Bool)
	case c == 'n':
		return p.literal("null", Null)
	case c == '/':
		return nil, p.errAt(p.off, "comments are not allowed in JSON")
	case c == '\'':
		return nil, p.errAt(p.off, "unexpected character '\\''; JSON strings use double quotes")
	default:
		return nil, p.errAt(p.off, "unexpected %s: expected a value", p.describe(p.off))
	}
}

func (p *jsonParser) literal(word string, kind Kind) (*Node, error) {
	start := p.off
	if err := p.scanLiteral(word); err != nil {
		return nil, err
	}
	n := p.newNode()
	n.Kind, n.Text, n.EndOffset = kind, word, p.off
	setPos(&n.Pos, p.pos(start))
	return n, nil
}

// scanLiteral reads true, false or null; p.off ends just past it.
func (p *jsonScanner) scanLiteral(word string) error {
	start := p.off
	end := start + len(word)
	if end > len(p.data) || p.src[start:end] != word {
		return p.errAt(start, "unexpected %s: expected a value (did you mean %s?)", p.describe(start), word)
	}
	p.off = end
	if p.off < len(p.data) && isIdentByte(p.data[p.off]) {
		return p.errAt(start, "invalid literal: expected %s", word)
	}
	return nil
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *jsonParser) number() (*Node, error) {
	start := p.off
	if err := p.scanNumber(); err != nil {
		return nil, err
	}
	n := p.newNode()
	n.Kind, n.Text, n.EndOffset = Number, p.src[start:p.off], p.off
	setPos(&n.Pos, p.pos(start))
	return n, nil
}

// scanNumber reads a number; p.off ends just past it.
func (p *jsonScanner) scanNumber() error {
	d := p.data
	i := p.off
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
		if i < len(d) && isDigit(d[i]) {
			return p.errAt(i-1, "invalid number: leading zeros are not allowed")
		}
	case i < len(d) && isDigit(d[i]):
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		return p.errAt(i, "invalid number: expected a digit, found %s", p.describe(i))
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return p.errAt(i, "invalid number: expected a digit after '.', found %s", p.describe(i))
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return p.errAt(i, "invalid number: expected a digit in the exponent, found %s", p.describe(i))
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	p.off = i
	return nil
}

// strSpecial marks the bytes the string scanner must look at: control
// characters, '"', '\\' and the start of multi-byte UTF-8. A constant, so
// it costs nothing at start-up and cannot be modified.
const strSpecial = "" +
	"1111111111111111111111111111111100100000000000000000000000000000" +
	"0000000000000000000000000000100000000000000000000000000000000000" +
	"1111111111111111111111111111111111111111111111111111111111111111" +
	"1111111111111111111111111111111111111111111111111111111111111111"

// str scans a string starting at the opening quote and returns its
// unescaped value; p.off ends just past the closing quote.
func (p *jsonScanner) str() (string, error) {
	start := p.off
	d := p.data
	i := start + 1
	// Fast path: no escapes, so the value is a substring of the input.
	for i < len(d) {
		c := d[i]
		if strSpecial[c] == '0' {
			i++
			continue
		}
		switch {
		case c == '"':
			p.off = i + 1
			return p.src[start+1 : i], nil
		case c == '\\':
			return p.strEscaped(start, i)
		case c < 0x20:
			return "", p.errAt(i, "control character U+%04X in string: escape it (e.g. \\n, \\t, \\u%04X)", c, c)
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.errAt(i, "invalid UTF-8 in string")
			}
			p.multibyte(i, size)
			i += size
		}
	}
	return "", p.errAt(start, "unterminated string: no closing '\"' before end of input")
}

// strEscaped finishes a string whose first escape is at esc.
func (p *jsonScanner) strEscaped(start, esc int) (string, error) {
	d := p.data
	buf := make([]byte, 0, esc-start+16)
	buf = append(buf, d[start+1:esc]...)
	i := esc
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			p.off = i + 1
			return string(buf), nil
		case c == '\\':
			if i+1 >= len(d) {
				return "", p.errAt(start, "unterminated string: no closing '\"' before end of input")
			}
			switch e := d[i+1]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
				i += 2
			case 'b':
				buf = append(buf, '\b')
				i += 2
			case 'f':
				buf = append(buf, '\f')
				i += 2
			case 'n':
				buf = append(buf, '\n')
				i += 2
			case 'r':
				buf = append(buf, '\r')
				i += 2
			case 't':
				buf = append(buf, '\t')
				i += 2
			case 'u':
				r, ok := hex4(d, i+2)
				if !ok {
					return "", p.errAt(i, "invalid escape: \\u must be followed by four hex digits")
				}
				i += 6
				if utf16IsHighSurrogate(r) {
					if r2, ok := hex4(d, i+2); ok && i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' && utf16IsLowSurrogate(r2) {
						r = (r-0xD800)<<10 + (r2 - 0xDC00) + 0x10000
						i += 6
					} else {
						r = utf8.RuneError // a lone surrogate, as encoding/json decodes it
					}
				} else if utf16IsLowSurrogate(r) {
					r = utf8.RuneError
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", p.errAt(i, "invalid escape %s in string", strconv.Quote(string(d[i:i+2])))
			}
		case c < 0x20:
			return "", p.errAt(i, "control character U+%04X in string: escape it (e.g. \\n, \\t, \\u%04X)", c, c)
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.errAt(i, "invalid UTF-8 in string")
			}
			p.multibyte(i, size)
			buf = append(buf, d[i:i+size]...)
			i += size
		}
	}
	return "", p.errAt(start, "unterminated string: no closing '\"' before end of input")
}

func utf16IsHighSurrogate(r rune) bool { return r >= 0xD800 && r < 0xDC00 }
func utf16IsLowSurrogate(r rune) bool  { return r >= 0xDC00 && r < 0xE000 }

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (p *jsonParser) object(depth int) (*Node, error) {
	start := p.off
	if depth > MaxDepth {
		return nil, p.errAt(start, "nesting exceeds the maximum depth of %d", MaxDepth)
	}
	n := p.newNode()
	n.Kind = Object
	setPos(&n.Pos, p.pos(start))
	p.off++
	base := len(p.fieldStack)
	p.skipSpace()
	if p.off < len(p.data) && p.data[p.off] == '}' {
		p.off++
		n.EndOffset = p.off
		return n, nil
	}
	for {
		if p.off >= len(p.data) {
			return nil, p.errAt(start, "unterminated object: no closing '}' before end of input")
		}
		if p.data[p.off] != '"' {
			switch p.data[p.off] {
			case '}':
				return nil, p.errAt(p.off, "unexpected '}' after ',': expected a string key (trailing commas are not allowed)")
			case '/':
				return nil, p.errAt(p.off, "comments are not allowed in JSON")
			}
			return nil, p.errAt(p.off, "unexpected %s: expected a string key in double quotes", p.describe(p.off))
		}
		keyPos := p.pos(p.off)
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		f := p.newField()
		f.Key = key
		setPos(&f.KeyPos, keyPos)
		p.skipSpace()
		if p.off >= len(p.data) || p.data[p.off] != ':' {
			return nil, p.errAt(p.off, "unexpected %s after object key: expected ':'", p.describe(p.off))
		}
		p.off++
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		f.Value = v
		p.fieldStack = append(p.fieldStack, f)
		p.skipSpace()
		if p.off >= len(p.data) {
			return nil, p.errAt(start, "unterminated object: no closing '}' before end of input")
		}
		switch p.data[p.off] {
		case ',':
			p.off++
			p.skipSpace()
			continue
		case '}':
			p.off++
			n.Fields = p.fields(p.fieldStack[base:])
			p.fieldStack = p.fieldStack[:base]
			n.EndOffset = p.off
			return n, nil
		default:
			return nil, p.errAt(p.off, "unexpected %s in object: expected ',' or '}'", p.describe(p.off))
		}
	}
}

func (p *jsonParser) array(depth int) (*Node, error) {
	start := p.off
	if depth > MaxDepth {
		return nil, p.errAt(start, "nesting exceeds the maximum depth of %d", MaxDepth)
	}
	n := p.newNode()
	n.Kind = Array
	setPos(&n.Pos, p.pos(start))
	p.off++
	base := len(p.itemStack)
	p.skipSpace()
	if p.off < len(p.data) && p.data[p.off] == ']' {
		p.off++
		n.EndOffset = p.off
		return n, nil
	}
	for {
		if p.off >= len(p.data) {
			return nil, p.errAt(start, "unterminated array: no closing ']' before end of input")
		}
		if p.data[p.off] == ']' {
			return nil, p.errAt(p.off, "unexpected ']' after ',': expected a value (trailing commas are not allowed)")
		}
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		p.itemStack = append(p.itemStack, v)
		p.skipSpace()
		if p.off >= len(p.data) {
			return nil, p.errAt(start, "unterminated array: no closing ']' before end of input")
		}
		switch p.data[p.off] {
		case ',':
			p.off++
			p.skipSpace()
			continue
		case ']':
			p.off++
			n.Items = p.items(p.itemStack[base:])
			p.itemStack = p.itemStack[:base]
			n.EndOffset = p.off
			return n, nil
		default:
			return nil, p.errAt(p.off, "unexpected %s in array: expected ',' or ']'", p.describe(p.off))
		}
	}
}
