package lint

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/policy"
)

// opCategory is the type a condition operator compares as.
type opCategory uint8

const (
	opInvalid opCategory = iota
	opString
	opNumeric
	opDate
	opBool
	opBinary
	opIP
	opARN
	opNull
)

var operatorCategories = map[string]opCategory{
	"stringequals": opString, "stringnotequals": opString, "stringequalsignorecase": opString,
	"stringnotequalsignorecase": opString, "stringlike": opString, "stringnotlike": opString,
	"numericequals": opNumeric, "numericnotequals": opNumeric, "numericlessthan": opNumeric,
	"numericlessthanequals": opNumeric, "numericgreaterthan": opNumeric, "numericgreaterthanequals": opNumeric,
	"dateequals": opDate, "datenotequals": opDate, "datelessthan": opDate, "datelessthanequals": opDate,
	"dategreaterthan": opDate, "dategreaterthanequals": opDate,
	"bool": opBool, "binaryequals": opBinary, "ipaddress": opIP, "notipaddress": opIP,
	"arnequals": opARN, "arnlike": opARN, "arnnotequals": opARN, "arnnotlike": opARN,
	"null": opNull,
}

// parsedOperator splits "ForAllValues:StringLikeIfExists".
type parsedOperator struct {
	set      string // "", "forallvalues", "foranyvalue"
	base     string // lower case, without the set prefix and IfExists
	ifExists bool
	cat      opCategory
}

func parseOperator(op string) parsedOperator {
	var p parsedOperator
	lower := strings.ToLower(op)
	if i := strings.IndexByte(lower, ':'); i >= 0 {
		p.set, lower = lower[:i], lower[i+1:]
		if p.set != "forallvalues" && p.set != "foranyvalue" {
			return p
		}
	}
	if b, ok := strings.CutSuffix(lower, "ifexists"); ok {
		lower, p.ifExists = b, true
	}
	p.base = lower
	p.cat = operatorCategories[lower]
	return p
}

var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"}

func validDate(s string) bool {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return true // epoch seconds
	}
	for _, l := range dateLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return true
		}
	}
	return false
}

