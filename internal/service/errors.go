package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/eval"
	"github.com/iamguard/iamguard/node"
	"github.com/iamguard/iamguard/policy"
)

// Code is the stable class of an error, the same over HTTP and MCP.
type Code string

const (
	// BadInput: the request cannot be read (not JSON or YAML, a missing or
	// malformed field). The error names file:line:col where there is one.
	BadInput Code = "BAD_INPUT"
	// Unauthorized: no bearer token, or a wrong one.
	Unauthorized Code = "UNAUTHORIZED"
	// Forbidden: the caller may not do this here (approval over MCP by
	// someone not named in approvals.mcpApprovers, the requester approving
	// their own change, a write on a read-only server, a path outside --root).
	Forbidden Code = "FORBIDDEN"
	// NotFound: no such change, endpoint or file.
	NotFound Code = "NOT_FOUND"
	// MethodNotAllowed: the endpoint exists, the method does not.
	MethodNotAllowed Code = "METHOD_NOT_ALLOWED"
	// Conflict: the change is not in a state that allows the step (already
	// approved, rejected, applied).
	Conflict Code = "CONFLICT"
	// TooLarge: the request body is over the server's limit.
	TooLarge Code = "TOO_LARGE"
	// Refused: the gate refused the step: a missing, forged or expired
	// token, a token for other content, a failed scan, a missing approval.
	Refused Code = "REFUSED"
	// Unavailable: the operation needs something this server was not
	// started with (a change store).
	Unavailable Code = "UNAVAILABLE"
	// Internal: a bug or an I/O failure on the server's side.
	Internal Code = "INTERNAL"
)

// HTTPStatus is the status code an error of this class is served with.
func (c Code) HTTPStatus() int {
	switch c {
	case BadInput:
		return http.StatusBadRequest
	case Unauthorized:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case Conflict:
		return http.StatusConflict
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case Refused:
		return http.StatusUnprocessableEntity
	case Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Error is what every service call returns when it fails: a stable code, a
// message for people (and assistants) that says what to do, and the
// position of bad input.
type Error struct {
	Code Code `json:"code"`
	// Reason is the finer cause when there is one: the gate's refusal code
	// (TOKEN_INVALID, SELF_APPROVAL, CONTENT_CHANGED…), READ_ONLY.
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	// Path is the JSON path of the bad value when known
	// ("identityPolicies[0].Statement[1].Resource[0]").
	Path string `json:"path,omitempty"`
	// Details lists every problem when there were several (each already
	// in Message).
	Details []Problem `json:"details,omitempty"`
}

// Problem is one bad input at a place.
type Problem struct {
	Message string `json:"message"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Path    string `json:"path,omitempty"`
}

// Problem returns the error as a Problem.
func (e *Error) Problem() Problem {
	return Problem{Message: e.Message, File: e.File, Line: e.Line, Column: e.Column, Path: e.Path}
}

// Error renders "CODE (REASON): file:line:col: message", the form MCP tool errors
// show an assistant.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Reason != "" {
		b.WriteString(" (" + e.Reason + ")")
	}
	b.WriteString(": ")
	if e.File != "" && e.Line > 0 && !strings.HasPrefix(e.Message, e.File+":") {
		fmt.Fprintf(&b, "%s:%d:%d: ", e.File, e.Line, e.Column)
	}
	b.WriteString(e.Message)
	return b.String()
}

// Errorf builds an error of a code.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// At builds a bad-input error at a position.
func At(pos node.Pos, format string, args ...any) *Error {
	return &Error{Code: BadInput, Message: fmt.Sprintf(format, args...), File: pos.File, Line: pos.Line, Column: pos.Column}
}

// AsError converts any error to *Error. Engine errors that name a position
// (syntax errors, scenario and change input errors, configuration errors)
// become BadInput with the position; a context ending becomes Unavailable;
// anything else is Internal with def's code when given.
func AsError(err error, def Code) *Error {
	if err == nil {
		return nil
	}
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	var syn *node.SyntaxError
	if errors.As(err, &syn) {
		return &Error{Code: BadInput, Message: syn.Error(), File: syn.Pos.File, Line: syn.Pos.Line, Column: syn.Pos.Column}
	}
	var list eval.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		out := &Error{Code: BadInput, Message: list.Error()}
		for _, e := range list {
			out.Details = append(out.Details, Problem{Message: e.Error(), File: e.Pos.File, Line: e.Pos.Line, Column: e.Pos.Column, Path: e.Path})
		}
		first := out.Details[0]
		out.File, out.Line, out.Column, out.Path = first.File, first.Line, first.Column, first.Path
		if len(list) == 1 {
			out.Details = nil
		}
		return out
	}
	var ee *eval.Error
	if errors.As(err, &ee) {
		return &Error{Code: BadInput, Message: ee.Error(), File: ee.Pos.File, Line: ee.Pos.Line, Column: ee.Pos.Column, Path: ee.Path}
	}
	var fe *eval.FieldError
	if errors.As(err, &fe) {
		return &Error{Code: BadInput, Message: "request." + fe.Error(), Path: "request." + fe.Field}
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		return &Error{Code: BadInput, Message: ce.Error(), File: ce.File, Line: ce.Line, Column: ce.Column}
	}
	var pf *policy.FormatError
	if errors.As(err, &pf) {
		out := &Error{Code: BadInput, Message: pf.Error(), File: pf.File}
		if len(pf.Problems) > 0 {
			p := pf.Problems[0].Pos
			out.Line, out.Column = p.Line, p.Column
		}
		return out
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: Unavailable, Message: "the request was cancelled or ran out of time: " + err.Error()}
	}
	if def == "" {
		def = Internal
	}
	return &Error{Code: def, Message: err.Error()}
}
