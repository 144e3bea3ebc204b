package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iamguard/iamguard/internal/service"
)

// FuzzParseTokens: any token file is read or refused with a line number,
// never a panic, and an error never holds a token of the file.
func FuzzParseTokens(f *testing.F) {
	f.Add([]byte("alice 0123456789abcdef0123\n# comment\n\nbob fedcba9876543210fedc\n"))
	f.Add([]byte("0123456789abcdef\n"))
	f.Add([]byte("alice short\n"))
	f.Add([]byte("a b c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tokens, err := ParseTokens("tokens", data, "me")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "tokens") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if tokens.Len() == 0 {
			t.Fatal("no tokens and no error")
		}
	})
}

// FuzzDecodeBody: any request body is decoded or refused with a position
// inside the body, never a panic.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"policy": {"Version": "2012-10-17"}}`,
		`{"policy": "{\"Version\": 1}", "kind": "identity"}`,
		"{\n  \"policy\": ,\n}",
		`{"files": [{"path": "a.tf", "content": ""}]}`,
		`{"change": {"environment": "dev"}, "file": 3}`,
		`[1, 2]`, `{"a": 1} {"b": 2}`, `"`, "",
	} {
		f.Add([]byte(s))
	}
	a := &api{max: 1 << 16}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range []any{&service.LintRequest{}, &service.ScanRequest{}, &service.PlanRequest{}, &service.SimulateRequest{}} {
			r := httptest.NewRequest(http.MethodPost, "/v1/lint", bytes.NewReader(body))
			e := a.decode(httptest.NewRecorder(), r, dst)
			if e == nil {
				continue
			}
			lines := bytes.Count(body, []byte("\n")) + 1
			if e.Line < 0 || e.Line > lines {
				t.Fatalf("error at line %d of a %d-line body: %+v", e.Line, lines, e)
			}
		}
	})
}
