package gate

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Step is a workflow step a token is issued for.
type Step string

const (
	StepPlan    Step = "plan"
	StepRequest Step = "request"
	StepApprove Step = "approve"
	StepApply   Step = "apply"
)

// tokenPrefix versions the token format.
const tokenPrefix = "igt1"

// Claims is what a token says: which change, which step, which content, and
// until when.
type Claims struct {
	ChangeID    string `json:"c"`
	Step        Step   `json:"s"`
	ContentHash string `json:"h"`
	IssuedAt    int64  `json:"i"`
	ExpiresAt   int64  `json:"e"`
	// Nonce makes two tokens for the same step distinct.
	Nonce string `json:"n"`
}

// Expires is the expiry as a time.
func (c Claims) Expires() time.Time { return time.Unix(c.ExpiresAt, 0).UTC() }

var (
	errTokenMalformed = errors.New("not an iamguard gate token")
	errTokenSignature = errors.New("token signature does not verify: it was not issued by this store, or it was altered")
)

// signToken encodes claims as "igt1.<payload>.<HMAC-SHA256>", both parts
// base64url without padding.
func signToken(key []byte, c Claims) (string, error) {
	if c.Nonce == "" {
		n := make([]byte, 8)
		if _, err := rand.Read(n); err != nil {
			return "", err
		}
		c.Nonce = hex.EncodeToString(n)
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	body := tokenPrefix + "." + base64.RawURLEncoding.EncodeToString(payload)
	return body + "." + base64.RawURLEncoding.EncodeToString(tokenMAC(key, body)), nil
}

func tokenMAC(key []byte, body string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(body))
	return m.Sum(nil)
}

// parseToken checks the signature and decodes the claims. Expiry, step and
// content are the caller's to check, so it can say which one failed.
func parseToken(key []byte, token string) (Claims, error) {
	var c Claims
	token = strings.TrimSpace(token)
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != tokenPrefix {
		return c, errTokenMalformed
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return c, errTokenMalformed
	}
	if !hmac.Equal(sig, tokenMAC(key, parts[0]+"."+parts[1])) {
		return c, errTokenSignature
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, errTokenMalformed
	}
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || c.ChangeID == "" || c.Step == "" {
		return c, errTokenMalformed
	}
	return c, nil
}

// InspectToken decodes a token's claims without verifying it, for display
// (status, error messages). Never base a decision on it.
func InspectToken(token string) (Claims, bool) {
	var c Claims
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 || parts[0] != tokenPrefix {
		return c, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(payload, &c) != nil {
		return c, false
	}
	return c, true
}
