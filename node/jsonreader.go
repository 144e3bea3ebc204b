package node

// JSONReader reads one JSON document value by value, without building a
// tree, for decoders that go straight to a model of their own: the tree of a
// document costs more to build (and, above all, to collect) than the model.
// It accepts exactly the text ParseJSON accepts (the two share one scanner)
// and reports the same texts and positions.
//
// It does not explain what is wrong: at the first problem (text that is not
// JSON, nesting beyond MaxDepth, or a call out of order) it fails, every
// later call returns zero values, and Failed reports it. A caller that needs
// the positioned error parses the same data with ParseJSON.
//
// Every value must be read, in order: Value reads the next one (a scalar
// whole, or the bracket that opens a container), NextMember and NextItem
// step through the open container and close it, and Finish checks that
// nothing but white space follows the document.
type JSONReader struct {
	s jsonScanner
	// depth is the number of open containers; inObject has bit d set when
	// the container at depth d+1 is an object.
	depth    int
	inObject [MaxDepth/64 + 1]uint64
	// first: the open container has had no member or item yet, so none
	// needs a ',' before it.
	first bool
	// wantValue: a value must be read next (the document, or the value of
	// the member or item just stepped to).
	wantValue bool
	failed    bool
}

// NewJSONReader returns a reader at the start of data. Positions name file.
func NewJSONReader(file string, data []byte) JSONReader {
	return JSONReader{s: newJSONScanner(file, data), wantValue: true}
}

// Failed reports whether the reader met text that is not JSON or a call out
// of order.
func (r *JSONReader) Failed() bool { return r.failed }

func (r *JSONReader) fail() { r.failed = true }

// Value reads the next value: a string, number, boolean or null whole, its
// text being what ParseJSON stores in Node.Text, or the '{' or '[' that
// opens an object or array, whose members or items NextMember or NextItem
// then step through. pos is where the value starts.
func (r *JSONReader) Value() (kind Kind, text string, pos Pos, ok bool) {
	if r.failed || !r.wantValue {
		r.fail()
		return Null, "", Pos{}, false
	}
	s := &r.s
	s.skipSpace()
	if s.off >= len(s.data) {
		r.fail()
		return Null, "", Pos{}, false
	}
	start := s.off
	// Before the scan: a string's multi-byte characters move the column
	// bookkeeping past start.
	pos = s.pos(start)
	var err error
	switch c := s.data[start]; {
	case c == '"':
		kind = String
		text, err = s.str()
	case c == '{' || c == '[':
		if r.depth >= MaxDepth {
			r.fail()
			return Null, "", Pos{}, false
		}
		kind = Array
		word, bit := r.depth/64, uint64(1)<<(r.depth%64)
		if c == '{' {
			kind = Object
			r.inObject[word] |= bit
		} else {
			r.inObject[word] &^= bit
		}
		s.off++
		r.depth++
		r.first = true
	case c == '-' || isDigit(c):
		kind = Number
		err = s.scanNumber()
		text = s.src[start:s.off]
	case c == 't':
		kind, text, err = Bool, "true", s.scanLiteral("true")
	case c == 'f':
		kind, text, err = Bool, "false", s.scanLiteral("false")
	case c == 'n':
		kind, text, err = Null, "null", s.scanLiteral("null")
	default:
		r.fail()
		return Null, "", Pos{}, false
	}
	if err != nil {
		r.fail()
		return Null, "", Pos{}, false
	}
	r.wantValue = false
	return kind, text, pos, true
}

// open reports whether the innermost open container is an object (or an
// array, when object is false).
func (r *JSONReader) open(object bool) bool {
	if r.depth == 0 {
		return false
	}
	d := r.depth - 1
	return (r.inObject[d/64]&(1<<(d%64)) != 0) == object
}

// step moves past the ',' before the next member or item, or past the
// closing bracket of the open container (more is false then).
func (r *JSONReader) step(object bool, closing byte) (more bool) {
	if r.failed || r.wantValue || !r.open(object) {
		r.fail()
		return false
	}
	s := &r.s
	s.skipSpace()
	if s.off >= len(s.data) {
		r.fail()
		return false
	}
	first := r.first
	r.first = false
	switch c := s.data[s.off]; {
	case c == closing:
		s.off++
		r.depth--
		return false
	case first:
	case c == ',':
		s.off++
		s.skipSpace()
	default:
		r.fail()
		return false
	}
	r.wantValue = true
	return true
}

// NextMember steps to the next member of the open object and reads its key
// and the ':' after it; the member's value must be read next. At the object's
// closing '}' it consumes it and returns more = false.
func (r *JSONReader) NextMember() (key string, keyPos Pos, more bool) {
	if !r.step(true, '}') {
		return "", Pos{}, false
	}
	s := &r.s
	if s.off >= len(s.data) || s.data[s.off] != '"' {
		r.fail()
		return "", Pos{}, false
	}
	keyPos = s.pos(s.off)
	key, err := s.str()
	if err != nil {
		r.fail()
		return "", Pos{}, false
	}
	s.skipSpace()
	if s.off >= len(s.data) || s.data[s.off] != ':' {
		r.fail()
		return "", Pos{}, false
	}
	s.off++
	return key, keyPos, true
}

// NextItem steps to the next item of the open array; the item must be read
// next. At the array's closing ']' it consumes it and returns false.
func (r *JSONReader) NextItem() bool {
	return r.step(false, ']')
}

// Finish reports whether the whole document was read without a failure and
// only white space follows it.
func (r *JSONReader) Finish() bool {
	if r.failed || r.wantValue || r.depth != 0 {
		r.fail()
		return false
	}
	r.s.skipSpace()
	if r.s.off != len(r.s.data) {
		r.fail()
		return false
	}
	return true
}
