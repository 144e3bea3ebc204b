// Package server is iamguard's HTTP JSON API: the operations of
// internal/service under /v1/..., behind bearer tokens, with request size
// limits, structured errors and the timeouts of Serve. It decodes, calls the
// service, and encodes; it decides nothing, so the API and the MCP server
// (internal/mcp) answer the same way.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/iamguard/iamguard/internal/service"
)

// DefaultMaxBodyBytes is the largest request body accepted by default.
const DefaultMaxBodyBytes = 1 << 20

// Options configure the API handler.
type Options struct {
	Service *service.Service
	// Tokens are the accepted bearer tokens; required for everything but
	// /healthz.
	Tokens *Tokens
	// MaxBodyBytes bounds a request body (default 1 MiB); a larger one is
	// answered 413.
	MaxBodyBytes int64
	// Logger logs one line per request (method, path, status, duration,
	// caller), never tokens or bodies; nil logs nothing.
	Logger  *slog.Logger
	Version string
}

// errorBody is every error response: {"error": {...}}.
type errorBody struct {
	Error *service.Error `json:"error"`
}

// api holds the handler's collaborators.
type api struct {
	svc     *service.Service
	tokens  *Tokens
	max     int64
	log     *slog.Logger
	version string
}

// New returns the API's handler.
func New(opts Options) (http.Handler, error) {
	if opts.Service == nil {
		return nil, errors.New("server: no service")
	}
	if opts.Tokens == nil || opts.Tokens.Len() == 0 {
		return nil, errors.New("server: refusing to serve without bearer tokens")
	}
	a := &api{svc: opts.Service, tokens: opts.Tokens, max: opts.MaxBodyBytes, log: opts.Logger, version: opts.Version}
	if a.max <= 0 {
		a.max = DefaultMaxBodyBytes
	}
	mux := http.NewServeMux()
	s := opts.Service
	routes := []struct {
		path    string
		method  string
		handler func(http.ResponseWriter, *http.Request) *service.Error
	}{
		{"/healthz", http.MethodGet, a.health},
		{"/v1/lint", http.MethodPost, post(a, s.LintPolicy)},
		{"/v1/simulate", http.MethodPost, post(a, s.Simulate)},
		{"/v1/explain", http.MethodPost, post(a, s.Explain)},
		{"/v1/suggest", http.MethodPost, post(a, s.SuggestPolicy)},
		{"/v1/extend", http.MethodPost, post(a, s.ExtendPolicy)},
		{"/v1/from-code", http.MethodPost, post(a, s.PolicyFromCode)},
		{"/v1/scan/resources", http.MethodPost, post(a, s.ScanResources)},
		{"/v1/scan/secrets", http.MethodPost, post(a, s.ScanSecrets)},
		{"/v1/actions", http.MethodGet, get(actionsQuery, s.ListActions)},
		{"/v1/changes/plan", http.MethodPost, created(a, s.PlanChange)},
		{"/v1/changes", http.MethodGet, get(changesQuery, s.ListChanges)},
		{"/v1/changes/{id}", http.MethodGet, get(changeQuery, s.GetChange)},
		{"/v1/changes/{id}/request-approval", http.MethodPost, postID(a, func(r *service.RequestApprovalRequest) *string { return &r.ChangeID }, s.RequestApproval)},
		{"/v1/changes/{id}/approve", http.MethodPost, postID(a, func(r *service.ApproveRequest) *string { return &r.ChangeID }, s.ApproveChange)},
		{"/v1/changes/{id}/reject", http.MethodPost, postID(a, func(r *service.RejectRequest) *string { return &r.ChangeID }, s.RejectChange)},
		{"/v1/changes/{id}/apply", http.MethodPost, postID(a, func(r *service.ApplyRequest) *string { return &r.ChangeID }, s.ApplyChange)},
		{"/v1/audit", http.MethodGet, get(auditQuery, s.Audit)},
		{"/v1/audit/verify", http.MethodGet, get(verifyQuery, s.VerifyAudit)},
	}
	for _, rt := range routes {
		h := a.method(rt.method, rt.handler)
		if rt.path != "/healthz" { // the only endpoint without a token
			h = a.authenticated(h)
		}
		mux.Handle(rt.path, a.serve(h))
	}
	mux.Handle("/", a.serve(a.authenticated(func(w http.ResponseWriter, r *http.Request) *service.Error {
		return service.Errorf(service.NotFound, "no endpoint %s %s (see docs/http-api.md)", r.Method, r.URL.Path)
	})))
	return mux, nil
}

