package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// DefaultAddr binds the loopback interface only: exposing the server to a
// network is a choice made explicitly with --addr.
const DefaultAddr = "127.0.0.1:8080"

// ServeOptions are the http.Server's limits.
type ServeOptions struct {
	// ReadHeaderTimeout bounds how long a client may take to send headers
	// (slowloris); default 10s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request; default 60s.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response; default 120s. Zero is
	// replaced by the default; a negative value disables it (MCP's
	// server-sent event streams stay open).
	WriteTimeout time.Duration
	// IdleTimeout closes idle keep-alive connections; default 120s.
	IdleTimeout time.Duration
	// ShutdownTimeout is how long in-flight requests get to finish once
	// the context ends; default 10s.
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
}

func (o ServeOptions) withDefaults() ServeOptions {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
		if *d < 0 {
			*d = 0
		}
	}
	def(&o.ReadHeaderTimeout, 10*time.Second)
	def(&o.ReadTimeout, 60*time.Second)
	def(&o.WriteTimeout, 120*time.Second)
	def(&o.IdleTimeout, 120*time.Second)
	def(&o.ShutdownTimeout, 10*time.Second)
	return o
}

// Serve serves h on ln until ctx ends, then shuts down gracefully: it
// stops accepting, lets in-flight requests finish within ShutdownTimeout,
// and closes what is left.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, opts ServeOptions) error {
	opts = opts.withDefaults()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: opts.ReadHeaderTimeout,
		ReadTimeout:       opts.ReadTimeout,
		WriteTimeout:      opts.WriteTimeout,
		IdleTimeout:       opts.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if opts.Logger != nil {
		srv.ErrorLog = slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), opts.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}

// ListenAndServe binds addr and serves h until ctx ends. ready, when not
// nil, is called with the bound address (useful with port 0).
func ListenAndServe(ctx context.Context, addr string, h http.Handler, opts ServeOptions, ready func(net.Addr)) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(ln.Addr())
	}
	return Serve(ctx, ln, h, opts)
}
