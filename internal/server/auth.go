package server

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
)

// MinTokenLength is the shortest bearer token a server accepts: anything
// shorter can be guessed.
const MinTokenLength = 16

// Tokens are the bearer tokens a server accepts, each naming who calls
// with it. Only SHA-256 digests are kept, so the tokens themselves are
// never in memory longer than loading takes, and never logged.
type Tokens struct {
	entries []tokenEntry
}

type tokenEntry struct {
	digest [sha256.Size]byte
	name   string
}

// Len is the number of tokens.
func (t *Tokens) Len() int { return len(t.entries) }

// Add accepts token for the caller name.
func (t *Tokens) Add(name, token string) error {
	if len(token) < MinTokenLength {
		return fmt.Errorf("a bearer token must be at least %d characters (generate one with: openssl rand -hex 32)", MinTokenLength)
	}
	if strings.TrimSpace(name) == "" {
		return errors.New("a bearer token needs a caller name")
	}
	t.entries = append(t.entries, tokenEntry{digest: sha256.Sum256([]byte(token)), name: name})
	return nil
}

// Lookup returns the caller a presented token names. Every stored token is
// compared, in constant time over equal-length digests, so the time taken
// says nothing about which token (or how much of one) matched.
func (t *Tokens) Lookup(presented string) (string, bool) {
	d := sha256.Sum256([]byte(presented))
	found := -1
	for i := range t.entries {
		if subtle.ConstantTimeCompare(d[:], t.entries[i].digest[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return "", false
	}
	return t.entries[found].name, true
}

// ParseTokens reads a token file: one token per line, either "TOKEN" (the
// caller is defaultName) or "NAME TOKEN" (the caller is NAME, the
// identity approvals check). Blank lines and lines starting with # are
// skipped. Errors name the line, never the token.
func ParseTokens(file string, data []byte, defaultName string) (*Tokens, error) {
	t := &Tokens{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		var err error
		switch len(fields) {
		case 1:
			err = t.Add(defaultName, fields[0])
		case 2:
			err = t.Add(fields[0], fields[1])
		default:
			err = errors.New(`write "TOKEN" or "NAME TOKEN"`)
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", file, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if t.Len() == 0 {
		return nil, fmt.Errorf("%s: no token in the file", file)
	}
	return t, nil
}

// LoadTokens reads the tokens from file, or from the environment variable
// envVar when file is empty. With neither it fails: an HTTP server never
// starts without authentication.
func LoadTokens(file, envVar, defaultName string) (*Tokens, error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		return ParseTokens(file, data, defaultName)
	}
	if v := strings.TrimSpace(os.Getenv(envVar)); v != "" {
		t := &Tokens{}
		if err := t.Add(defaultName, v); err != nil {
			return nil, fmt.Errorf("$%s: %v", envVar, err)
		}
		return t, nil
	}
	return nil, fmt.Errorf("refusing to serve HTTP without authentication: give --token-file FILE or set $%s (generate a token with: openssl rand -hex 32)", envVar)
}

// bearerToken extracts the token of an "Authorization: Bearer TOKEN"
// header.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// Authenticate returns the caller of a request with a valid bearer token.
func (t *Tokens) Authenticate(r *http.Request) (string, bool) {
	token, ok := bearerToken(r)
	if !ok {
		return "", false
	}
	return t.Lookup(token)
}
