package policy

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/iamguard/iamguard/node"
)

// Parse parses a policy document written as JSON or YAML (see node.Parse for
// how the format is chosen) and decodes it. The error is non-nil only when
// data is not JSON or YAML at all (a *node.SyntaxError); grammar problems are
// in Policy.Problems.
func Parse(file string, data []byte) (*Policy, error) {
	n, err := node.Parse(file, data)
	if err != nil {
		return nil, err
	}
	return Decode(n, file, ""), nil
}

// Decode builds a Policy from a document tree. pathPrefix is the JSON path
// of the document inside its host file, ending in "." (for example
// "Resources.Role.Properties.PolicyDocument."), or "" for a whole file; it
// prefixes every Path. Decode never fails: every grammar problem is recorded
// in Policy.Problems, sorted by position, and decoding carries on.
//
// When a key is written twice in one object, the problem is reported at the
// second one and the last value is decoded, as most JSON readers do.
func Decode(n *node.Node, file, pathPrefix string) *Policy {
	d := decoder{prefix: pathPrefix}
	p := &Policy{File: file, Path: pathPrefix}
	d.policy(p, n)
	p.Problems = d.problems
	slices.SortStableFunc(p.Problems, func(a, b Problem) int {
		if c := cmp.Compare(a.Pos.Line, b.Pos.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Pos.Column, b.Pos.Column)
	})
	return p
}

type decoder struct {
	prefix   string
	problems []Problem
}

func (d *decoder) add(code string, pos Pos, path, format string, args ...any) {
	d.problems = append(d.problems, Problem{Code: code, Message: fmt.Sprintf(format, args...), Pos: pos, Path: path})
}

// docPath is the path of the document itself, for problems about its shape.
func (d *decoder) docPath() string { return strings.TrimSuffix(d.prefix, ".") }

