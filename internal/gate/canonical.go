package gate

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// integerSyntax is a JSON integer literal, kept as written.
var integerSyntax = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`) })

// canonicalNumber writes a number literal in one form, so the same value
// written as 1.0, 1e0 or 0x1 in YAML hashes alike: integers as written,
// everything else by RFC 8785's rule (shortest round-trip form, exponent
// only outside 1e-6 ≤ |x| < 1e21).
func canonicalNumber(lit string) (json.Number, error) {
	if integerSyntax().MatchString(lit) {
		return json.Number(lit), nil
	}
	if i, err := strconv.ParseInt(lit, 0, 64); err == nil { // 0x…, 0o…, +1
		return json.Number(strconv.FormatInt(i, 10)), nil
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", fmt.Errorf("number %s cannot be represented in JSON", lit)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), nil
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), nil
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // 1e-07 → 1e-7, as RFC 8785
	e = strings.Replace(strings.Replace(e, "e-0", "e-", 1), "e+0", "e+", 1)
	return json.Number(e), nil
}

// contentMap is the change's content as a map: the fields that are set.
func (c *Change) contentMap() map[string]any {
	m := map[string]any{
		"environment":  c.Environment,
		"operation":    string(c.Operation),
		"resourceType": c.ResourceType,
	}
	if c.Identifier != "" {
		m["identifier"] = c.Identifier
	}
	if c.Properties != nil {
		m["properties"] = c.Properties
	}
	if c.MonthlyCost != nil {
		if c.MonthlyCost.Unknown {
			m["monthlyCost"] = "unknown"
		} else {
			n, _ := canonicalNumber(strconv.FormatFloat(c.MonthlyCost.USD, 'g', -1, 64))
			m["monthlyCost"] = n
		}
	}
	if c.Requester != "" {
		m["requester"] = c.Requester
	}
	if c.Description != "" {
		m["description"] = c.Description
	}
	if c.PromotedFrom != "" {
		m["promotedFrom"] = c.PromotedFrom
	}
	return m
}

// marshalCanonical writes v as canonical JSON: object keys sorted, no
// insignificant white space, no HTML escaping, numbers canonical.
func marshalCanonical(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// Canonical is the change's content as canonical JSON: what ContentHash
// hashes and what the store keeps.
func (c *Change) Canonical() ([]byte, error) { return marshalCanonical(c.contentMap()) }

// ContentHash is the hex SHA-256 of the canonical JSON of the change. Every
// token and approval is bound to it.
func (c *Change) ContentHash() (string, error) {
	b, err := c.Canonical()
	if err != nil {
		return "", err
	}
	return sha256Hex(b), nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// environmentTags are tags whose value differs by environment by design;
// PromotionHash leaves them out.
var environmentTags = []string{"Environment", "CreatedDate", "CreatedBy"}

// PromotionHash is the hex SHA-256 of the change without what legitimately
// differs between environments, so "the same change" in dev and prod hash
// alike:
//   - the fields environment, identifier, requester, description,
//     monthlyCost and promotedFrom;
//   - the tags Environment, CreatedDate and CreatedBy;
//   - the environment's account ID and region wherever they appear in a
//     string, replaced by ${AWS::AccountId} and ${AWS::Region}.
//
// Everything else (type, operation, every other property and tag) must be
// identical.
func (c *Change) PromotionHash(account, region string) (string, error) {
	m := map[string]any{
		"operation":    string(c.Operation),
		"resourceType": c.ResourceType,
	}
	if c.Properties != nil {
		props := deepCopy(c.Properties).(map[string]any)
		removeTags(props, environmentTags)
		var repl []string
		if account != "" {
			repl = append(repl, account, "${AWS::AccountId}")
		}
		if region != "" {
			repl = append(repl, region, "${AWS::Region}")
		}
		if len(repl) > 0 {
			props = replaceStrings(props, strings.NewReplacer(repl...)).(map[string]any)
		}
		m["properties"] = props
	}
	b, err := marshalCanonical(m)
	if err != nil {
		return "", err
	}
	return sha256Hex(append([]byte("iamguard-promotion-v1\n"), b...)), nil
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}

func replaceStrings(v any, r *strings.Replacer) any {
	switch t := v.(type) {
	case string:
		return r.Replace(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[r.Replace(k)] = replaceStrings(x, r)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = replaceStrings(x, r)
		}
		return out
	}
	return v
}
