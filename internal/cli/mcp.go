package cli

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os/signal"
	"syscall"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	mcpserver "github.com/iamguard/iamguard/internal/mcp"
	"github.com/iamguard/iamguard/internal/server"
)

type mcpParams struct {
	serverParams
	http string
	// stdin and stdout carry the protocol in stdio mode.
	stdin  io.Reader
	stdout io.Writer
}

func newMCPCmd() *cobra.Command {
	var p mcpParams
	cmd := &cobra.Command{
		Use:   "mcp [--http ADDR]",
		Short: "Serve iamguard's tools to AI assistants over MCP (stdio, or streamable HTTP with a bearer token)",
		Long: `mcp serves iamguard to AI assistants over the Model Context Protocol: lint,
simulate and explain, suggest, extend and derive policies from code, scan
infrastructure code and secrets, look up actions, and the change gate
(plan_change, request_approval, approve_change, reject_change, apply_change,
get_change). docs/mcp.md shows how to register it with an assistant.

By default it speaks MCP on standard input and output, for an assistant that
starts it; the caller is --as (default: the OS user). With --http ADDR it
serves streamable HTTP instead, and every request needs "Authorization:
Bearer TOKEN" from --token-file or $IAMGUARD_MCP_TOKEN (it refuses to start
without one); a "NAME TOKEN" line names the caller.

Approving over MCP is refused unless approvals.mcpApprovers in iamguard.yaml
names the caller, and nobody approves their own change. Apply is a dry run
unless --allow-write. Logs go to standard error.`,
		Example: `  iamguard mcp                                    # stdio, for Claude Code, Cursor, …
  export IAMGUARD_MCP_TOKEN=$(openssl rand -hex 32)
  iamguard mcp --http 127.0.0.1:8765              # streamable HTTP, bearer token required`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p.stdin, p.stdout = cmd.InOrStdin(), cmd.OutOrStdout()
			return runMCP(cmd.Context(), p, cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&p.http, "http", "", "serve streamable HTTP on this address (e.g. 127.0.0.1:8765) instead of stdio")
	addServerFlags(cmd, &p.serverParams, mcp.DefaultMaxRequestBodyBytes)
	return cmd
}

func runMCP(ctx context.Context, p mcpParams, stderr io.Writer) error {
	var tokens *server.Tokens
	if p.http != "" {
		var err error
		tokens, err = server.LoadTokens(p.tokenFile, "IAMGUARD_MCP_TOKEN", p.callerName())
		if err != nil {
			return asInputError(err)
		}
	} else if p.tokenFile != "" {
		return inputErrorf("--token-file is for --http: over stdio the assistant that starts the server is the caller (--as)")
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	svc, closeStore, err := openService(ctx, p.serverParams)
	if err != nil {
		return err
	}
	defer closeStore()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	opts := mcpserver.Options{Caller: p.callerName(), Version: Version(), Logger: log}
	if p.http == "" {
		t := &mcp.IOTransport{Reader: nopReadCloser{p.stdin}, Writer: nopWriteCloser{p.stdout}}
		return mcpserver.New(svc, opts).Run(ctx, t)
	}
	h := mcpserver.HTTPHandler(svc, opts, mcpserver.HTTPOptions{Tokens: tokens, MaxRequestBytes: p.maxBody})
	// Server-sent event streams stay open: no write timeout.
	return server.ListenAndServe(ctx, p.http, h, server.ServeOptions{Logger: log, WriteTimeout: -1}, func(a net.Addr) {
		log.Info("serving iamguard over MCP (streamable HTTP)", "url", "http://"+a.String(), "tokens", tokens.Len(), "allowWrite", p.allowWrite)
		if p.ready != nil {
			p.ready(a)
		}
	})
}

type nopReadCloser struct{ io.Reader }

func (nopReadCloser) Close() error { return nil }

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
