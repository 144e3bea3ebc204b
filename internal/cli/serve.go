package cli

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/internal/gate/apply"
	"github.com/iamguard/iamguard/internal/gate/store"
	"github.com/iamguard/iamguard/internal/server"
	"github.com/iamguard/iamguard/internal/service"
)

// serverParams are what both server commands (serve, mcp) read.
type serverParams struct {
	configFile string
	db         string
	root       string
	allowWrite bool
	tokenFile  string
	as         string
	maxBody    int64
	// ready, when set, is called with the bound address (tests).
	ready func(net.Addr)
}

func addServerFlags(cmd *cobra.Command, p *serverParams, defaultMaxBody int64) {
	f := cmd.Flags()
	f.StringVar(&p.configFile, "config", "", "iamguard.yaml to use (default: the nearest one above the working directory)")
	f.StringVar(&p.db, "db", "", "change store: a SQLite file or a postgres:// URL (default: $IAMGUARD_DB, else "+defaultStoreHint()+")")
	f.StringVar(&p.root, "root", "", "directory scan and from-code requests may name paths under (default: none, content only)")
	f.BoolVar(&p.allowWrite, "allow-write", false, "let apply change AWS (default: every apply is a dry run)")
	f.StringVar(&p.tokenFile, "token-file", "", `bearer tokens, one per line: "TOKEN" or "NAME TOKEN" (NAME is the caller approvals check)`)
	f.StringVar(&p.as, "as", "", "the caller's name for stdio and for tokens that name no one (default: the OS user)")
	f.Int64Var(&p.maxBody, "max-body", defaultMaxBody, "largest request body in bytes")
}

func defaultStoreHint() string {
	if p, err := store.DefaultPath(); err == nil {
		return p
	}
	return "gate.db in the user data directory"
}

// callerName is --as, else the OS user.
func (p serverParams) callerName() string {
	if p.as != "" {
		return p.as
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if v := os.Getenv("USER"); v != "" {
		return v
	}
	return "local"
}

// openService loads the configuration, opens the store and builds the
// service. The returned close releases the store.
func openService(ctx context.Context, p serverParams) (*service.Service, func(), error) {
	cfg, err := config.Find(p.configFile, ".")
	if err != nil {
		return nil, nil, asInputError(err)
	}
	if p.root != "" {
		info, err := os.Stat(p.root)
		if err != nil {
			return nil, nil, inputErrorf("--root: %v", err)
		}
		if !info.IsDir() {
			return nil, nil, inputErrorf("--root %s is not a directory", p.root)
		}
		if p.root, err = filepath.Abs(p.root); err != nil {
			return nil, nil, asInputError(err)
		}
	}
	if p.db == "" {
		// The same store `iamguard change` uses, so approvals given
		// anywhere count everywhere.
		p.db = os.Getenv("IAMGUARD_DB")
	}
	if p.db == "" {
		path, err := store.DefaultPath()
		if err != nil {
			return nil, nil, inputErrorf("--db: %v", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, nil, inputErrorf("--db: %v", err)
		}
		p.db = path
	}
	st, err := store.Open(ctx, p.db)
	if err != nil {
		return nil, nil, inputErrorf("--db: %v", err)
	}
	opts := service.Options{Config: cfg, Store: st, Root: p.root, AllowWrite: p.allowWrite}
	if p.allowWrite {
		opts.Writer = &apply.AWS{}
	}
	return service.New(opts), func() { st.Close() }, nil
}

type serveParams struct {
	serverParams
	addr string
}

func newServeCmd() *cobra.Command {
	var p serveParams
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080]",
		Short: "Serve the HTTP JSON API (lint, simulate, generate, scan, change gate) behind bearer tokens",
		Long: `serve answers iamguard's operations over HTTP with JSON under /v1/...: lint,
simulate, explain, suggest, extend, from-code, resource and secret scans,
actions, and the change gate (plan, request approval, approve, reject, apply,
list, status, audit log and its verification). docs/http-api.md documents
every endpoint.

Every endpoint but GET /healthz needs "Authorization: Bearer TOKEN": tokens
come from --token-file (one per line, "NAME TOKEN" names the caller) or
$IAMGUARD_API_TOKEN; serve refuses to start without one. It binds 127.0.0.1
by default, limits request bodies (--max-body), and is read-only unless
--allow-write: apply is a dry run that returns the exact AWS calls. It stops
gracefully on SIGINT or SIGTERM.`,
		Example: `  openssl rand -hex 32 | sed 's/^/alice /' > ~/.config/iamguard/tokens
  iamguard serve --token-file ~/.config/iamguard/tokens
  curl -H "Authorization: Bearer $TOKEN" 'http://127.0.0.1:8080/v1/actions?pattern=s3:Get*'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), p, cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&p.addr, "addr", server.DefaultAddr, "address to listen on")
	addServerFlags(cmd, &p.serverParams, server.DefaultMaxBodyBytes)
	return cmd
}

func runServe(ctx context.Context, p serveParams, stderr io.Writer) error {
	tokens, err := server.LoadTokens(p.tokenFile, "IAMGUARD_API_TOKEN", p.callerName())
	if err != nil {
		return asInputError(err)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	svc, closeStore, err := openService(ctx, p.serverParams)
	if err != nil {
		return err
	}
	defer closeStore()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	h, err := server.New(server.Options{Service: svc, Tokens: tokens, MaxBodyBytes: p.maxBody, Logger: log, Version: Version()})
	if err != nil {
		return err
	}
	return server.ListenAndServe(ctx, p.addr, h, server.ServeOptions{Logger: log}, func(a net.Addr) {
		mode := "read-only: apply is a dry run"
		if p.allowWrite {
			mode = "--allow-write: apply changes AWS"
		}
		log.Info("serving the iamguard HTTP API", "addr", "http://"+a.String(), "tokens", tokens.Len(), "mode", mode)
		if p.ready != nil {
			p.ready(a)
		}
	})
}
