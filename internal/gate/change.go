// Package gate is iamguard's change gate: a change request is planned
// (priced, tagged, decided by the organisation's approval rules, scanned),
// optionally approved by a named human, and applied, and nothing reaches
// apply without the scan and, where the rules say so, a recorded approval of
// exactly that content. Every step issues a token bound to the content's
// SHA-256 and the step, and every step, refusal included, is written to a
// hash-chained audit log (package store).
package gate

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/iamguard/iamguard/node"
)

// Operation is what a change does to its resource.
type Operation string

const (
	Create Operation = "create"
	Read   Operation = "read"
	Update Operation = "update"
	Delete Operation = "delete"
)

// Operations lists the valid operations in the order people read them.
var operations = []Operation{Create, Read, Update, Delete}

// Cost is a monthly cost in USD as written in a change file: a number, or
// the word "unknown".
type Cost struct {
	USD     float64
	Unknown bool
}

// Change is one change request: one operation on one resource in one
// environment. Fields other than File and Doc are its content, which the
// content hash covers.
type Change struct {
	Environment  string    `json:"environment"`
	Operation    Operation `json:"operation"`
	ResourceType string    `json:"resourceType"`
	// Identifier is the resource's primary identifier (for read, update,
	// delete): a policy ARN, a role name, a bucket name…
	Identifier string `json:"identifier,omitempty"`
	// Properties are the resource's CloudFormation properties (the Cloud
	// Control desired state). Values are string, json.Number, bool, nil,
	// []any and map[string]any.
	Properties map[string]any `json:"properties,omitempty"`
	// MonthlyCost, when nil, is estimated from the embedded price table.
	MonthlyCost *Cost  `json:"monthlyCost,omitempty"`
	Requester   string `json:"requester,omitempty"`
	// Description says why, for the approver.
	Description string `json:"description,omitempty"`
	// PromotedFrom is the promotion hash of the same change applied in a
	// non-production environment (see PromotionHash).
	PromotedFrom string `json:"promotedFrom,omitempty"`

	// File is where the change was read from; Doc is its parsed document,
	// which keeps every value's position for findings and errors.
	File string     `json:"-"`
	Doc  *node.Node `json:"-"`
}

// InputError is a change request that cannot be read: it names the
// position of the problem. The CLI exits 2 on it.
type InputError struct {
	Pos node.Pos
	Msg string
}

func (e *InputError) Error() string {
	if e.Pos.IsValid() {
		return e.Pos.String() + ": " + e.Msg
	}
	if e.Pos.File != "" {
		return e.Pos.File + ": " + e.Msg
	}
	return e.Msg
}

// changeFields are the keys a change file may have, in documentation order.
var changeFields = []string{"environment", "operation", "resourceType", "identifier", "properties", "monthlyCost", "requester", "description", "promotedFrom"}

