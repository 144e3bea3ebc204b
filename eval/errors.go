package eval

import (
	"cmp"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/node"
)

// Error is bad input at a place: a scenario field that is missing or
// malformed, an unknown condition operator, a malformed ARN.
type Error struct {
	Pos  node.Pos
	Path string // JSON path, e.g. "identityPolicies[0].Statement[1].Resource[0]"
	Msg  string
}

func (e *Error) Error() string {
	if e.Pos.IsValid() {
		return e.Pos.String() + ": " + e.Msg
	}
	if e.Pos.File != "" {
		return e.Pos.File + ": " + e.Msg
	}
	return e.Msg
}

// ErrorList is every error found in one input, in source order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// err returns nil for an empty list (so callers can return it as error).
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Column, b.Pos.Column))
	})
	return l
}

func (l *ErrorList) add(pos node.Pos, path, msg string) {
	*l = append(*l, &Error{Pos: pos, Path: path, Msg: msg})
}
