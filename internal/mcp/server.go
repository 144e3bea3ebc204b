// Package mcpserver serves iamguard to AI assistants over the Model
// Context Protocol (the official Go SDK): over stdio for an assistant that
// starts `iamguard mcp` itself, or over streamable HTTP behind a bearer
// token. Every tool is a thin adapter over one internal/service call, the
// same one the HTTP JSON API makes, so the two faces cannot diverge.
//
// Tool errors (bad input, refusals) are tool results with isError and a
// message that names the code, the position and what to do; protocol
// errors are kept for protocol failures.
package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/iamguard/iamguard/eval"
	"github.com/iamguard/iamguard/internal/service"
)

// Options configure the MCP server.
type Options struct {
	// Caller is who calls over stdio, and over HTTP with a token that
	// names no one. Approvals check it against approvals.mcpApprovers.
	Caller string
	// Version is reported to the client.
	Version string
	// Logger logs server activity (never tokens, never tool arguments);
	// nil logs nothing.
	Logger *slog.Logger
}

// instructions tell the assistant how the tools fit together.
const instructions = `iamguard checks AWS IAM policies and gates AWS changes, offline.

Policies: lint_policy checks a policy (fix every finding at or above the failure threshold, then lint again); simulate_access decides a request as AWS would; explain_access_denied says why a request is denied and what to add; suggest_policy writes a least-privilege policy for a need in words; extend_policy adds only what the current policies lack; policy_from_code derives the policy from AWS SDK calls in code; list_actions looks actions up.

Changes to AWS go through the gate, in this order and never skipping a step:
1. plan_change with the change document: it prices, tags and scans the change and returns a planToken. If the scan failed, fix the change and plan again.
2. If the plan says approvalRequired, request_approval with the planToken; a human approver (not you, not the requester) approves with approve_change and the approval token is given to you.
3. apply_change with the same content and the token from the last step (approval token if approval was required, else the plan token). Without --allow-write on the server, apply is a dry run that shows the exact AWS calls.
Tokens are bound to the exact content: a changed document needs a new plan.`

// schemaOptions map types whose JSON differs from their Go shape.
func schemaOptions() *jsonschema.ForOptions {
	str := &jsonschema.Schema{Type: "string"}
	return &jsonschema.ForOptions{TypeSchemas: map[reflect.Type]*jsonschema.Schema{
		reflect.TypeFor[service.Document](): {
			Types:       []string{"string", "object"},
			Description: "JSON or YAML text, or the JSON object itself",
		},
		reflect.TypeFor[json.RawMessage](): {},
		reflect.TypeFor[eval.Decision]():   str,
		reflect.TypeFor[eval.PolicyType](): str,
	}}
}

// tool registers one service call as a tool: input and output schemas
// inferred from the request and response types, the caller put in the
// context, errors returned as isError results.
func tool[In, Out any](s *mcp.Server, t *mcp.Tool, caller *callers, call func(context.Context, In) (Out, error)) {
	opts := schemaOptions()
	in, err := jsonschema.For[In](opts)
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", t.Name, err))
	}
	out, err := jsonschema.For[Out](opts)
	if err != nil {
		panic(fmt.Sprintf("tool %s: output schema: %v", t.Name, err))
	}
	t.InputSchema, t.OutputSchema = in, out
	name := t.Name
	mcp.AddTool(s, t, func(ctx context.Context, req *mcp.CallToolRequest, input In) (*mcp.CallToolResult, Out, error) {
		who := caller.of(req)
		start := time.Now()
		ctx = service.WithCaller(ctx, service.Caller{Name: who, Via: service.ViaMCP})
		resp, err := call(ctx, input)
		if err != nil {
			e := service.AsError(err, service.Internal)
			caller.logCall(name, who, start, string(e.Code)+" "+e.Reason)
			var zero Out
			// An ordinary error becomes an isError result with its text:
			// "CODE (REASON): file:line:col: message".
			return nil, zero, e
		}
		caller.logCall(name, who, start, "")
		return nil, resp, nil
	})
}

func ptr[T any](v T) *T { return &v }

// callers names who calls a tool and logs the call.
type callers struct {
	// fallback is the caller on stdio, and for a token naming no one.
	fallback string
	log      *slog.Logger
}

// of returns the caller the transport authenticated: the bearer token's
// name over HTTP, else the server's own caller.
func (c *callers) of(req *mcp.CallToolRequest) string {
	if req != nil && req.Extra != nil && req.Extra.TokenInfo != nil && req.Extra.TokenInfo.UserID != "" {
		return req.Extra.TokenInfo.UserID
	}
	return c.fallback
}

// logCall logs the tool, the caller, the time taken and the error code;
// never the arguments, which may hold secrets being scanned.
func (c *callers) logCall(tool, who string, start time.Time, errCode string) {
	if c.log == nil {
		return
	}
	c.log.Info("tool call", "tool", tool, "caller", who, "duration", time.Since(start).Round(time.Microsecond), "error", strings.TrimSpace(errCode))
}

// New builds the MCP server with every tool.
func New(svc *service.Service, opts Options) *mcp.Server {
	version := opts.Version
	if version == "" {
		version = "dev"
	}
	s := mcp.NewServer(&mcp.Implementation{Name: "iamguard", Title: "iamguard: least-privilege IAM and gated AWS changes", Version: version},
		&mcp.ServerOptions{Instructions: instructions, Logger: opts.Logger})
	caller := &callers{fallback: opts.Caller, log: opts.Logger}
	readOnly := func(title string) *mcp.ToolAnnotations {
		return &mcp.ToolAnnotations{Title: title, ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: ptr(false)}
	}
	for _, add := range []func(*mcp.Server, *callers, *service.Service, func(string) *mcp.ToolAnnotations){
		addPolicyTools, addScanTools, addGateTools,
	} {
		add(s, caller, svc, readOnly)
	}
	return s
}