// handler is an endpoint: it writes a success response itself, or returns
// the error to write.
type handler = func(http.ResponseWriter, *http.Request) *service.Error

// serve writes errors, recovers panics and logs the request.
func (a *api) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
		rw := &statusWriter{ResponseWriter: w}
		hdr := w.Header()
		hdr.Set("Cache-Control", "no-store")
		hdr.Set("X-Content-Type-Options", "nosniff")
		defer func() {
			if p := recover(); p != nil {
				if a.log != nil {
					a.log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				}
				if rw.status == 0 {
					writeError(rw, service.Errorf(service.Internal, "internal error"))
				}
			}
			if a.log != nil {
				a.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rw.status, "duration", time.Since(start).Round(time.Microsecond), "caller", info.caller)
			}
		}()
		if err := h(rw, r); err != nil {
			writeError(rw, err)
		}
	})
}

// authenticated refuses requests without a valid bearer token and puts the
// token's caller in the context.
func (a *api) authenticated(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) *service.Error {
		name, ok := a.tokens.Authenticate(r)
		if !ok {
			return challenge(w)
		}
		if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
			info.caller = name
		}
		return h(w, r.WithContext(service.WithCaller(r.Context(), service.Caller{Name: name, Via: service.ViaHTTP})))
	}
}

// challenge marks a 401 with a Bearer challenge and returns the API's error
// for it, saying nothing about what was presented.
func challenge(w http.ResponseWriter) *service.Error {
	w.Header().Set("WWW-Authenticate", `Bearer realm="iamguard"`)
	return service.Errorf(service.Unauthorized, "a valid bearer token is required: Authorization: Bearer TOKEN")
}

// Unauthorized answers 401 in the API's error shape; the MCP HTTP transport
// uses it too, so both faces refuse alike.
func Unauthorized(w http.ResponseWriter) { writeError(w, challenge(w)) }

// method answers 405 (with Allow) for other methods.
func (a *api) method(m string, h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) *service.Error {
		if r.Method != m && !(m == http.MethodGet && r.Method == http.MethodHead) {
			w.Header().Set("Allow", m)
			return service.Errorf(service.MethodNotAllowed, "%s %s: use %s", r.Method, r.URL.Path, m)
		}
		return h(w, r)
	}
}

func (a *api) health(w http.ResponseWriter, _ *http.Request) *service.Error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": a.version})
	return nil
}

// post decodes a JSON body into Req, calls, and writes the response.
func post[Req, Resp any](a *api, call func(context.Context, Req) (Resp, error)) handler {
	return func(w http.ResponseWriter, r *http.Request) *service.Error {
		var req Req
		if err := a.decode(w, r, &req); err != nil {
			return err
		}
		return respond(w, r, http.StatusOK, call, req)
	}
}

// created is post for an operation that creates a change: 201 with its
// Location.
func created(a *api, call func(context.Context, service.PlanRequest) (service.PlanResponse, error)) handler {
	return func(w http.ResponseWriter, r *http.Request) *service.Error {
		var req service.PlanRequest
		if err := a.decode(w, r, &req); err != nil {
			return err
		}
		resp, err := call(r.Context(), req)
		if err != nil {
			return service.AsError(err, service.Internal)
		}
		w.Header().Set("Location", "/v1/changes/"+resp.ChangeID)
		writeJSON(w, http.StatusCreated, resp)
		return nil
	}
}

// postID is post for /v1/changes/{id}/…: the id comes from the path; a
// body naming another change is bad input.
func postID[Req, Resp any](a *api, id func(*Req) *string, call func(context.Context, Req) (Resp, error)) handler {
	return func(w http.ResponseWriter, r *http.Request) *service.Error {
		var req Req
		if err := a.decode(w, r, &req); err != nil {
			return err
		}
		field, pathID := id(&req), r.PathValue("id")
		if *field != "" && *field != pathID {
			return &service.Error{Code: service.BadInput, Message: fmt.Sprintf("the body names change %s, the path %s", *field, pathID), Path: "changeId"}
		}
		*field = pathID
		return respond(w, r, http.StatusOK, call, req)
	}
}