// join appends an object key to a path: dotted when the key is a plain
// identifier, bracketed and quoted otherwise (condition keys hold ':' and '/').
func join(path, key string) string {
	if isIdent(key) {
		if path == "" || strings.HasSuffix(path, ".") {
			return path + key
		}
		return path + "." + key
	}
	return strings.TrimSuffix(path, ".") + "[" + strconv.Quote(key) + "]"
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func index(path string, i int) string {
	return strings.TrimSuffix(path, ".") + "[" + strconv.Itoa(i) + "]"
}

// lastFields returns the object's fields with only the last of each key,
// reporting every earlier duplicate.
func (d *decoder) lastFields(n *node.Node, path string) []*node.Field {
	fields := n.Fields
	dup := false
	for i := 1; i < len(fields) && !dup; i++ {
		for j := 0; j < i; j++ {
			if fields[i].Key == fields[j].Key {
				dup = true
				break
			}
		}
	}
	if !dup {
		return fields
	}
	out := make([]*node.Field, 0, len(fields))
	for i, f := range fields {
		later := false
		for _, g := range fields[i+1:] {
			if g.Key == f.Key {
				later = true
				break
			}
		}
		earlier := slices.ContainsFunc(fields[:i], func(g *node.Field) bool { return g.Key == f.Key })
		if earlier {
			d.add(ProblemDuplicateKey, f.KeyPos, join(path, f.Key), "duplicate key %q: it is already defined in this object", f.Key)
		}
		if !later {
			out = append(out, f)
		}
	}
	return out
}

var topElements = []string{"Version", "Id", "Statement"}

var statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

var principalTypes = []string{"AWS", "Service", "Federated", "CanonicalUser"}

// suggest returns the valid name that differs from key only in case.
func suggest(key string, valid []string) string {
	for _, v := range valid {
		if strings.EqualFold(v, key) {
			return v
		}
	}
	return ""
}

func (d *decoder) policy(p *Policy, n *node.Node) {
	if n == nil {
		d.add(ProblemNotObject, Pos{File: p.File}, d.docPath(), "the policy document is empty: it must be a JSON object")
		return
	}
	p.Pos = n.Pos
	if n.Kind != node.Object {
		d.add(ProblemNotObject, n.Pos, d.docPath(), "the policy document must be a JSON object, not %s", describe(n))
		return
	}
	for _, f := range d.lastFields(n, d.prefix) {
		path := join(d.prefix, f.Key)
		switch f.Key {
		case "Version":
			p.Version = d.scalarString(f.Value, path, "Version")
		case "Id":
			p.ID = d.scalarString(f.Value, path, "Id")
		case "Statement":
			d.statements(p, f.Value, path)
		default:
			switch {
			case suggest(f.Key, topElements) != "":
				d.add(ProblemInvalidElement, f.KeyPos, path, "unknown element %q: element names are case-sensitive; did you mean %q?", f.Key, suggest(f.Key, topElements))
			case slices.Contains(statementElements, f.Key) || suggest(f.Key, statementElements) != "":
				d.add(ProblemInvalidElement, f.KeyPos, path, "unknown top-level element %q: it belongs inside a statement in \"Statement\"", f.Key)
			default:
				d.add(ProblemInvalidElement, f.KeyPos, path, "unknown top-level element %q: a policy has only Version, Id and Statement", f.Key)
			}
		}
	}
}

func describe(n *node.Node) string {
	switch n.Kind {
	case node.Object:
		return "an object"
	case node.Array:
		return "an array"
	case node.Null:
		return "null"
	case node.Bool:
		return "a boolean"
	case node.Number:
		return "a number"
	}
	return "a string"
}

func valueType(k node.Kind) ValueType {
	switch k {
	case node.String:
		return TypeString
	case node.Number:
		return TypeNumber
	case node.Bool:
		return TypeBool
	case node.Null:
		return TypeNull
	}
	return TypeOther
}

// scalarString decodes an element that must be a string. A scalar of another
// type is kept (with its Type) so a linter can quote it; a problem is recorded.
func (d *decoder) scalarString(n *node.Node, path, name string) *Value {
	v := &Value{Text: n.Text, Type: valueType(n.Kind), Pos: n.Pos, Path: path}
	if n.Kind != node.String {
		d.add(ProblemTypeMismatch, n.Pos, path, "%s must be a string, not %s", name, describe(n))
		if v.Type == TypeOther {
			v.Text = ""
		}
	}
	return v
}

func (d *decoder) statements(p *Policy, n *node.Node, path string) {
	p.StatementPresent = true
	p.StatementPos = n.Pos
	switch n.Kind {
	case node.Object:
		p.Statements = []*Statement{d.statement(n, path, 0)}
	case node.Array:
		p.StatementIsArray = true
		p.Statements = make([]*Statement, 0, len(n.Items))
		for i, item := range n.Items {
			itemPath := index(path, i)
			if item.Kind != node.Object {
				d.add(ProblemTypeMismatch, item.Pos, itemPath, "each statement must be an object, not %s", describe(item))
				continue
			}
			p.Statements = append(p.Statements, d.statement(item, itemPath, len(p.Statements)))
		}
	default:
		d.add(ProblemTypeMismatch, n.Pos, path, "Statement must be an object or an array of objects, not %s", describe(n))
	}
}

func (d *decoder) statement(n *node.Node, path string, idx int) *Statement {
	s := &Statement{Index: idx, Path: path, Pos: n.Pos}
	var principalKey, actionKey, resourceKey *node.Field
	for _, f := range d.lastFields(n, path) {
		fpath := join(path, f.Key)
		switch f.Key {
		case "Sid":
			s.Sid = d.scalarString(f.Value, fpath, "Sid")
		case "Effect":
			s.Effect = d.scalarString(f.Value, fpath, "Effect")
		case "Principal", "NotPrincipal":
			pr := d.principal(f.Value, fpath, f.Key)
			if f.Key == "Principal" {
				s.Principal = pr
			} else {
				s.NotPrincipal = pr
			}
			d.combination(&principalKey, f, fpath)
		case "Action", "NotAction", "Resource", "NotResource":
			l := d.stringList(f.Value, fpath, f.Key)
			switch f.Key {
			case "Action":
				s.Action = l
				d.combination(&actionKey, f, fpath)
			case "NotAction":
				s.NotAction = l
				d.combination(&actionKey, f, fpath)
			case "Resource":
				s.Resource = l
				d.combination(&resourceKey, f, fpath)
			default:
				s.NotResource = l
				d.combination(&resourceKey, f, fpath)
			}
		case "Condition":
			s.Condition = d.condition(f.Value, fpath)
		default:
			if want := suggest(f.Key, statementElements); want != "" {
				d.add(ProblemInvalidElement, f.KeyPos, fpath, "unknown element %q: element names are case-sensitive; did you mean %q?", f.Key, want)
			} else if slices.Contains(topElements, f.Key) {
				d.add(ProblemInvalidElement, f.KeyPos, fpath, "element %q belongs at the top of the policy, not inside a statement", f.Key)
			} else {
				d.add(ProblemInvalidElement, f.KeyPos, fpath, "unknown statement element %q: expected one of %s", f.Key, strings.Join(statementElements, ", "))
			}
		}
	}
	return s
}

// combination records a problem when a statement has both forms of an
// element (Action and NotAction, …); first remembers the earlier one.
func (d *decoder) combination(first **node.Field, f *node.Field, path string) {
	if *first == nil {
		*first = f
		return
	}
	d.add(ProblemElementCombination, f.KeyPos, path, "a statement cannot have both %q and %q", (*first).Key, f.Key)
}

// stringList decodes Action, NotAction, Resource, NotResource and principal
// values: a string or an array of strings. Non-string items are reported
// and left out so consumers never mistake them for names.
func (d *decoder) stringList(n *node.Node, path, name string) *List {
	l := &List{Pos: n.Pos, Path: path}
	switch n.Kind {
	case node.String:
		l.Values = []Value{{Text: n.Text, Type: TypeString, Pos: n.Pos, Path: path}}
	case node.Array:
		l.IsArray = true
		l.Values = make([]Value, 0, len(n.Items))
		for i, item := range n.Items {
			ipath := index(path, i)
			if item.Kind != node.String {
				d.add(ProblemTypeMismatch, item.Pos, ipath, "each value of %s must be a string, not %s", name, describe(item))
				continue
			}
			l.Values = append(l.Values, Value{Text: item.Text, Type: TypeString, Pos: item.Pos, Path: ipath})
		}
	default:
		d.add(ProblemTypeMismatch, n.Pos, path, "%s must be a string or an array of strings, not %s", name, describe(n))
	}
	return l
}

func (d *decoder) principal(n *node.Node, path, name string) *Principal {
	pr := &Principal{Pos: n.Pos, Path: path}
	switch n.Kind {
	case node.String:
		if n.Text == "*" {
			pr.Wildcard = true
		} else {
			d.add(ProblemTypeMismatch, n.Pos, path, "%s must be \"*\" or an object such as {\"AWS\": %s}", name, strconv.Quote(n.Text))
		}
	case node.Object:
		fields := d.lastFields(n, path)
		pr.Entries = make([]PrincipalEntry, 0, len(fields))
		for _, f := range fields {
			fpath := join(path, f.Key)
			if !slices.Contains(principalTypes, f.Key) {
				if want := suggest(f.Key, principalTypes); want != "" {
					d.add(ProblemInvalidPrincipalKey, f.KeyPos, fpath, "unknown principal type %q: principal types are case-sensitive; did you mean %q?", f.Key, want)
				} else {
					d.add(ProblemInvalidPrincipalKey, f.KeyPos, fpath, "unknown principal type %q: expected AWS, Service, Federated or CanonicalUser", f.Key)
				}
			}
			pr.Entries = append(pr.Entries, PrincipalEntry{Type: f.Key, TypePos: f.KeyPos, Values: *d.stringList(f.Value, fpath, name+"."+f.Key)})
		}
	default:
		d.add(ProblemTypeMismatch, n.Pos, path, "%s must be \"*\" or an object, not %s", name, describe(n))
	}
	return pr
}

func (d *decoder) condition(n *node.Node, path string) *Condition {
	c := &Condition{Pos: n.Pos, Path: path}
	if n.Kind != node.Object {
		d.add(ProblemTypeMismatch, n.Pos, path, "Condition must be an object of operators, not %s", describe(n))
		return c
	}
	ops := d.lastFields(n, path)
	c.Blocks = make([]ConditionBlock, 0, len(ops))
	for _, op := range ops {
		opPath := join(path, op.Key)
		b := ConditionBlock{Operator: Value{Text: op.Key, Type: TypeString, Pos: op.KeyPos, Path: opPath}}
		if op.Value.Kind != node.Object {
			d.add(ProblemTypeMismatch, op.Value.Pos, opPath, "condition operator %q must map condition keys to values, not be %s", op.Key, describe(op.Value))
			c.Blocks = append(c.Blocks, b)
			continue
		}
		keys := d.lastFields(op.Value, opPath)
		b.Entries = make([]ConditionEntry, 0, len(keys))
		for _, k := range keys {
			kpath := join(opPath, k.Key)
			e := ConditionEntry{
				Key:    Value{Text: k.Key, Type: TypeString, Pos: k.KeyPos, Path: kpath},
				Values: d.conditionValues(k.Value, kpath, k.Key),
			}
			b.Entries = append(b.Entries, e)
		}
		c.Blocks = append(c.Blocks, b)
	}
	return c
}

func conditionScalar(k node.Kind) bool {
	return k == node.String || k == node.Number || k == node.Bool
}

func (d *decoder) conditionValues(n *node.Node, path, key string) List {
	l := List{Pos: n.Pos, Path: path}
	switch {
	case conditionScalar(n.Kind):
		l.Values = []Value{{Text: n.Text, Type: valueType(n.Kind), Pos: n.Pos, Path: path}}
	case n.Kind == node.Array:
		l.IsArray = true
		l.Values = make([]Value, 0, len(n.Items))
		for i, item := range n.Items {
			ipath := index(path, i)
			if !conditionScalar(item.Kind) {
				d.add(ProblemTypeMismatch, item.Pos, ipath, "each value of condition key %q must be a string, number or boolean, not %s", key, describe(item))
				continue
			}
			l.Values = append(l.Values, Value{Text: item.Text, Type: valueType(item.Kind), Pos: item.Pos, Path: ipath})
		}
	default:
		d.add(ProblemTypeMismatch, n.Pos, path, "condition key %q must have a string, number or boolean value or an array of them, not %s", key, describe(n))
	}
	return l
}
