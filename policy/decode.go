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
	if node.IsJSON(file, data) {
		if p := decodeJSON(file, data); p != nil {
			return p, nil
		}
	}
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
	var d decoder
	// Paths take about one byte per source byte in pretty-printed policies.
	if n != nil {
		d.paths.Grow(min(max(n.EndOffset-n.Pos.Offset, 0)+64, 1<<20))
	}
	p := &Policy{File: file, Path: pathPrefix}
	d.policy(p, n, strings.TrimSuffix(pathPrefix, "."))
	p.Problems = d.problems
	slices.SortStableFunc(p.Problems, func(a, b Problem) int {
		if c := cmp.Compare(a.Pos.Line, b.Pos.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Pos.Column, b.Pos.Column)
	})
	return p
}

// decoder fills a Policy. Its methods write into zeroed destinations field
// by field (cheaper than whole-struct copies of pointerful structs).
type decoder struct {
	problems []Problem

	// Every Path is written into one builder and is a substring of it: a
	// strings.Builder never changes bytes it has written and its String
	// does not copy, so a policy's hundreds of paths cost a few
	// allocations instead of one each.
	paths strings.Builder

	// Values are carved from slabs for the same reason.
	valueSlab []Value
}

// pathFrom returns what was written to the builder since start.
func (d *decoder) pathFrom(start int) string { return d.paths.String()[start:] }

// key returns the path of member key of the object at parent: dotted when
// the key is a plain identifier, bracketed and quoted otherwise (condition
// keys hold ':' and '/').
func (d *decoder) key(parent, key string) string {
	b := &d.paths
	start := b.Len()
	b.WriteString(parent)
	switch {
	case isIdent(key):
		if parent != "" {
			b.WriteByte('.')
		}
		b.WriteString(key)
	case plainQuoted(key):
		b.WriteString(`["`)
		b.WriteString(key)
		b.WriteString(`"]`)
	default:
		b.WriteByte('[')
		b.WriteString(strconv.Quote(key))
		b.WriteByte(']')
	}
	return d.pathFrom(start)
}

// index returns the path of element i of the array at parent.
func (d *decoder) index(parent string, i int) string {
	b := &d.paths
	start := b.Len()
	b.WriteString(parent)
	b.WriteByte('[')
	var digits [20]byte
	b.Write(strconv.AppendInt(digits[:0], int64(i), 10))
	b.WriteByte(']')
	return d.pathFrom(start)
}

// values returns an empty slice with room for n values, from a slab; nil
// when n is 0, whatever the slab's state, so an empty list always looks the
// same.
func (d *decoder) values(n int) []Value {
	if n == 0 {
		return nil
	}
	if n > 16 {
		return make([]Value, 0, n)
	}
	if len(d.valueSlab) < n {
		d.valueSlab = make([]Value, 64)
	}
	out := d.valueSlab[:0:n]
	d.valueSlab = d.valueSlab[n:]
	return out
}

// push extends l.Values by one (within the capacity d.values reserved) and
// returns the new, zero value.
func push(l *List) *Value {
	l.Values = l.Values[:len(l.Values)+1]
	return &l.Values[len(l.Values)-1]
}

// setValue fills a zero Value field by field: storing a whole Value
// literal copies it with a bulk write barrier whenever the garbage
// collector is marking, which profiles showed costs more than the fields.
func setValue(v *Value, text string, typ ValueType, pos Pos, path string) {
	v.Text, v.Type, v.Path = text, typ, path
	setPos(&v.Pos, pos)
}

// setPos stores a position field by field, for the same reason.
func setPos(dst *Pos, src Pos) {
	dst.File, dst.Line, dst.Column, dst.Offset = src.File, src.Line, src.Column, src.Offset
}

func (d *decoder) add(code string, pos Pos, path string, format string, args ...any) {
	d.problems = append(d.problems, Problem{Code: code, Message: fmt.Sprintf(format, args...), Pos: pos, Path: path})
}