// get builds Req from the query string and path, calls, and writes.
func get[Req, Resp any](parse func(*http.Request) (Req, *service.Error), call func(context.Context, Req) (Resp, error)) handler {
	return func(w http.ResponseWriter, r *http.Request) *service.Error {
		req, err := parse(r)
		if err != nil {
			return err
		}
		return respond(w, r, http.StatusOK, call, req)
	}
}

func respond[Req, Resp any](w http.ResponseWriter, r *http.Request, status int, call func(context.Context, Req) (Resp, error), req Req) *service.Error {
	resp, err := call(r.Context(), req)
	if err != nil {
		return service.AsError(err, service.Internal)
	}
	writeJSON(w, status, resp)
	return nil
}

// decode reads a JSON object body of at most a.max bytes into dst.
// Unknown fields are refused; errors name the line and column.
func (a *api) decode(w http.ResponseWriter, r *http.Request, dst any) *service.Error {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.max))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return service.Errorf(service.TooLarge, "the request body is over %d bytes", mb.Limit)
		}
		return service.Errorf(service.BadInput, "reading the request body: %v", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return service.Errorf(service.BadInput, "the request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return bodyError(data, dec.InputOffset(), err)
	}
	if dec.More() {
		return bodyAt(data, dec.InputOffset(), "the body holds more than one JSON value")
	}
	return nil
}

// bodyError names where in the body a decoding error is.
func bodyError(data []byte, offset int64, err error) *service.Error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the offending byte; the column names it.
		return bodyAt(data, syn.Offset-1, "the body is not valid JSON: "+syn.Error())
	case errors.As(err, &typ):
		e := bodyAt(data, typ.Offset, fmt.Sprintf("%s must be %s, not JSON %s", typ.Field, typ.Type, typ.Value))
		e.Path = typ.Field
		return e
	case errors.Is(err, io.ErrUnexpectedEOF):
		return bodyAt(data, int64(len(data)), "the body ends in the middle of a JSON value")
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if strings.HasPrefix(msg, "unknown field") {
		msg += " (see docs/http-api.md for the fields of each endpoint)"
	}
	return bodyAt(data, offset, msg)
}

// bodyAt is bad input at a byte offset of the body, as line and column.
func bodyAt(data []byte, offset int64, msg string) *service.Error {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len([]rune(string(before[bytes.LastIndexByte(before, '\n')+1:]))) + 1
	return &service.Error{Code: service.BadInput, Message: msg, File: "request body", Line: line, Column: col}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		writeError(w, service.Errorf(service.Internal, "encoding the response: %v", err))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func writeError(w http.ResponseWriter, e *service.Error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(errorBody{Error: e})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.Code.HTTPStatus())
	w.Write(buf.Bytes())
}

// requestInfo carries what the request log needs from inside the handler.
type requestInfo struct{ caller string }

type requestInfoKey struct{}

// statusWriter remembers the status written, for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Query parsers for the GET endpoints.

func queryInt(r *http.Request, name string) (int64, *service.Error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, &service.Error{Code: service.BadInput, Message: fmt.Sprintf("query parameter %s=%q: want a non-negative integer", name, v), Path: name}
	}
	return n, nil
}

func actionsQuery(r *http.Request) (service.ActionsRequest, *service.Error) {
	limit, err := queryInt(r, "limit")
	q := r.URL.Query()
	return service.ActionsRequest{Pattern: q.Get("pattern"), AccessLevel: q.Get("accessLevel"), Limit: int(limit)}, err
}

func changesQuery(r *http.Request) (service.ListChangesRequest, *service.Error) {
	limit, err := queryInt(r, "limit")
	q := r.URL.Query()
	return service.ListChangesRequest{State: q.Get("state"), Environment: q.Get("environment"), Limit: int(limit)}, err
}

func changeQuery(r *http.Request) (service.ChangeRequest, *service.Error) {
	return service.ChangeRequest{ChangeID: r.PathValue("id")}, nil
}

func auditQuery(r *http.Request) (service.AuditRequest, *service.Error) {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return service.AuditRequest{}, err
	}
	after, err := queryInt(r, "afterSeq")
	return service.AuditRequest{ChangeID: r.URL.Query().Get("changeId"), AfterSeq: after, Limit: int(limit)}, err
}

func verifyQuery(r *http.Request) (service.VerifyRequest, *service.Error) {
	return service.VerifyRequest{Anchor: r.URL.Query().Get("anchor")}, nil
}
