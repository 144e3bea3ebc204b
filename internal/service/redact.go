package service

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/iamguard/iamguard/internal/gate"
	"github.com/iamguard/iamguard/internal/scan/secret"
)

// isSecretCode reports the secret detectors' finding codes.
func isSecretCode(code string) bool {
	switch code {
	case secret.CodeAWSAccessKeyID, secret.CodeAWSSecretAccessKey, secret.CodePrivateKey,
		secret.CodeSendGridAPIKey, secret.CodeTwilioAuthToken, secret.CodeTwilioAPIKey,
		secret.CodeStripeSecretKey, secret.CodeStripeTestKey, secret.CodeGitHubToken,
		secret.CodeSlackToken, secret.CodeSlackWebhookURL, secret.CodeNPMToken,
		secret.CodeDatabaseURI, secret.CodeNextAuthSecret, secret.CodeEnvSecret,
		secret.CodeGenericSecret:
		return true
	}
	return false
}

// secretValues returns the property values of a change's content that its
// scan flagged as secrets, found by the findings' paths
// ("properties.Environment.Variables.SENDGRID_API_KEY").
func secretValues(content json.RawMessage, fs []gate.ScanFinding) []string {
	var doc any
	if len(content) == 0 || json.Unmarshal(content, &doc) != nil {
		return nil
	}
	var out []string
	for _, f := range fs {
		if !isSecretCode(f.Code) {
			continue
		}
		if s, ok := lookupJSONPath(doc, f.Path).(string); ok && s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// lookupJSONPath follows a.b[0].c through decoded JSON.
func lookupJSONPath(v any, path string) any {
	for path != "" {
		switch {
		case path[0] == '.':
			path = path[1:]
		case path[0] == '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return nil
			}
			i, err := strconv.Atoi(path[1:end])
			l, ok := v.([]any)
			if err != nil || !ok || i < 0 || i >= len(l) {
				return nil
			}
			v, path = l[i], path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v, path = m[path[:end]], path[end:]
		}
	}
	return v
}

// redactValues replaces every occurrence of the values in data, as written
// raw or inside a JSON string, by their redacted form: a change that holds
// a secret is never echoed with it in full.
func redactValues(data []byte, values []string) []byte {
	for _, v := range values {
		quoted, _ := json.Marshal(v)
		inner := quoted[1 : len(quoted)-1]
		red := []byte(secret.Redact(v))
		data = bytes.ReplaceAll(data, inner, red)
		if !bytes.Equal(inner, []byte(v)) {
			data = bytes.ReplaceAll(data, []byte(v), red)
		}
	}
	return data
}
