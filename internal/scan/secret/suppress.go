package secret

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/iamguard/iamguard/finding"
)

// ignoreDirective is the inline suppression marker: a comment holding
// "iamguard:ignore CODE[,CODE…] reason" on the finding's line or the line
// above suppresses those codes there.
const ignoreDirective = "iamguard:ignore"

// applySuppressions sets f.Suppressed from an inline directive or an allow
// rule and returns msg, extended when a directive or rule matched but gave
// no reason (which therefore does not count).
func (s *Scanner) applySuppressions(f *finding.Finding, msg, fp string, data []byte, lineStart, line int) string {
	cur := data[lineStart:lineEnd(data, lineStart)]
	candidates := []struct {
		text []byte
		line int
	}{{cur, line}}
	if lineStart > 0 {
		prevStart := lineStart - 1
		candidates = append(candidates, struct {
			text []byte
			line int
		}{data[linesBefore(data, prevStart, 0):prevStart], line - 1})
	}
	for _, c := range candidates {
		reason, found := inlineReason(c.text, f.Code)
		switch {
		case found && reason != "":
			f.Suppressed = reason
			return msg
		case found:
			msg += fmt.Sprintf(" (the iamguard:ignore on line %d gives no reason, so it does not apply)", c.line)
		}
	}
	for _, r := range s.opts.Allow {
		if !r.matches(f.File, f.Code, fp) {
			continue
		}
		if r.Reason == "" {
			msg += " (an allow rule matches but gives no reason, so it does not apply)"
			continue
		}
		f.Suppressed = r.Reason
		return msg
	}
	return msg
}

// inlineReason looks for "iamguard:ignore CODES reason" naming code in line.
func inlineReason(line []byte, code string) (reason string, found bool) {
	for {
		i := bytes.Index(line, []byte(ignoreDirective))
		if i < 0 {
			return "", false
		}
		line = line[i+len(ignoreDirective):]
		rest := strings.TrimLeft(string(line), " \t")
		codes, after, _ := strings.Cut(rest, " ")
		if !slicesContains(strings.Split(codes, ","), code) {
			continue
		}
		// Cut the reason at a following directive and drop comment closers.
		if k := strings.Index(after, ignoreDirective); k >= 0 {
			after = after[:k]
		}
		after = strings.TrimSpace(after)
		for _, closer := range []string{"*/", "-->", "#}", "%>", "--%>"} {
			after = strings.TrimSpace(strings.TrimSuffix(after, closer))
		}
		after = strings.Trim(after, " \t-:;")
		return after, true
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if strings.TrimSpace(x) == s {
			return true
		}
	}
	return false
}

func (r AllowRule) matches(file, code, fp string) bool {
	if r.Path == "" && r.Fingerprint == "" && r.Code == "" {
		return false
	}
	return (r.Code == "" || r.Code == code) &&
		(r.Fingerprint == "" || r.Fingerprint == fp) &&
		(r.Path == "" || MatchPath(r.Path, file))
}

// MatchPath reports whether a slash-separated file path matches an allowlist
// glob (see AllowRule for the syntax).
func MatchPath(pattern, file string) bool {
	anchored := strings.HasPrefix(pattern, "/")
	pattern = strings.TrimPrefix(pattern, "/")
	if strings.HasSuffix(pattern, "/") {
		pattern += "**"
	}
	file = strings.TrimPrefix(path.Clean("/"+file), "/")
	ps, fs := strings.Split(pattern, "/"), strings.Split(file, "/")
	if anchored {
		return matchSegments(ps, fs)
	}
	for i := range fs {
		if matchSegments(ps, fs[i:]) {
			return true
		}
	}
	return false
}

func matchSegments(ps, fs []string) bool {
	for len(ps) > 0 {
		if ps[0] == "**" {
			for k := 0; k <= len(fs); k++ {
				if matchSegments(ps[1:], fs[k:]) {
					return true
				}
			}
			return false
		}
		if len(fs) == 0 {
			return false
		}
		if ok, err := path.Match(ps[0], fs[0]); err != nil || !ok {
			return false
		}
		ps, fs = ps[1:], fs[1:]
	}
	return len(fs) == 0
}

// fixFor is the concrete remedy for a code; name (kebab-case, may be empty)
// names the Secrets Manager secret to create, as in the team's
// "<project>/<name>" convention (e.g. engify/sendgrid-api-key).
func fixFor(code, name string) string {
	defaults := map[string]string{
		CodeAWSAccessKeyID: "aws-access-key", CodeAWSSecretAccessKey: "aws-access-key", CodePrivateKey: "private-key",
		CodeSendGridAPIKey: "sendgrid-api-key", CodeTwilioAuthToken: "twilio-auth-token", CodeTwilioAPIKey: "twilio-api-key",
		CodeStripeSecretKey: "stripe-secret-key", CodeStripeTestKey: "stripe-test-key", CodeGitHubToken: "github-token",
		CodeSlackToken: "slack-token", CodeSlackWebhookURL: "slack-webhook-url", CodeNPMToken: "npm-token",
		CodeDatabaseURI: "database-uri", CodeNextAuthSecret: "nextauth-secret",
	}
	if name == "" {
		name = defaults[code]
		if name == "" {
			name = "<name>"
		}
	}
	store := fmt.Sprintf("move it to AWS Secrets Manager (e.g. secret `<project>/%s`) and read it at runtime with secretsmanager:GetSecretValue", name)
	switch code {
	case CodeAWSAccessKeyID, CodeAWSSecretAccessKey:
		return "do not ship long-term AWS keys: use an IAM role or temporary STS credentials from the default credential chain; " +
			"deactivate and delete this access key (aws iam update-access-key --status Inactive, then aws iam delete-access-key) after rotating; " +
			"if a key is truly unavoidable, " + store
	case CodePrivateKey:
		return store + "; replace the key pair, since this one is exposed (if it is a test fixture, allowlist its path with a reason)"
	case CodeSendGridAPIKey:
		return store + "; delete the API key in SendGrid and create a new one"
	case CodeTwilioAuthToken:
		return store + "; rotate the auth token in the Twilio console"
	case CodeTwilioAPIKey:
		return store + "; delete the API key in the Twilio console and create a new one"
	case CodeStripeSecretKey:
		return store + "; roll the key in the Stripe dashboard"
	case CodeStripeTestKey:
		return store + "; roll the test key in the Stripe dashboard (test keys still expose your test data)"
	case CodeGitHubToken:
		return store + " (in GitHub Actions, use secrets.GITHUB_TOKEN or a repository secret); revoke the token in GitHub settings"
	case CodeSlackToken:
		return store + "; revoke the token (auth.revoke) and reinstall the app to get a new one"
	case CodeSlackWebhookURL:
		return store + "; regenerate the webhook URL in the Slack app settings"
	case CodeNPMToken:
		return "reference it from the environment instead (//registry.npmjs.org/:_authToken=${NPM_TOKEN}) with the token in your CI secret store or " +
			fmt.Sprintf("AWS Secrets Manager (`<project>/%s`); revoke it with npm token revoke", name)
	case CodeDatabaseURI:
		return "build the URI at runtime from a password kept in AWS Secrets Manager (e.g. secret `<project>/" + name + "`, read with secretsmanager:GetSecretValue); change the database user's password"
	case CodeNextAuthSecret:
		return store + "; generate a new one (openssl rand -base64 32), which signs everyone out"
	case CodeEnvSecret:
		return "keep .env files out of version control (add them to .gitignore, commit a .env.example with placeholders); " + store + "; rotate the exposed credential"
	}
	return store + "; rotate the exposed credential"
}
