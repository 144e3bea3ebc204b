// Package policy is the IAM policy language: a typed model that remembers the
// file, line, column and JSON path of every element and value, parsers for
// JSON and YAML, and a canonical printer.
//
// Parsing never fails on a document that is valid JSON or YAML: grammar
// problems (wrong types, unknown elements, duplicate keys, Action with
// NotAction, …) are recorded in Policy.Problems at their positions so a
// linter can report all of them at once. Only text that is not JSON or YAML
// at all is an error (*node.SyntaxError).
package policy

import "github.com/iamguard/iamguard/node"

// Pos is a source position; see node.Pos.
type Pos = node.Pos

// Kind is what a policy is attached to. It changes which elements are
// required and which checks apply.
type Kind string

const (
	KindUnknown  Kind = ""
	KindIdentity Kind = "identity"
	KindResource Kind = "resource"
	KindTrust    Kind = "trust"
	KindSCP      Kind = "scp"
	KindRCP      Kind = "rcp"
	KindSession  Kind = "session"
	KindBoundary Kind = "boundary"
)

// Policy is one IAM policy document.
type Policy struct {
	File string
	// Name is the policy's name when known (manifest, template, file name).
	Name string
	Pos  Pos
	Path string // JSON path prefix of the document ("" for a whole file).

	Version *Value // nil when absent
	ID      *Value // nil when absent

	// StatementPresent is false when the document has no Statement element.
	StatementPresent bool
	// StatementIsArray records whether Statement was written as an array.
	StatementIsArray bool
	StatementPos     Pos
	Statements       []*Statement

	// Problems are grammar violations found while decoding, in source order.
	Problems []Problem
}

// Statement is one element of Statement.
type Statement struct {
	Index int    // position in Policy.Statements
	Path  string // e.g. "Statement[1]"
	Pos   Pos

	Sid    *Value // nil when absent
	Effect *Value // nil when absent; Text as written ("Allow", "Deny", or anything)

	Principal    *Principal // nil when absent
	NotPrincipal *Principal // nil when absent

	Action      *List // nil when absent
	NotAction   *List
	Resource    *List
	NotResource *List

	Condition *Condition // nil when absent
}

// Allows reports whether Effect is exactly "Allow".
func (s *Statement) Allows() bool { return s.Effect != nil && s.Effect.Text == "Allow" }

// Denies reports whether Effect is exactly "Deny".
func (s *Statement) Denies() bool { return s.Effect != nil && s.Effect.Text == "Deny" }

// ValueType is the JSON type a scalar value was written as.
type ValueType uint8

const (
	TypeString ValueType = iota
	TypeNumber
	TypeBool
	TypeNull
	TypeOther // an array or object where a scalar belongs (also a Problem)
)

// Value is a scalar with its position. Text keeps numbers and booleans as
// written so that condition values like 10 or true round-trip exactly.
type Value struct {
	Text string
	Type ValueType
	Pos  Pos
	Path string // e.g. "Statement[0].Action[1]"
}

// List is an element written as a string or an array of strings
// (Action, NotAction, Resource, NotResource, principal values, condition values).
type List struct {
	Values  []Value
	IsArray bool
	Pos     Pos
	Path    string
}

// Texts returns the values' texts.
func (l *List) Texts() []string {
	if l == nil {
		return nil
	}
	out := make([]string, len(l.Values))
	for i, v := range l.Values {
		out[i] = v.Text
	}
	return out
}

// Principal is a Principal or NotPrincipal element.
type Principal struct {
	Pos  Pos
	Path string
	// Wildcard is true for the form "Principal": "*".
	Wildcard bool
	// Entries are the map form's members, in source order: "AWS", "Service",
	// "Federated", "CanonicalUser" (any other key is kept and is a Problem).
	Entries []PrincipalEntry
}

// PrincipalEntry is one principal type and its values.
type PrincipalEntry struct {
	Type    string
	TypePos Pos
	Values  List
}

// Condition is the Condition element: operator → key → values.
type Condition struct {
	Pos    Pos
	Path   string
	Blocks []ConditionBlock
}

// ConditionBlock is one operator and the keys under it.
type ConditionBlock struct {
	// Operator is the text as written, e.g. "ForAnyValue:StringLikeIfExists".
	Operator Value
	Entries  []ConditionEntry
}

// ConditionEntry is one condition key and its values (ORed).
type ConditionEntry struct {
	Key    Value
	Values List
}

// Problem is a grammar violation found while decoding. Code is the finding
// code the linter reports (Access Analyzer's where it has one).
type Problem struct {
	Code    string
	Message string
	Pos     Pos
	Path    string
}

// Problem codes recorded by the decoder.
const (
	ProblemInvalidElement      = "INVALID_POLICY_ELEMENT"          // unknown element name
	ProblemTypeMismatch        = "POLICY_ELEMENT_TYPE_MISMATCH"    // e.g. Action is a number
	ProblemDuplicateKey        = "DUPLICATE_KEY"                   // same key twice in one object
	ProblemElementCombination  = "UNSUPPORTED_ELEMENT_COMBINATION" // Action+NotAction, Resource+NotResource, Principal+NotPrincipal
	ProblemInvalidPrincipalKey = "INVALID_PRINCIPAL_KEY"           // Principal map key other than AWS/Service/Federated/CanonicalUser
	ProblemNotObject           = "POLICY_NOT_OBJECT"               // the document is not a JSON object
)
