// Package service is the one layer both of iamguard's server faces call:
// the MCP server (internal/mcp) and the HTTP JSON API (internal/server)
// decode a request into the types here, call one method, and encode its
// response or its *Error. Nothing here knows about transports, so MCP and
// HTTP cannot diverge: same inputs, same checks, same refusals, same
// answers.
//
// Inputs are content (policy, scenario and change text, files as
// {path, content}), never server paths, except where a scan names a
// directory under the root the server was started with (Options.Root).
package service

import (
	"context"
	"time"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/internal/gate/apply"
	"github.com/iamguard/iamguard/internal/gate/store"
	"github.com/iamguard/iamguard/internal/scan"
	"github.com/iamguard/iamguard/internal/scan/secret"
	"github.com/iamguard/iamguard/lint"
)

// Options configure a Service.
type Options struct {
	// Config is the organisation's configuration; nil means config.Default().
	Config *config.Config
	// Root is the directory scan requests may name paths under; empty
	// refuses every path (content only).
	Root string
	// AllowWrite lets apply change AWS; without it apply is a dry run.
	AllowWrite bool
	// Store holds changes and the audit log; nil refuses the change
	// operations with Unavailable.
	Store store.Store
	// Writer applies changes to AWS when AllowWrite is set (apply.AWS);
	// without it every apply is a dry run.
	Writer apply.Applier
	// Now is the gate's clock (default time.Now).
	Now func() time.Time
	// MaxFiles bounds the inline files of one request (default 1000).
	MaxFiles int
}

// Service answers every operation. It is safe for concurrent use.
type Service struct {
	cfg        *config.Config
	linter     *lint.Linter
	scanner    *scan.Scanner
	secrets    *secret.Scanner
	root       string
	allowWrite bool
	gate       *Gate
	maxFiles   int
}

// New compiles the engines for a configuration once.
func New(opts Options) *Service {
	cfg := opts.Config
	if cfg == nil {
		cfg = config.Default()
	}
	allow := make([]secret.AllowRule, len(cfg.Scan.AllowSecrets))
	for i, a := range cfg.Scan.AllowSecrets {
		allow[i] = secret.AllowRule{Path: a.Path, Fingerprint: a.Fingerprint, Code: a.Code, Reason: a.Reason}
	}
	s := &Service{
		cfg:        cfg,
		linter:     lint.New(cfg),
		scanner:    scan.New(cfg),
		secrets:    secret.New(secret.Options{Allow: allow}),
		root:       opts.Root,
		allowWrite: opts.AllowWrite,
		maxFiles:   opts.MaxFiles,
	}
	if s.maxFiles <= 0 {
		s.maxFiles = 1000
	}
	s.attachGate(opts.Store, opts.Writer, opts.Now)
	return s
}

// Config returns the configuration the service runs with.
func (s *Service) Config() *config.Config { return s.cfg }

// AllowWrite reports whether apply may change AWS.
func (s *Service) AllowWrite() bool { return s.allowWrite }

// Caller is who is calling, as the face authenticated them: the name the
// bearer token maps to (or the --as name on stdio), and the face. Approval
// rules read it; a request body can never claim it.
type Caller struct {
	Name string
	// Via is "mcp", "http" or "cli": approvals over MCP follow
	// approvals.mcpApprovers.
	Via string
}

// Faces a Caller can come through.
const (
	ViaMCP  = "mcp"
	ViaHTTP = "http"
	ViaCLI  = "cli"
)

type callerKey struct{}

// WithCaller returns a context carrying the authenticated caller.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller a face put in the context.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok && c.Name != ""
}
