package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const testToken = "cli-test-token-0123456789abcdef"

func writeTokenFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// startServer runs a server command until the test ends and returns the
// address it bound.
func startServer(t *testing.T, run func(ctx context.Context, ready func(net.Addr)) error) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, func(a net.Addr) { addr <- a.String() }) }()
	select {
	case a := <-addr:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server: %v", err)
			}
		})
		return a
	case err := <-done:
		cancel()
		t.Fatalf("server stopped: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("server did not start")
	}
	return ""
}

func TestServeRefusesWithoutToken(t *testing.T) {
	t.Setenv("IAMGUARD_API_TOKEN", "")
	t.Setenv("IAMGUARD_MCP_TOKEN", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--db", filepath.Join(t.TempDir(), "a.db")}, "refusing to serve HTTP without authentication"},
		{[]string{"mcp", "--http", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "b.db")}, "refusing to serve HTTP without authentication"},
		{[]string{"serve", "--token-file", writeTokenFile(t, "alice short\n")}, "tokens:1: a bearer token must be at least 16 characters"},
		{[]string{"mcp", "--token-file", writeTokenFile(t, testToken)}, "--token-file is for --http"},
		{[]string{"serve", "--token-file", writeTokenFile(t, testToken), "--root", "/does/not/exist", "--db", filepath.Join(t.TempDir(), "c.db")}, "--root"},
	} {
		t.Run(strings.Join(tc.args[:2], " "), func(t *testing.T) {
			_, errOut, code := execCLI(t, tc.args...)
			if code != exitInput || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut, tc.want)
			}
			if strings.Contains(errOut, testToken) {
				t.Fatal("the token was printed")
			}
		})
	}
}

func TestServe(t *testing.T) {
	t.Parallel()
	p := serveParams{addr: "127.0.0.1:0", serverParams: serverParams{tokenFile: writeTokenFile(t, "alice "+testToken+"\n"), db: filepath.Join(t.TempDir(), "gate.db"), maxBody: 1 << 20}}
	logs := &syncWriter{}
	addr := startServer(t, func(ctx context.Context, ready func(net.Addr)) error {
		p.ready = ready
		return runServe(ctx, p, logs)
	})
	get := func(path, token string) int {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("/healthz", ""); code != 200 {
		t.Errorf("healthz %d", code)
	}
	if code := get("/v1/actions?pattern=s3:GetObject", ""); code != 401 {
		t.Errorf("without token %d", code)
	}
	if code := get("/v1/actions?pattern=s3:GetObject", testToken); code != 200 {
		t.Errorf("with token %d", code)
	}
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("bound %s", addr)
	}
	log := logs.String()
	if !strings.Contains(log, "path=/v1/actions status=200") || !strings.Contains(log, "caller=alice") {
		t.Errorf("request log lacks the request: %s", log)
	}
	if strings.Contains(log, testToken) {
		t.Errorf("the log holds the token: %s", log)
	}
}

func TestMCPOverHTTP(t *testing.T) {
	t.Parallel()
	p := mcpParams{http: "127.0.0.1:0", serverParams: serverParams{tokenFile: writeTokenFile(t, testToken+"\n"), as: "alice", db: filepath.Join(t.TempDir(), "gate.db"), maxBody: 1 << 20}}
	addr := startServer(t, func(ctx context.Context, ready func(net.Addr)) error {
		p.ready = ready
		return runMCP(ctx, p, io.Discard)
	})
	tr := &mcp.StreamableClientTransport{Endpoint: "http://" + addr, HTTPClient: &http.Client{Transport: tokenTransport{testToken}}, MaxRetries: -1, DisableStandaloneSSE: true}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "t"}, nil).Connect(context.Background(), tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "list_actions", Arguments: map[string]any{"pattern": "ses:Send*"}})
	if err != nil || res.IsError {
		t.Fatalf("%v %+v", err, res)
	}
}

func TestMCPOverStdio(t *testing.T) {
	t.Parallel()
	serverIn, clientOut := io.Pipe()
	clientIn, serverOut := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	p := mcpParams{serverParams: serverParams{as: "alice", db: filepath.Join(t.TempDir(), "gate.db")}, stdin: serverIn, stdout: serverOut}
	go func() { done <- runMCP(ctx, p, io.Discard) }()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "t"}, nil).Connect(ctx, &mcp.IOTransport{Reader: clientIn, Writer: clientOut}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tool, err := range cs.Tools(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tool.Name)
	}
	if len(names) < 15 {
		t.Errorf("tools %v", names)
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "lint_policy", Arguments: map[string]any{"policy": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}`}})
	if err != nil || res.IsError {
		t.Fatalf("%v %+v", err, res)
	}
	cs.Close()
	clientOut.Close()
	cancel()
	if err := <-done; err != nil && ctx.Err() == nil {
		t.Errorf("runMCP: %v", err)
	}
}

type tokenTransport struct{ token string }

func (tt tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+tt.token)
	return http.DefaultTransport.RoundTrip(r)
}

// syncWriter serializes writes from the server's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  strings.Builder
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}
