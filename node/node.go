// Package node is the source-position-keeping document tree shared by every
// loader: policy files, scenarios, CloudFormation templates and change
// requests are all JSON or YAML, and every finding must say where it came
// from. Parsers build a *Node once; decoders walk it and keep positions.
package node

import "fmt"

// Pos is a position in a source file. Line and Column are 1-based; Column
// counts Unicode code points (like editors do), Offset counts bytes.
type Pos struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Offset int    `json:"-"`
}

// String renders "file:line:col" (or "line:col" without a file).
func (p Pos) String() string {
	if p.File == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// IsValid reports whether the position was set.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Kind is the JSON type of a node.
type Kind uint8

const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return "unknown"
}

// Node is one value of a JSON or YAML document.
type Node struct {
	Kind Kind
	// Text is the scalar's text: the unescaped string, the number literal
	// exactly as written, "true"/"false", or "null".
	Text string
	// Tag is the YAML tag when one was written explicitly (e.g. "!Ref",
	// "!Sub"); empty for JSON and untagged YAML.
	Tag    string
	Items  []*Node  // Array elements, in order.
	Fields []*Field // Object members, in source order; duplicates are kept.
	Pos    Pos      // Where the value starts.
	// EndOffset is the byte offset just past where the value ends (so
	// data[n.Pos.Offset:n.EndOffset] is its source text). Only the offset
	// is kept: nothing needs the end's line and column, and a second Pos
	// made every node half as big again, which the garbage collector paid
	// for on every parse.
	EndOffset int
}

// Field is one member of an object.
type Field struct {
	Key    string
	KeyPos Pos
	Value  *Node
}

// Get returns the first field named key (exact match), or nil.
func (n *Node) Get(key string) *Node {
	if n == nil || n.Kind != Object {
		return nil
	}
	for _, f := range n.Fields {
		if f.Key == key {
			return f.Value
		}
	}
	return nil
}

// Field returns the first field named key (exact match), or nil.
func (n *Node) Field(key string) *Field {
	if n == nil || n.Kind != Object {
		return nil
	}
	for _, f := range n.Fields {
		if f.Key == key {
			return f
		}
	}
	return nil
}

// SyntaxError is text that is not valid JSON or YAML (or breaks a limit such
// as nesting depth or UTF-8 validity). It always names a position.
type SyntaxError struct {
	Pos Pos
	Msg string
}

func (e *SyntaxError) Error() string { return e.Pos.String() + ": " + e.Msg }
