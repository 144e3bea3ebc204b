package server

import (
	"net/http"
	"strings"
	"testing"
)

func TestParseTokens(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", MinTokenLength)
	for _, tc := range []struct {
		name, file, err string
		callers         map[string]string // token → caller
	}{
		{"named and unnamed", "# team\n\nalice " + long + "1\n" + long + "2\n", "", map[string]string{long + "1": "alice", long + "2": "me"}},
		{"short", "alice short\n", "tokens:1: a bearer token must be at least 16", nil},
		{"three fields", "alice bob " + long + "\n", `tokens:1: write "TOKEN" or "NAME TOKEN"`, nil},
		{"empty", "# nothing\n", "tokens: no token", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tokens, err := ParseTokens("tokens", []byte(tc.file), "me")
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("error %v; want %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "short") && tc.name == "short" {
					t.Fatalf("the error echoes the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for token, want := range tc.callers {
				if got, ok := tokens.Lookup(token); !ok || got != want {
					t.Errorf("Lookup(%q) = %q, %v; want %q", token, got, ok, want)
				}
			}
			for _, bad := range []string{"", long, long + "3", long[:MinTokenLength-1]} {
				if got, ok := tokens.Lookup(bad); ok {
					t.Errorf("Lookup(%q) accepted as %q", bad, got)
				}
			}
		})
	}
}

func TestLoadTokens(t *testing.T) {
	t.Setenv("IAMGUARD_TEST_TOKEN", "  "+strings.Repeat("z", 20)+"\n")
	tokens, err := LoadTokens("", "IAMGUARD_TEST_TOKEN", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if name, ok := tokens.Lookup(strings.Repeat("z", 20)); !ok || name != "alice" {
		t.Fatalf("env token: %q %v", name, ok)
	}
	t.Setenv("IAMGUARD_TEST_TOKEN", "")
	if _, err := LoadTokens("", "IAMGUARD_TEST_TOKEN", "alice"); err == nil || !strings.Contains(err.Error(), "refusing to serve HTTP without authentication") {
		t.Fatalf("no token: %v", err)
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	token := strings.Repeat("t", 32)
	tokens, _ := ParseTokens("tokens", []byte("alice "+token), "me")
	for header, want := range map[string]bool{
		"Bearer " + token:         true,
		"bearer " + token:         true,
		"Bearer  " + token + "  ": true,
		"Basic " + token:          false,
		token:                     false,
		"Bearer":                  false,
		"Bearer " + token + "x":   false,
		"":                        false,
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		if header != "" {
			r.Header.Set("Authorization", header)
		}
		if _, ok := tokens.Authenticate(r); ok != want {
			t.Errorf("Authorization %q: %v; want %v", header, ok, want)
		}
	}
}