// plainQuoted reports whether strconv.Quote(s) is just s in quotes:
// printable ASCII without '"' or '\\' (condition keys such as s3:prefix).
func plainQuoted(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
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

// lastFields returns the object's fields with only the last of each key,
// reporting every earlier duplicate.
func (d *decoder) lastFields(n *node.Node, path string) []*node.Field {
	fields := n.Fields
	if !hasDuplicates(fields) {
		return fields
	}
	// The last occurrence of each key wins; earlier ones are reported.
	last := make(map[string]int, len(fields))
	for i, f := range fields {
		last[f.Key] = i
	}
	seen := make(map[string]bool, len(fields))
	out := make([]*node.Field, 0, len(last))
	for i, f := range fields {
		if seen[f.Key] {
			d.add(ProblemDuplicateKey, f.KeyPos, d.key(path, f.Key), "duplicate key %q: it is already defined in this object", f.Key)
		}
		seen[f.Key] = true
		if last[f.Key] == i {
			out = append(out, f)
		}
	}
	return out
}

// hasDuplicates reports whether two fields share a key: pairwise for the
// small objects policies are made of, with a map for large ones so a
// hostile document cannot make decoding quadratic.
func hasDuplicates(fields []*node.Field) bool {
	if len(fields) <= 16 {
		for i := 1; i < len(fields); i++ {
			for j := 0; j < i; j++ {
				if fields[i].Key == fields[j].Key {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, len(fields))
	for _, f := range fields {
		if _, ok := seen[f.Key]; ok {
			return true
		}
		seen[f.Key] = struct{}{}
	}
	return false
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

// topStorage holds the top-level values so they cost one allocation.
type topStorage struct{ version, id Value }

func (d *decoder) policy(p *Policy, n *node.Node, root string) {
	if n == nil {
		d.add(ProblemNotObject, Pos{File: p.File, Line: 1, Column: 1}, root, "the policy document is empty: it must be a JSON object")
		return
	}
	setPos(&p.Pos, n.Pos)
	if n.Kind != node.Object {
		d.add(ProblemNotObject, n.Pos, root, "the policy document must be a JSON object, not %s", describe(n))
		return
	}
	var top *topStorage
	for _, f := range d.lastFields(n, root) {
		switch f.Key {
		case "Version", "Id":
			if top == nil {
				top = &topStorage{}
			}
			v := &top.version
			if f.Key == "Id" {
				v = &top.id
			}
			d.scalarString(v, f.Value, d.key(root, f.Key), f.Key)
			if f.Key == "Id" {
				p.ID = v
			} else {
				p.Version = v
			}
		case "Statement":
			d.statements(p, f.Value, d.key(root, f.Key))
		default:
			path := d.key(root, f.Key)
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

// scalarString decodes into v an element that must be a string. A scalar of
// another type is kept (with its Type) so a linter can quote it; a problem
// is recorded.
func (d *decoder) scalarString(v *Value, n *node.Node, path string, name string) {
	v.Text, v.Type = n.Text, valueType(n.Kind)
	setPos(&v.Pos, n.Pos)
	v.Path = path
	if n.Kind != node.String {
		d.add(ProblemTypeMismatch, n.Pos, path, "%s must be a string, not %s", name, describe(n))
		if v.Type == TypeOther {
			v.Text = ""
		}
	}
}

// statementStorage is what nearly every statement holds, allocated at once
// for all statements; rarer elements are allocated when present.
type statementStorage struct {
	s                Statement
	sid, effect      Value
	action, resource List
}

func (d *decoder) statements(p *Policy, n *node.Node, path string) {
	p.StatementPresent = true
	setPos(&p.StatementPos, n.Pos)
	switch n.Kind {
	case node.Object:
		st := &statementStorage{}
		d.statement(st, n, path, 0)
		p.Statements = []*Statement{&st.s}
	case node.Array:
		p.StatementIsArray = true
		p.Statements = make([]*Statement, 0, len(n.Items))
		storage := make([]statementStorage, len(n.Items))
		for i, item := range n.Items {
			itemPath := d.index(path, i)
			if item.Kind != node.Object {
				d.add(ProblemTypeMismatch, item.Pos, itemPath, "each statement must be an object, not %s", describe(item))
				continue
			}
			st := &storage[i]
			d.statement(st, item, itemPath, len(p.Statements))
			p.Statements = append(p.Statements, &st.s)
		}
	default:
		d.add(ProblemTypeMismatch, n.Pos, path, "Statement must be an object or an array of objects, not %s", describe(n))
	}
}

func (d *decoder) statement(st *statementStorage, n *node.Node, path string, idx int) {
	s := &st.s
	s.Index = idx
	setPos(&s.Pos, n.Pos)
	s.Path = path
	var principalKey, actionKey, resourceKey *node.Field
	for _, f := range d.lastFields(n, path) {
		fpath := d.key(path, f.Key)
		switch f.Key {
		case "Sid":
			d.scalarString(&st.sid, f.Value, fpath, "Sid")
			s.Sid = &st.sid
		case "Effect":
			d.scalarString(&st.effect, f.Value, fpath, "Effect")
			s.Effect = &st.effect
		case "Principal":
			s.Principal = &Principal{}
			d.principal(s.Principal, f.Value, fpath, f.Key)
			d.combination(&principalKey, f, fpath)
		case "NotPrincipal":
			s.NotPrincipal = &Principal{}
			d.principal(s.NotPrincipal, f.Value, fpath, f.Key)
			d.combination(&principalKey, f, fpath)
		case "Action":
			d.stringList(&st.action, f.Value, fpath, f.Key)
			s.Action = &st.action
			d.combination(&actionKey, f, fpath)
		case "NotAction":
			s.NotAction = &List{}
			d.stringList(s.NotAction, f.Value, fpath, f.Key)
			d.combination(&actionKey, f, fpath)
		case "Resource":
			d.stringList(&st.resource, f.Value, fpath, f.Key)
			s.Resource = &st.resource
			d.combination(&resourceKey, f, fpath)
		case "NotResource":
			s.NotResource = &List{}
			d.stringList(s.NotResource, f.Value, fpath, f.Key)
			d.combination(&resourceKey, f, fpath)
		case "Condition":
			s.Condition = &Condition{}
			d.condition(s.Condition, f.Value, fpath)
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
// values into l: a string or an array of strings. Non-string items are
// reported and left out so consumers never mistake them for names.
func (d *decoder) stringList(l *List, n *node.Node, path string, name string) {
	setPos(&l.Pos, n.Pos)
	l.Path = path
	switch n.Kind {
	case node.String:
		l.Values = d.values(1)
		setValue(push(l), n.Text, TypeString, n.Pos, path)
	case node.Array:
		l.IsArray = true
		l.Values = d.values(len(n.Items))
		for i, item := range n.Items {
			ipath := d.index(path, i)
			if item.Kind != node.String {
				d.add(ProblemTypeMismatch, item.Pos, ipath, "each value of %s must be a string, not %s", name, describe(item))
				continue
			}
			setValue(push(l), item.Text, TypeString, item.Pos, ipath)
		}
	default:
		d.add(ProblemTypeMismatch, n.Pos, path, "%s must be a string or an array of strings, not %s", name, describe(n))
	}
}

func (d *decoder) principal(pr *Principal, n *node.Node, path string, name string) {
	setPos(&pr.Pos, n.Pos)
	pr.Path = path
	switch n.Kind {
	case node.String:
		if n.Text == "*" {
			pr.Wildcard = true
		} else {
			d.add(ProblemTypeMismatch, n.Pos, path, "%s must be \"*\" or an object such as {\"AWS\": %s}", name, strconv.Quote(n.Text))
		}
	case node.Object:
		fields := d.lastFields(n, path)
		pr.Entries = make([]PrincipalEntry, len(fields))
		for i, f := range fields {
			fpath := d.key(path, f.Key)
			if !slices.Contains(principalTypes, f.Key) {
				if want := suggest(f.Key, principalTypes); want != "" {
					d.add(ProblemInvalidPrincipalKey, f.KeyPos, fpath, "unknown principal type %q: principal types are case-sensitive; did you mean %q?", f.Key, want)
				} else {
					d.add(ProblemInvalidPrincipalKey, f.KeyPos, fpath, "unknown principal type %q: expected AWS, Service, Federated or CanonicalUser", f.Key)
				}
			}
			e := &pr.Entries[i]
			e.Type = f.Key
			setPos(&e.TypePos, f.KeyPos)
			d.stringList(&e.Values, f.Value, fpath, name+"."+f.Key)
		}
	default:
		d.add(ProblemTypeMismatch, n.Pos, path, "%s must be \"*\" or an object, not %s", name, describe(n))
	}
}

func (d *decoder) condition(c *Condition, n *node.Node, path string) {
	setPos(&c.Pos, n.Pos)
	c.Path = path
	if n.Kind != node.Object {
		d.add(ProblemTypeMismatch, n.Pos, path, "Condition must be an object of operators, not %s", describe(n))
		return
	}
	ops := d.lastFields(n, path)
	c.Blocks = make([]ConditionBlock, len(ops))
	for i, op := range ops {
		opPath := d.key(path, op.Key)
		b := &c.Blocks[i]
		setValue(&b.Operator, op.Key, TypeString, op.KeyPos, opPath)
		if op.Value.Kind != node.Object {
			d.add(ProblemTypeMismatch, op.Value.Pos, opPath, "condition operator %q must map condition keys to values, not be %s", op.Key, describe(op.Value))
			continue
		}
		keys := d.lastFields(op.Value, opPath)
		b.Entries = make([]ConditionEntry, len(keys))
		for j, k := range keys {
			kpath := d.key(opPath, k.Key)
			e := &b.Entries[j]
			setValue(&e.Key, k.Key, TypeString, k.KeyPos, kpath)
			d.conditionValues(&e.Values, k.Value, kpath, k.Key)
		}
	}
}

func conditionScalar(k node.Kind) bool {
	return k == node.String || k == node.Number || k == node.Bool
}

func (d *decoder) conditionValues(l *List, n *node.Node, path string, key string) {
	setPos(&l.Pos, n.Pos)
	l.Path = path
	switch {
	case conditionScalar(n.Kind):
		l.Values = d.values(1)
		setValue(push(l), n.Text, valueType(n.Kind), n.Pos, path)
	case n.Kind == node.Array:
		l.IsArray = true
		l.Values = d.values(len(n.Items))
		for i, item := range n.Items {
			ipath := d.index(path, i)
			if !conditionScalar(item.Kind) {
				d.add(ProblemTypeMismatch, item.Pos, ipath, "each value of condition key %q must be a string, number or boolean, not %s", key, describe(item))
				continue
			}
			setValue(push(l), item.Text, valueType(item.Kind), item.Pos, ipath)
		}
	default:
		d.add(ProblemTypeMismatch, n.Pos, path, "condition key %q must have a string, number or boolean value or an array of them, not %s", key, describe(n))
	}
}
