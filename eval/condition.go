package eval

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/policy"
)

type opFamily uint8

const (
	famString opFamily = iota
	famStringFold
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

type setOp uint8

const (
	setNone setOp = iota
	setForAll
	setForAny
)

// cond is one condition key under one operator, compiled: its values are
// parsed for the operator's family once, here.
type cond struct {
	op       *policy.Value
	entry    *policy.ConditionEntry
	family   opFamily
	cmp      cmpOp
	negated  bool
	ifExists bool
	set      setOp
	key      string // lowercased
	keyType  catalog.KeyType
	vals     []cval
	// nullWant are the Null operator's values: true = "the key is absent".
	nullWant []bool
}

type cval struct {
	text string
	pat  *pattern
	arn  *arnPattern
	num  float64
	time int64
	pfx  netip.Prefix
	bin  []byte
	b    bool
}

// operatorInfo describes a base operator (without ForAllValues:/
// ForAnyValue: or IfExists).
type operatorInfo struct {
	family  opFamily
	cmp     cmpOp
	negated bool
}

// lookupOperator knows every condition operator of the IAM policy
// language. Names are matched case-insensitively.
func lookupOperator(name string) (operatorInfo, bool) {
	switch strings.ToLower(name) {
	case "stringequals":
		return operatorInfo{famString, cmpEq, false}, true
	case "stringnotequals":
		return operatorInfo{famString, cmpEq, true}, true
	case "stringequalsignorecase":
		return operatorInfo{famStringFold, cmpEq, false}, true
	case "stringnotequalsignorecase":
		return operatorInfo{famStringFold, cmpEq, true}, true
	case "stringlike":
		return operatorInfo{famStringLike, cmpEq, false}, true
	case "stringnotlike":
		return operatorInfo{famStringLike, cmpEq, true}, true
	case "numericequals":
		return operatorInfo{famNumeric, cmpEq, false}, true
	case "numericnotequals":
		return operatorInfo{famNumeric, cmpEq, true}, true
	case "numericlessthan":
		return operatorInfo{famNumeric, cmpLt, false}, true
	case "numericlessthanequals":
		return operatorInfo{famNumeric, cmpLe, false}, true
	case "numericgreaterthan":
		return operatorInfo{famNumeric, cmpGt, false}, true
	case "numericgreaterthanequals":
		return operatorInfo{famNumeric, cmpGe, false}, true
	case "dateequals":
		return operatorInfo{famDate, cmpEq, false}, true
	case "datenotequals":
		return operatorInfo{famDate, cmpEq, true}, true
	case "datelessthan":
		return operatorInfo{famDate, cmpLt, false}, true
	case "datelessthanequals":
		return operatorInfo{famDate, cmpLe, false}, true
	case "dategreaterthan":
		return operatorInfo{famDate, cmpGt, false}, true
	case "dategreaterthanequals":
		return operatorInfo{famDate, cmpGe, false}, true
	case "bool":
		return operatorInfo{famBool, cmpEq, false}, true
	case "binaryequals":
		return operatorInfo{famBinary, cmpEq, false}, true
	case "ipaddress":
		return operatorInfo{famIP, cmpEq, false}, true
	case "notipaddress":
		return operatorInfo{famIP, cmpEq, true}, true
	case "arnequals", "arnlike":
		return operatorInfo{famARN, cmpEq, false}, true
	case "arnnotequals", "arnnotlike":
		return operatorInfo{famARN, cmpEq, true}, true
	case "null":
		return operatorInfo{famNull, cmpEq, false}, true
	}
	return operatorInfo{}, false
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
func parseOperator(text string) (info operatorInfo, set setOp, ifExists bool, err error) {
	base := text
	if i := strings.IndexByte(base, ':'); i >= 0 {
		switch strings.ToLower(base[:i]) {
		case "forallvalues":
			set = setForAll
		case "foranyvalue":
			set = setForAny
		default:
			return info, set, false, fmt.Errorf("unknown condition operator %q: the only qualifiers are ForAllValues: and ForAnyValue:", text)
		}
		base = base[i+1:]
	}
	info, ok := lookupOperator(base)
	if !ok && len(base) > 8 && strings.EqualFold(base[len(base)-8:], "IfExists") {
		info, ok = lookupOperator(base[:len(base)-8])
		ifExists = ok
	}
	if !ok {
		return info, set, false, fmt.Errorf("unknown condition operator %q", text)
	}
	if info.family == famNull && (ifExists || set != setNone) {
		return info, set, false, fmt.Errorf("condition operator %q: Null takes neither IfExists nor ForAllValues:/ForAnyValue:", text)
	}
	return info, set, ifExists, nil
}

func compileCondition(op *policy.Value, e *policy.ConditionEntry, vars bool) (cond, *Error) {
	info, set, ifExists, err := parseOperator(op.Text)
	if err != nil {
		return cond{}, &Error{Pos: op.Pos, Path: op.Path, Msg: err.Error()}
	}
	c := cond{op: op, entry: e, family: info.family, cmp: info.cmp, negated: info.negated,
		ifExists: ifExists, set: set, key: strings.ToLower(e.Key.Text)}
	if e.Key.Text == "" {
		return c, &Error{Pos: e.Key.Pos, Path: e.Key.Path, Msg: "empty condition key"}
	}
	if k, ok := catalog.Default().ConditionKey(e.Key.Text); ok {
		c.keyType = k.Type
	}
	bad := func(v *policy.Value, format string, args ...any) (cond, *Error) {
		return c, &Error{Pos: v.Pos, Path: v.Path, Msg: fmt.Sprintf("%s %s: ", op.Text, e.Key.Text) + fmt.Sprintf(format, args...)}
	}
	if len(e.Values.Values) == 0 {
		return c, &Error{Pos: e.Values.Pos, Path: e.Values.Path, Msg: fmt.Sprintf("%s %s has no values", op.Text, e.Key.Text)}
	}
	for i := range e.Values.Values {
		v := &e.Values.Values[i]
		cv := cval{text: v.Text}
		switch c.family {
		case famString, famStringFold:
			cv.pat = compilePattern(v.Text, vars, false)
		case famStringLike:
			cv.pat = compilePattern(v.Text, vars, true)
		case famARN:
			cv.arn = compileARNPattern(v.Text, vars)
		case famNumeric:
			f, err := strconv.ParseFloat(strings.TrimSpace(v.Text), 64)
			if err != nil {
				return bad(v, "%q is not a number", v.Text)
			}
			cv.num = f
		case famDate:
			t, ok := parseDate(v.Text)
			if !ok {
				return bad(v, "%q is not a date (ISO 8601 such as 2025-10-29T12:00:00Z, or epoch seconds)", v.Text)
			}
			cv.time = t
		case famBool:
			switch strings.ToLower(v.Text) {
			case "true":
				cv.b = true
			case "false":
			default:
				return bad(v, "%q is not true or false", v.Text)
			}
		case famBinary:
			b, err := base64.StdEncoding.DecodeString(v.Text)
			if err != nil {
				return bad(v, "%q is not base64", v.Text)
			}
			cv.bin = b
		case famIP:
			pfx, err := parsePrefix(v.Text)
			if err != nil {
				return bad(v, "%q is not an IP address or CIDR block", v.Text)
			}
			cv.pfx = pfx
		case famNull:
			switch strings.ToLower(v.Text) {
			case "true":
				c.nullWant = append(c.nullWant, true)
			case "false":
				c.nullWant = append(c.nullWant, false)
			default:
				return bad(v, "%q: Null takes true (the key is absent) or false (present)", v.Text)
			}
		}
		c.vals = append(c.vals, cv)
	}
	return c, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.IndexByte(s, '/') < 0 {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, err
	}
	if p.Addr().Is4In6() {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// eval decides the condition for the request. The rules are AWS's:
// a missing key makes a positive operator false and a negated one true,
// IfExists makes a missing key true, ForAllValues is true and ForAnyValue
// false for a missing or empty key, and values within a key are ORed.
func (c *cond) eval(p *Prepared) bool {
	e := p.lookup(c.key)
	if c.family == famNull {
		present := e != nil && len(e.values) > 0
		for _, absent := range c.nullWant {
			if absent != present {
				return true
			}
		}
		return false
	}
	if e == nil || len(e.values) == 0 {
		switch {
		case c.set == setForAll:
			return true
		case c.set == setForAny:
			return false
		case c.ifExists:
			return true
		}
		return c.negated
	}
	switch c.set {
	case setForAll:
		for i := range e.values {
			if !c.valueOK(&e.values[i], p) {
				return false
			}
		}
		return true
	case setForAny:
		for i := range e.values {
			if c.valueOK(&e.values[i], p) {
				return true
			}
		}
		return false
	}
	// Without a qualifier, several request values behave like ForAnyValue
	// for a positive operator and like "none matches" for a negated one.
	if c.negated {
		for i := range e.values {
			if !c.valueOK(&e.values[i], p) {
				return false
			}
		}
		return true
	}
	for i := range e.values {
		if c.valueOK(&e.values[i], p) {
			return true
		}
	}
	return false
}

// valueOK applies the operator to one request value: for a positive
// operator, some policy value matches; for a negated one, none does.
func (c *cond) valueOK(v *ctxValue, p *Prepared) bool {
	return c.anyMatch(v, p) != c.negated
}

func (c *cond) anyMatch(v *ctxValue, p *Prepared) bool {
	for i := range c.vals {
		if c.matchValue(&c.vals[i], v, p) {
			return true
		}
	}
	return false
}

// matchValue compares one policy value with one request value, without
// negation.
func (c *cond) matchValue(cv *cval, v *ctxValue, p *Prepared) bool {
	switch c.family {
	case famString:
		return cv.pat.equal(v.s, p, false)
	case famStringFold:
		return cv.pat.equal(v.s, p, true)
	case famStringLike:
		return cv.pat.match(v.s, p)
	case famNumeric:
		return v.numOK && compareOrdered(v.num, cv.num, c.cmp)
	case famDate:
		return v.timOK && compareOrdered(v.time, cv.time, c.cmp)
	case famBool:
		switch {
		case strings.EqualFold(v.s, "true"):
			return cv.b
		case strings.EqualFold(v.s, "false"):
			return !cv.b
		}
		return false
	case famBinary:
		if v.s == cv.text {
			return true
		}
		n := base64.StdEncoding.DecodedLen(len(v.s))
		if n != len(cv.bin)+2 && n != len(cv.bin)+1 && n != len(cv.bin) {
			return false
		}
		var buf [256]byte
		if n > len(buf) {
			b, err := base64.StdEncoding.DecodeString(v.s)
			return err == nil && bytes.Equal(b, cv.bin)
		}
		m, err := base64.StdEncoding.Decode(buf[:n], []byte(v.s))
		return err == nil && bytes.Equal(buf[:m], cv.bin)
	case famIP:
		return v.ipOK && cv.pfx.Contains(v.ip)
	case famARN:
		return v.arn.n > 0 && cv.arn.match(&v.arn, p)
	}
	return false
}

func compareOrdered[T int64 | float64](a, b T, op cmpOp) bool {
	switch op {
	case cmpEq:
		return a == b
	case cmpLt:
		return a < b
	case cmpLe:
		return a <= b
	case cmpGt:
		return a > b
	case cmpGe:
		return a >= b
	}
	return false
}