// resourceTypeSyntax is CloudFormation's Organization::Service::Resource.
var resourceTypeSyntax = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$`) })

// hashSyntax is a hex SHA-256.
var hashSyntax = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })

// ParseChange reads a change request from JSON or YAML. Unknown fields,
// wrong types, duplicate keys and missing required fields are errors naming
// file:line:col (*InputError, or *node.SyntaxError for text that is not
// JSON or YAML at all). Whether the environment exists is checked later,
// against the configuration (Gate.Plan).
func ParseChange(file string, data []byte) (*Change, error) {
	doc, err := node.Parse(file, data)
	if err != nil {
		return nil, err
	}
	return DecodeChange(file, doc)
}

// DecodeChange builds a Change from a parsed document.
func DecodeChange(file string, doc *node.Node) (*Change, error) {
	if doc == nil || doc.Kind != node.Object {
		pos := node.Pos{File: file, Line: 1, Column: 1}
		kind := "nothing"
		if doc != nil {
			pos, kind = doc.Pos, doc.Kind.String()
		}
		return nil, &InputError{Pos: pos, Msg: "a change request is an object with environment, operation, resourceType and properties; found " + kind}
	}
	c := &Change{File: file, Doc: doc}
	seen := map[string]bool{}
	for _, f := range doc.Fields {
		if seen[f.Key] {
			return nil, &InputError{Pos: f.KeyPos, Msg: fmt.Sprintf("duplicate field %q", f.Key)}
		}
		seen[f.Key] = true
		v := f.Value
		str := func(dst *string) error {
			if v.Kind != node.String {
				return &InputError{Pos: v.Pos, Msg: fmt.Sprintf("%s must be a string, found %s", f.Key, v.Kind)}
			}
			*dst = v.Text
			return nil
		}
		var err error
		switch f.Key {
		case "environment":
			err = str(&c.Environment)
		case "operation":
			var op string
			if err = str(&op); err == nil {
				c.Operation = Operation(op)
				if !slices.Contains(operations, c.Operation) {
					err = &InputError{Pos: v.Pos, Msg: fmt.Sprintf("operation %q is not create, read, update or delete", op)}
				}
			}
		case "resourceType":
			if err = str(&c.ResourceType); err == nil && !resourceTypeSyntax().MatchString(c.ResourceType) {
				err = &InputError{Pos: v.Pos, Msg: fmt.Sprintf("resourceType %q is not a CloudFormation type name such as AWS::IAM::ManagedPolicy", c.ResourceType)}
			}
		case "identifier":
			err = str(&c.Identifier)
		case "requester":
			err = str(&c.Requester)
		case "description":
			err = str(&c.Description)
		case "promotedFrom":
			if err = str(&c.PromotedFrom); err == nil && !hashSyntax().MatchString(c.PromotedFrom) {
				err = &InputError{Pos: v.Pos, Msg: "promotedFrom must be the 64-hex-digit promotionHash printed by plan or apply in the non-production environment"}
			}
		case "properties":
			if v.Kind != node.Object {
				err = &InputError{Pos: v.Pos, Msg: fmt.Sprintf("properties must be an object, found %s", v.Kind)}
				break
			}
			var props any
			props, err = nodeValue(v)
			if err == nil {
				c.Properties = props.(map[string]any)
			}
		case "monthlyCost":
			c.MonthlyCost, err = decodeCost(v)
		default:
			err = &InputError{Pos: f.KeyPos, Msg: fmt.Sprintf("unknown field %q%s (a change has %s)", f.Key, suggestField(f.Key), strings.Join(changeFields, ", "))}
		}
		if err != nil {
			return nil, err
		}
	}
	for _, req := range []struct {
		name string
		v    string
	}{{"environment", c.Environment}, {"operation", string(c.Operation)}, {"resourceType", c.ResourceType}} {
		if strings.TrimSpace(req.v) == "" {
			return nil, &InputError{Pos: doc.Pos, Msg: "missing required field " + req.name}
		}
	}
	switch c.Operation {
	case Read, Update, Delete:
		if strings.TrimSpace(c.Identifier) == "" {
			return nil, &InputError{Pos: doc.Pos, Msg: fmt.Sprintf("a %s needs an identifier (the resource's primary identifier, e.g. a policy ARN or a role name)", c.Operation)}
		}
	}
	if c.Operation == Update && len(c.Properties) == 0 {
		return nil, &InputError{Pos: doc.Pos, Msg: "an update needs properties: the properties to set"}
	}
	return c, nil
}

func decodeCost(v *node.Node) (*Cost, error) {
	switch v.Kind {
	case node.String:
		if strings.EqualFold(strings.TrimSpace(v.Text), "unknown") {
			return &Cost{Unknown: true}, nil
		}
	case node.Number:
		f, err := strconv.ParseFloat(v.Text, 64)
		if err == nil && f >= 0 && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return &Cost{USD: f}, nil
		}
	}
	return nil, &InputError{Pos: v.Pos, Msg: fmt.Sprintf("monthlyCost must be a number of USD per month (≥ 0) or \"unknown\", found %s %q", v.Kind, v.Text)}
}

// nodeValue converts a document value to plain Go values, refusing what a
// Cloud Control desired state cannot hold: duplicate keys and YAML tags
// such as CloudFormation's !Ref (a change names concrete values).
func nodeValue(n *node.Node) (any, error) {
	if n.Tag != "" {
		return nil, &InputError{Pos: n.Pos, Msg: fmt.Sprintf("YAML tag %s is not supported in a change request: write the concrete value (CloudFormation intrinsic functions are not resolved here)", n.Tag)}
	}
	switch n.Kind {
	case node.Null:
		return nil, nil
	case node.Bool:
		return n.Text == "true", nil
	case node.String:
		return n.Text, nil
	case node.Number:
		num, err := canonicalNumber(n.Text)
		if err != nil {
			return nil, &InputError{Pos: n.Pos, Msg: err.Error()}
		}
		return num, nil
	case node.Array:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			v, err := nodeValue(it)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case node.Object:
		out := make(map[string]any, len(n.Fields))
		for _, f := range n.Fields {
			if _, dup := out[f.Key]; dup {
				return nil, &InputError{Pos: f.KeyPos, Msg: fmt.Sprintf("duplicate key %q", f.Key)}
			}
			v, err := nodeValue(f.Value)
			if err != nil {
				return nil, err
			}
			out[f.Key] = v
		}
		return out, nil
	}
	return nil, &InputError{Pos: n.Pos, Msg: "unsupported value"}
}

func suggestField(key string) string {
	best, bestDist := "", 3
	for _, f := range changeFields {
		if d := editDistance(strings.ToLower(key), strings.ToLower(f)); d < bestDist {
			best, bestDist = f, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// PropertiesNode is the document node of properties (nil when absent).
func (c *Change) PropertiesNode() *node.Node { return c.Doc.Get("properties") }

// PosOf returns the source position of a path inside the change document
// (keys and indexes, e.g. "properties", "PolicyDocument", "Statement", 0),
// or of the deepest part of it that exists. Values added by the gate (tags)
// have no position of their own and report their container's.
func (c *Change) PosOf(path ...any) node.Pos {
	n := c.Doc
	if n == nil {
		return node.Pos{File: c.File}
	}
	pos := n.Pos
	for _, p := range path {
		var next *node.Node
		switch k := p.(type) {
		case string:
			if f := n.Field(k); f != nil {
				next = f.Value
			}
		case int:
			if n.Kind == node.Array && k >= 0 && k < len(n.Items) {
				next = n.Items[k]
			}
		}
		if next == nil {
			break
		}
		n, pos = next, next.Pos
	}
	return pos
}
