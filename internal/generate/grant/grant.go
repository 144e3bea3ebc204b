// Package grant is the shape every generator produces: permissions (an
// action on a resource, with the evidence that asked for it), grouped into
// the smallest IAM policy document that grants exactly them.
package grant

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/arn"
	"github.com/iamguard/iamguard/policy"
)

// Version is the only policy language version generators write.
const Version = "2012-10-17"

// Evidence is where a permission came from: a line of code, a CloudTrail
// event, a capability of the curated catalog.
type Evidence struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Note says what was seen there, e.g. "s3.PutObject" or "GetSecretValue event".
	Note string `json:"note,omitempty"`
}

// Clause is one condition: operator, key and the values it accepts (ORed).
type Clause struct {
	Operator string
	Key      string
	Values   []string
}

// Permission is one action on one resource (an ARN or ARN pattern), under
// optional conditions.
type Permission struct {
	Action     string
	Resource   string
	Conditions []Clause
	Evidence   []Evidence
}

// Statement is one Allow statement of a generated document.
type Statement struct {
	Effect     string
	Action     []string
	Resource   []string
	Conditions []Clause
}

// Document is a generated IAM policy document.
type Document struct {
	Version   string
	Statement []Statement
}

// Build groups permissions into statements: per action (and conditions) the
// resources it needs, minus those another of them already covers; then
// actions that need exactly the same resources share a statement. Order
// follows first appearance, so a curated entry's order survives.
func Build(perms []Permission) *Document {
	type group struct {
		action    string
		condKey   string
		conds     []Clause
		resources []string
	}
	var groups []*group
	index := map[string]*group{}
	for _, p := range perms {
		ck := conditionKey(p.Conditions)
		k := strings.ToLower(p.Action) + "\x00" + ck
		g := index[k]
		if g == nil {
			g = &group{action: p.Action, condKey: ck, conds: p.Conditions}
			index[k] = g
			groups = append(groups, g)
		}
		if !slices.Contains(g.resources, p.Resource) {
			g.resources = append(g.resources, p.Resource)
		}
	}
	doc := &Document{Version: Version}
	stmtIndex := map[string]int{}
	for _, g := range groups {
		res := Reduce(g.resources)
		k := strings.Join(res, "\x00") + "\x01" + g.condKey
		if i, ok := stmtIndex[k]; ok {
			doc.Statement[i].Action = append(doc.Statement[i].Action, g.action)
			continue
		}
		stmtIndex[k] = len(doc.Statement)
		doc.Statement = append(doc.Statement, Statement{
			Effect:     "Allow",
			Action:     []string{g.action},
			Resource:   res,
			Conditions: g.conds,
		})
	}
	return doc
}

func conditionKey(cs []Clause) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.Operator + "\x00" + c.Key + "\x00" + strings.Join(c.Values, "\x00") + "\x01")
	}
	return b.String()
}

// Reduce drops every resource pattern another one in the list already
// covers ("*" covers all), keeping the first of equal ones and their order.
func Reduce(resources []string) []string {
	out := make([]string, 0, len(resources))
	for i, r := range resources {
		covered := false
		for j, o := range resources {
			if i == j {
				continue
			}
			if arn.Covers(o, r) && (!arn.Covers(r, o) || j < i) {
				covered = true
				break
			}
		}
		if !covered && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// Actions lists every action of the document, in order, once.
func (d *Document) Actions() []string {
	var out []string
	for _, s := range d.Statement {
		for _, a := range s.Action {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// MarshalJSON writes the document the way people write policies: Version,
// Statement; Effect, Action (always a list), Resource (a string when there
// is one), Condition.
func (d *Document) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"Version":`)
	writeString(&b, d.Version)
	b.WriteString(`,"Statement":[`)
	for i, s := range d.Statement {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"Effect":`)
		writeString(&b, s.Effect)
		b.WriteString(`,"Action":`)
		writeList(&b, s.Action, true)
		b.WriteString(`,"Resource":`)
		writeList(&b, s.Resource, false)
		if len(s.Conditions) > 0 {
			b.WriteString(`,"Condition":`)
			writeConditions(&b, s.Conditions)
		}
		b.WriteByte('}')
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

// Indented is the document as indented JSON (two spaces), with a newline.
func (d *Document) Indented() []byte {
	raw, _ := d.MarshalJSON()
	var b bytes.Buffer
	_ = json.Indent(&b, raw, "", "  ")
	b.WriteByte('\n')
	return b.Bytes()
}

// Policy parses the document into the policy model, named name, so that
// the linter and the engine read exactly what is printed.
func (d *Document) Policy(name string) (*policy.Policy, error) {
	p, err := policy.Parse(name+".json", d.Indented())
	if err != nil {
		return nil, err
	}
	p.Name = name
	return p, nil
}

// ConditionMap groups the clauses by operator then key, in order, for
// renderers that write nested maps.
func ConditionMap(cs []Clause) []OperatorBlock {
	var out []OperatorBlock
	for _, c := range cs {
		i := slices.IndexFunc(out, func(o OperatorBlock) bool { return o.Operator == c.Operator })
		if i < 0 {
			out = append(out, OperatorBlock{Operator: c.Operator})
			i = len(out) - 1
		}
		out[i].Keys = append(out[i].Keys, c)
	}
	return out
}

// OperatorBlock is one condition operator and its clauses.
type OperatorBlock struct {
	Operator string
	Keys     []Clause
}

func writeConditions(b *bytes.Buffer, cs []Clause) {
	b.WriteByte('{')
	for i, blk := range ConditionMap(cs) {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, blk.Operator)
		b.WriteString(":{")
		for j, c := range blk.Keys {
			if j > 0 {
				b.WriteByte(',')
			}
			writeString(b, c.Key)
			b.WriteByte(':')
			writeList(b, c.Values, false)
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
}

func writeList(b *bytes.Buffer, vs []string, alwaysList bool) {
	if len(vs) == 1 && !alwaysList {
		writeString(b, vs[0])
		return
	}
	b.WriteByte('[')
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, v)
	}
	b.WriteByte(']')
}

func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}

// UnmarshalJSON reads a document back (for golden tests and --current
// round trips); Action and Resource accept a string or a list.
func (d *Document) UnmarshalJSON(data []byte) error {
	var raw struct {
		Version   string
		Statement []struct {
			Effect    string
			Action    stringOrList
			Resource  stringOrList
			Condition map[string]map[string]stringOrList
		}
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	d.Version = raw.Version
	d.Statement = nil
	for _, s := range raw.Statement {
		st := Statement{Effect: s.Effect, Action: s.Action, Resource: s.Resource}
		ops := make([]string, 0, len(s.Condition))
		for op := range s.Condition {
			ops = append(ops, op)
		}
		slices.Sort(ops)
		for _, op := range ops {
			keys := make([]string, 0, len(s.Condition[op]))
			for k := range s.Condition[op] {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				st.Conditions = append(st.Conditions, Clause{Operator: op, Key: k, Values: s.Condition[op][k]})
			}
		}
		d.Statement = append(d.Statement, st)
	}
	return nil
}

type stringOrList []string

func (s *stringOrList) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		var v string
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		*s = []string{v}
		return nil
	}
	var vs []string
	if err := json.Unmarshal(data, &vs); err != nil {
		return err
	}
	*s = vs
	return nil
}
