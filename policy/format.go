package policy

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// FormatError explains why a policy cannot be printed canonically: the
// document has grammar problems whose data the model does not keep (an
// unknown element, a duplicate key, a value of the wrong type), so printing
// it would silently drop or change part of the document.
type FormatError struct {
	File     string
	Problems []Problem
}

func (e *FormatError) Error() string {
	var b strings.Builder
	name := e.File
	if name == "" {
		name = "policy"
	}
	fmt.Fprintf(&b, "%s: cannot format a policy with grammar problems (%d)", name, len(e.Problems))
	for i, p := range e.Problems {
		if i == 3 {
			fmt.Fprintf(&b, "; …")
			break
		}
		fmt.Fprintf(&b, "; %s: %s", p.Pos, p.Message)
	}
	return b.String()
}

// representable reports whether the model keeps everything a problem
// concerns, so that the printed document still shows it.
func representable(code string) bool {
	switch code {
	case ProblemElementCombination, ProblemInvalidPrincipalKey:
		return true
	}
	return false
}

// Format prints p as canonical JSON: two-space indentation; elements in the
// order Version, Id, Statement and Sid, Effect, Principal, NotPrincipal,
// Action, NotAction, Resource, NotResource, Condition; Statement always an
// array; every other value as it was written (a single string stays a
// string, a one-element array stays an array, condition numbers and booleans
// stay unquoted). Formatting is idempotent and preserves meaning. A policy
// with grammar problems that the model cannot represent is refused with a
// *FormatError rather than printed with parts missing.
func Format(p *Policy) ([]byte, error) {
	if p == nil {
		return nil, &FormatError{}
	}
	var blocking []Problem
	for _, pr := range p.Problems {
		if !representable(pr.Code) {
			blocking = append(blocking, pr)
		}
	}
	if len(blocking) > 0 {
		return nil, &FormatError{File: p.File, Problems: blocking}
	}
	// Canonical output is rarely much larger than 200 bytes per statement.
	pr := printer{buf: make([]byte, 0, 256+256*len(p.Statements))}
	pr.policy(p)
	if pr.err != nil {
		return nil, pr.err
	}
	return pr.buf, nil
}

