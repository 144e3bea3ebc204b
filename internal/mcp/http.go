package mcpserver

import (
	"context"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/iamguard/iamguard/internal/server"
	"github.com/iamguard/iamguard/internal/service"
)

// HTTPOptions configure the streamable HTTP transport.
type HTTPOptions struct {
	// Tokens are the accepted bearer tokens; required.
	Tokens *server.Tokens
	// MaxRequestBytes bounds a request body (default 4 MiB, the SDK's).
	MaxRequestBytes int64
	// SessionTimeout closes idle sessions (default 30 minutes).
	SessionTimeout time.Duration
}

// HTTPHandler serves the MCP server over streamable HTTP behind a bearer
// token. Every request needs "Authorization: Bearer TOKEN"; the token's
// name is the caller the tools see.
func HTTPHandler(svc *service.Service, opts Options, h HTTPOptions) http.Handler {
	srv := New(svc, opts)
	timeout := h.SessionTimeout
	if timeout == 0 {
		timeout = 30 * time.Minute
	}
	streamable := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{
		Logger: opts.Logger, SessionTimeout: timeout, MaxRequestBodyBytes: h.MaxRequestBytes,
	})
	verify := func(_ context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
		name, ok := h.Tokens.Lookup(token)
		if !ok {
			return nil, auth.ErrInvalidToken
		}
		// UserID also binds each MCP session to the caller who opened it.
		return &auth.TokenInfo{UserID: name}, nil
	}
	protected := auth.RequireBearerToken(verify, &auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(streamable)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := h.Tokens.Authenticate(r); !ok {
			server.Unauthorized(w)
			return
		}
		protected.ServeHTTP(w, r)
	})
}