func validIP(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// keyTypeFits reports whether an operator category can compare a key type.
func keyTypeFits(c opCategory, t catalog.KeyType) bool {
	e := t.Elem()
	switch c {
	case opNumeric:
		return e == catalog.TypeNumeric
	case opDate:
		return e == catalog.TypeDate
	case opBool:
		return e == catalog.TypeBool
	case opIP:
		return e == catalog.TypeIPAddress
	case opBinary:
		return e == catalog.TypeBinary
	case opARN:
		return e == catalog.TypeARN || e == catalog.TypeString
	}
	return true
}

func (ps *pass) checkConditions(si *stmtInfo) {
	c := si.s.Condition
	if c == nil {
		return
	}
	for bi := range c.Blocks {
		b := &c.Blocks[bi]
		op := parseOperator(b.Operator.Text)
		switch {
		case op.cat == opInvalid:
			ps.reportAt("INVALID_CONDITION_OPERATOR", &b.Operator, fmt.Sprintf("%q is not a condition operator", b.Operator.Text), "")
		case op.cat == opNull && op.ifExists:
			ps.reportAt("NULL_WITH_IF_EXISTS", &b.Operator, fmt.Sprintf("%q: Null cannot take IfExists", b.Operator.Text), `Write "Null".`)
		}
		if len(b.Entries) == 0 && !ps.hasProblemAt(b.Operator.Path) {
			ps.reportAt("EMPTY_OBJECT_CONDITION", &b.Operator, fmt.Sprintf("the %s operator has no condition keys", b.Operator.Text), "")
		}
		for ei := range b.Entries {
			ps.checkConditionEntry(op, &b.Operator, &b.Entries[ei])
		}
	}
}

func (ps *pass) checkConditionEntry(op parsedOperator, opv *policy.Value, e *policy.ConditionEntry) {
	key := ps.conditionKey(&e.Key)
	if e.Values.IsArray && len(e.Values.Values) == 0 && !ps.hasProblemAt(e.Values.Path+"[") {
		ps.report("EMPTY_ARRAY_CONDITION", e.Values.Pos, e.Values.Path, fmt.Sprintf("condition key %q has no values", e.Key.Text), "")
	}
	if key != nil && op.cat != opInvalid {
		if op.set == "forallvalues" && !key.Type.IsArray() {
			ps.reportAt("FORALLVALUES_WITH_SINGLE_VALUED_KEY", opv, fmt.Sprintf("%s with %s, a single-valued key: the condition holds whenever the request does not send the key", opv.Text, key.Name), fmt.Sprintf("Write %q.", strings.TrimPrefix(opv.Text, opv.Text[:strings.IndexByte(opv.Text, ':')+1])))
		}
		if op.cat != opNull && op.cat != opString && !keyTypeFits(op.cat, key.Type) {
			ps.reportAt("TYPE_MISMATCH", &e.Key, fmt.Sprintf("%s compares %s values but %s is of type %s", opv.Text, categoryName(op.cat), key.Name, key.Type), "")
		}
	}
	for vi := range e.Values.Values {
		v := &e.Values.Values[vi]
		if strings.Contains(v.Text, "${") {
			continue // a policy variable: its value is only known per request
		}
		switch op.cat {
		case opDate:
			if !validDate(v.Text) {
				ps.reportAt("TYPE_MISMATCH_DATE", v, fmt.Sprintf("%q is not a date (%s)", v.Text, opv.Text), "")
			}
		case opNumeric:
			if _, err := strconv.ParseFloat(v.Text, 64); err != nil {
				ps.reportAt("TYPE_MISMATCH_NUMBER", v, fmt.Sprintf("%q is not a number (%s)", v.Text, opv.Text), "")
			}
		case opBool, opNull:
			if !strings.EqualFold(v.Text, "true") && !strings.EqualFold(v.Text, "false") {
				ps.reportAt("TYPE_MISMATCH_BOOL", v, fmt.Sprintf("%q is not true or false (%s)", v.Text, opv.Text), "")
			}
		case opIP:
			if !validIP(v.Text) {
				ps.reportAt("TYPE_MISMATCH_IP_RANGE", v, fmt.Sprintf("%q is not an IP address or CIDR range (%s)", v.Text, opv.Text), "")
			}
		case opString:
			if op.base == "stringequals" || op.base == "stringnotequals" || op.base == "stringequalsignorecase" || op.base == "stringnotequalsignorecase" {
				if hasWildcard(v.Text) {
					like := "StringLike"
					if strings.Contains(op.base, "not") {
						like = "StringNotLike"
					}
					ps.reportAt("WILDCARD_WITHOUT_LIKE_OPERATOR", v, fmt.Sprintf("%q holds a wildcard, but %s compares literally", v.Text, opv.Text), fmt.Sprintf("Use %s.", like))
				}
			}
		}
	}
}

func categoryName(c opCategory) string {
	switch c {
	case opNumeric:
		return "numeric"
	case opDate:
		return "date"
	case opBool:
		return "boolean"
	case opIP:
		return "IP address"
	case opBinary:
		return "binary"
	case opARN:
		return "ARN"
	}
	return "string"
}

// conditionKey resolves a condition key, reporting unknown ones; it returns
// nil when the key is unknown or cannot be checked (federation keys).
func (ps *pass) conditionKey(k *policy.Value) *catalog.ConditionKey {
	name := k.Text
	prefix, rest, ok := strings.Cut(name, ":")
	if !ok || rest == "" {
		ps.reportAt("INVALID_SERVICE_CONDITION_KEY", k, fmt.Sprintf("%q is not a condition key (keys are written \"service:Name\")", name), "")
		return nil
	}
	lp := strings.ToLower(prefix)
	if key, found := ps.cat.ConditionKey(name); found {
		return key
	}
	if lp == "aws" {
		fix := ""
		if s := ps.closestGlobalKey(name); s != "" {
			fix = fmt.Sprintf("Did you mean %q?", s)
		}
		ps.reportAt("INVALID_GLOBAL_CONDITION_KEY", k, fmt.Sprintf("%q is not an AWS global condition key", name), fix)
		return nil
	}
	// Keys of identity providers (accounts.google.com:aud,
	// token.actions.githubusercontent.com:sub, saml:aud) are not in the
	// reference.
	if strings.ContainsAny(prefix, "./") || lp == "saml" {
		return nil
	}
	if _, known := ps.cat.Service(prefix); !known {
		ps.reportAt("INVALID_SERVICE_CONDITION_KEY", k, fmt.Sprintf("%q: %q is not an AWS service prefix", name, prefix), "")
		return nil
	}
	ps.reportAt("INVALID_SERVICE_CONDITION_KEY", k, fmt.Sprintf("%q is not a condition key of %s", name, prefix), "")
	return nil
}

func (ps *pass) closestGlobalKey(name string) string {
	return ps.cat.ClosestGlobalKey(name, 4)
}
