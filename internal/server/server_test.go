package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/internal/gate/store"
	"github.com/iamguard/iamguard/internal/service"
)

const (
	aliceToken = "alice-token-0123456789abcdef"
	bobToken   = "bob-token-0123456789abcdef"
)

// orgConfig is SynthCore's iamguard.yaml. A Cloud Control bucket cannot
// carry its bucket policy, so the TLS-only policy is its own change and the
// finding is suppressed with that reason.
const orgConfig = `project: SynthCore
suppressions:
  - code: S3_TLS_NOT_ENFORCED
    reason: the TLS-only bucket policy is planned as its own AWS::S3::BucketPolicy change
`

// newAPI serves a service with a SQLite store in a temporary directory;
// alice and bob have tokens.
func newAPI(t *testing.T, opts service.Options) *httptest.Server {
	t.Helper()
	if opts.Store == nil {
		st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "gate.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		opts.Store = st
	}
	if opts.Config == nil {
		cfg, err := config.Parse("iamguard.yaml", []byte(orgConfig))
		if err != nil {
			t.Fatal(err)
		}
		opts.Config = cfg
	}
	tokens, err := ParseTokens("tokens", []byte("alice "+aliceToken+"\nbob "+bobToken+"\n"), "nobody")
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Options{Service: service.New(opts), Tokens: tokens, MaxBodyBytes: 64 << 10, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return newTestServer(t, h)
}

func newTestServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// do sends a request and decodes the JSON answer into out (or the error).
func do(t *testing.T, srv *httptest.Server, method, path, token string, body any, out any) (int, *service.Error, http.Header) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q, body %s", method, path, ct, data)
	}
	if resp.StatusCode >= 300 {
		var e struct{ Error *service.Error }
		if err := json.Unmarshal(data, &e); err != nil || e.Error == nil {
			t.Fatalf("%s %s: status %d with body %s: not an error object", method, path, resp.StatusCode, data)
		}
		return resp.StatusCode, e.Error, resp.Header
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return resp.StatusCode, nil, resp.Header
}

func TestHealthzNeedsNoToken(t *testing.T) {
	t.Parallel()
	srv := newAPI(t, service.Options{})
	var out map[string]string
	if status, e, _ := do(t, srv, http.MethodGet, "/healthz", "", nil, &out); status != 200 || e != nil || out["status"] != "ok" {
		t.Fatalf("healthz: %d %v %v", status, e, out)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	srv := newAPI(t, service.Options{})
	big := `{"policy": "` + strings.Repeat("x", 70<<10) + `"}`
	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		code                      service.Code
		line, column              int
	}{
		{"no token", "POST", "/v1/lint", "", `{}`, 401, service.Unauthorized, 0, 0},
		{"wrong token", "POST", "/v1/lint", "alice-token-0123456789abcdeX", `{}`, 401, service.Unauthorized, 0, 0},
		{"not bearer", "GET", "/v1/changes", "", nil, 401, service.Unauthorized, 0, 0},
		{"unknown path", "GET", "/v1/nothing", aliceToken, nil, 404, service.NotFound, 0, 0},
		{"unknown path needs a token too", "GET", "/v1/nothing", "", nil, 401, service.Unauthorized, 0, 0},
		{"wrong method", "GET", "/v1/lint", aliceToken, nil, 405, service.MethodNotAllowed, 0, 0},
		{"too large", "POST", "/v1/lint", aliceToken, big, 413, service.TooLarge, 0, 0},
		{"empty body", "POST", "/v1/lint", aliceToken, "", 400, service.BadInput, 0, 0},
		{"body not JSON", "POST", "/v1/lint", aliceToken, "{\n  \"policy\": ,\n}", 400, service.BadInput, 2, 13},
		{"unknown field", "POST", "/v1/lint", aliceToken, "{\"policy\": {}, \"polcy\": 1}", 400, service.BadInput, 1, 0},
		{"wrong type", "POST", "/v1/lint", aliceToken, `{"kind": 3}`, 400, service.BadInput, 1, 0},
		{"policy not JSON names its line", "POST", "/v1/lint", aliceToken, map[string]any{"policy": "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n}"}, 400, service.BadInput, 4, 1},
		{"change not found", "GET", "/v1/changes/chg-000000000000", aliceToken, nil, 404, service.NotFound, 0, 0},
		{"bad limit", "GET", "/v1/actions?pattern=s3:*&limit=x", aliceToken, nil, 400, service.BadInput, 0, 0},
		{"unknown action", "GET", "/v1/actions?pattern=s3:GetObjct", aliceToken, nil, 400, service.BadInput, 0, 0},
		{"scan path without root", "POST", "/v1/scan/resources", aliceToken, `{"path": "infra"}`, 403, service.Forbidden, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, e, hdr := do(t, srv, tc.method, tc.path, tc.token, tc.body, nil)
			if status != tc.status || e == nil || e.Code != tc.code {
				t.Fatalf("got %d %+v; want %d %s", status, e, tc.status, tc.code)
			}
			if tc.line != 0 && e.Line != tc.line || tc.column != 0 && e.Column != tc.column {
				t.Errorf("position %d:%d; want %d:%d (%s)", e.Line, e.Column, tc.line, tc.column, e.Message)
			}
			if tc.line != 0 && e.Line == 0 {
				t.Errorf("no position in %+v", e)
			}
			if status == 401 && !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without WWW-Authenticate")
			}
			if status == 405 && hdr.Get("Allow") != "POST" {
				t.Errorf("405 Allow %q", hdr.Get("Allow"))
			}
		})
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func first(v any) map[string]any {
	l, _ := v.([]any)
	if len(l) == 0 {
		return nil
	}
	m, _ := l[0].(map[string]any)
	return m
}
