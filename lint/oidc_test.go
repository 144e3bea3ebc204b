package lint

import "testing"

// TestSubjectPinsRepository: which sub values pin a GitHub organisation,
// under a Like operator (wildcards) and literally.
func TestSubjectPinsRepository(t *testing.T) {
	t.Parallel()
	cases := []struct {
		value string
		like  bool
		want  bool
	}{
		{"repo:engify/engify-api:ref:refs/heads/main", false, true},
		{"repo:engify/engify-api:*", true, true},
		{"repo:engify/*:ref:refs/heads/main", true, true},
		{"repo:engify/*", true, true},
		{"*", true, false},
		{"?*", true, false},
		{"repo:*", true, false},
		{"repo:*/engify-api:*", true, false},
		{"repo:engify*", true, false},
		{"repo:engif?/engify-api:*", true, false},
		{"repo:", true, false},
		{"*:ref:refs/heads/main", true, false},
		// Customised subject templates do not start with "repo:".
		{"repository_owner_id:1234:repository_id:5678:*", true, true},
		// Literal comparison: "*" matches only the text "*", which GitHub never sends.
		{"*", false, true},
		{"repo:${aws:PrincipalTag/org}/*", true, true},
	}
	for _, c := range cases {
		if got := subjectPinsRepository(c.value, c.like); got != c.want {
			t.Errorf("subjectPinsRepository(%q, like=%v) = %v, want %v", c.value, c.like, got, c.want)
		}
	}
}

func TestIsGitHubOIDCProvider(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com":          true,
		"arn:aws-us-gov:iam::123456789012:oidc-provider/Token.Actions.GitHubUserContent.com":   true,
		"token.actions.githubusercontent.com":                                                  true,
		"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com.evil.com": false,
		"arn:aws:iam::123456789012:oidc-provider/gitlab.com":                                   false,
		"accounts.google.com":                                false,
		":oidc-provider/token.actions.githubusercontent.com": false,
		"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/engify":   true, // an enterprise's issuer
		"token.actions.githubusercontent.com/engify":                                           true,
		"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/":         false,
		"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/engify/x": false,
	}
	for v, want := range cases {
		if got := isGitHubOIDCProvider(v); got != want {
			t.Errorf("isGitHubOIDCProvider(%q) = %v, want %v", v, got, want)
		}
	}
}