// Print writes Format's output to w.
func Print(w io.Writer, p *Policy) error {
	out, err := Format(p)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

type printer struct {
	buf    []byte
	indent int
	err    error
}

func (pr *printer) newline() {
	pr.buf = append(pr.buf, '\n')
	for range pr.indent {
		pr.buf = append(pr.buf, ' ', ' ')
	}
}

// object prints members produced by emit; each call to member starts one.
type objectPrinter struct {
	pr    *printer
	count int
}

func (pr *printer) openObject() *objectPrinter {
	pr.buf = append(pr.buf, '{')
	pr.indent++
	return &objectPrinter{pr: pr}
}

func (o *objectPrinter) member(key string) {
	if o.count > 0 {
		o.pr.buf = append(o.pr.buf, ',')
	}
	o.count++
	o.pr.newline()
	o.pr.str(key)
	o.pr.buf = append(o.pr.buf, ':', ' ')
}

func (o *objectPrinter) close() {
	o.pr.indent--
	if o.count > 0 {
		o.pr.newline()
	}
	o.pr.buf = append(o.pr.buf, '}')
}

func (pr *printer) policy(p *Policy) {
	o := pr.openObject()
	if p.Version != nil {
		o.member("Version")
		pr.value(*p.Version)
	}
	if p.ID != nil {
		o.member("Id")
		pr.value(*p.ID)
	}
	if p.StatementPresent {
		o.member("Statement")
		pr.buf = append(pr.buf, '[')
		pr.indent++
		for i, s := range p.Statements {
			if i > 0 {
				pr.buf = append(pr.buf, ',')
			}
			pr.newline()
			pr.statement(s)
		}
		pr.indent--
		if len(p.Statements) > 0 {
			pr.newline()
		}
		pr.buf = append(pr.buf, ']')
	}
	o.close()
	pr.buf = append(pr.buf, '\n')
}

func (pr *printer) statement(s *Statement) {
	o := pr.openObject()
	if s.Sid != nil {
		o.member("Sid")
		pr.value(*s.Sid)
	}
	if s.Effect != nil {
		o.member("Effect")
		pr.value(*s.Effect)
	}
	if s.Principal != nil {
		o.member("Principal")
		pr.principal(s.Principal)
	}
	if s.NotPrincipal != nil {
		o.member("NotPrincipal")
		pr.principal(s.NotPrincipal)
	}
	for _, el := range [...]struct {
		name string
		list *List
	}{{"Action", s.Action}, {"NotAction", s.NotAction}, {"Resource", s.Resource}, {"NotResource", s.NotResource}} {
		if el.list != nil {
			o.member(el.name)
			pr.list(el.list)
		}
	}
	if s.Condition != nil {
		o.member("Condition")
		co := pr.openObject()
		for _, b := range s.Condition.Blocks {
			co.member(b.Operator.Text)
			ko := pr.openObject()
			for _, e := range b.Entries {
				ko.member(e.Key.Text)
				pr.list(&e.Values)
			}
			ko.close()
		}
		co.close()
	}
	o.close()
}

func (pr *printer) principal(p *Principal) {
	if p.Wildcard {
		pr.str("*")
		return
	}
	o := pr.openObject()
	for i := range p.Entries {
		o.member(p.Entries[i].Type)
		pr.list(&p.Entries[i].Values)
	}
	o.close()
}

func (pr *printer) list(l *List) {
	if !l.IsArray && len(l.Values) == 1 {
		pr.value(l.Values[0])
		return
	}
	pr.buf = append(pr.buf, '[')
	if len(l.Values) == 0 {
		pr.buf = append(pr.buf, ']')
		return
	}
	pr.indent++
	for i, v := range l.Values {
		if i > 0 {
			pr.buf = append(pr.buf, ',')
		}
		pr.newline()
		pr.value(v)
	}
	pr.indent--
	pr.newline()
	pr.buf = append(pr.buf, ']')
}

func (pr *printer) value(v Value) {
	switch v.Type {
	case TypeString:
		pr.str(v.Text)
	case TypeBool:
		pr.buf = append(pr.buf, v.Text...)
	case TypeNumber:
		if !isJSONNumber(v.Text) {
			// A YAML-only number form (0x1F, .inf, +1): printing it as is
			// would not be JSON, and converting it would change the text
			// IAM compares.
			if pr.err == nil {
				pr.err = fmt.Errorf("%s: cannot format number %q at %s: it is not a JSON number", v.Pos, v.Text, v.Path)
			}
			return
		}
		pr.buf = append(pr.buf, v.Text...)
	case TypeNull:
		pr.buf = append(pr.buf, "null"...)
	default:
		if pr.err == nil {
			pr.err = fmt.Errorf("%s: cannot format the value at %s", v.Pos, v.Path)
		}
	}
}

func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

const hexDigits = "0123456789abcdef"

// str writes s as a JSON string, escaping only what JSON requires so that
// non-ASCII text stays readable.
func (pr *printer) str(s string) {
	pr.buf = append(pr.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				pr.buf = append(pr.buf, s[start:i]...)
				pr.buf = append(pr.buf, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		pr.buf = append(pr.buf, s[start:i]...)
		switch c {
		case '"', '\\':
			pr.buf = append(pr.buf, '\\', c)
		case '\n':
			pr.buf = append(pr.buf, '\\', 'n')
		case '\r':
			pr.buf = append(pr.buf, '\\', 'r')
		case '\t':
			pr.buf = append(pr.buf, '\\', 't')
		case '\b':
			pr.buf = append(pr.buf, '\\', 'b')
		case '\f':
			pr.buf = append(pr.buf, '\\', 'f')
		default:
			pr.buf = append(pr.buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	pr.buf = append(pr.buf, s[start:]...)
	pr.buf = append(pr.buf, '"')
}
