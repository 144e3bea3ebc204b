package lint

import (
	"fmt"
	"strings"

	"github.com/iamguard/iamguard/policy"
)

// gitHubOIDCHost is GitHub Actions' OIDC issuer; its IAM provider ARN ends
// ":oidc-provider/" + the issuer and its claims are condition keys prefixed
// with it. An enterprise with a unique issuer URL has the issuer
// gitHubOIDCHost + "/" + its slug, and keys prefixed with that.
const gitHubOIDCHost = "token.actions.githubusercontent.com"

// gitHubOIDCIssuer returns the GitHub issuer a Federated principal value
// names, by ARN or bare host, with an enterprise slug when there is one
// (matched case-insensitively: a security check should not be dodged by
// spelling); ok is false for other providers.
func gitHubOIDCIssuer(v string) (issuer string, ok bool) {
	const marker = ":oidc-provider/"
	if i := strings.Index(strings.ToLower(v), marker); i >= 0 {
		if !strings.HasPrefix(v, "arn:") {
			return "", false
		}
		v = v[i+len(marker):]
	}
	host, slug, hasSlug := strings.Cut(v, "/")
	if !strings.EqualFold(host, gitHubOIDCHost) || hasSlug && (slug == "" || strings.Contains(slug, "/")) {
		return "", false
	}
	return v, true
}

// isGitHubOIDCProvider reports whether a Federated principal value names a
// GitHub Actions OIDC provider.
func isGitHubOIDCProvider(v string) bool {
	_, ok := gitHubOIDCIssuer(v)
	return ok
}

// subjectUse is how one condition entry on the sub key constrains it.
type subjectUse uint8

const (
	subjectRestricts subjectUse = iota // a positive string operator: only the listed values pass
	subjectNegated                     // StringNotEquals/StringNotLike: everything else passes
	subjectWeak                        // IfExists, ForAllValues, Null or a non-string operator: holds without pinning
)

func classifySubjectOperator(op parsedOperator) subjectUse {
	switch {
	case op.cat != opString:
		return subjectWeak
	case strings.Contains(op.base, "not"):
		return subjectNegated
	case op.ifExists || op.set == "forallvalues":
		return subjectWeak
	}
	return subjectRestricts
}

// subjectPinsRepository reports whether a sub value, compared by a Like
// operator (wildcards) or literally, only matches workflows of one named
// organisation: "repo:acme/api:*" and "repo:acme/*:ref:refs/heads/main" do;
// "*", "repo:*" and "repo:acme*/api:*" do not. Values of customised subject
// templates (not starting with "repo:") pass unless they start with a
// wildcard.
func subjectPinsRepository(v string, like bool) bool {
	if !like || strings.Contains(v, "${") {
		return true // literal: matches exactly one subject (or none)
	}
	rest, ok := strings.CutPrefix(v, "repo:")
	if !ok {
		return v != "" && !hasWildcard(v[:1])
	}
	org := rest
	if i := strings.IndexAny(rest, "/:"); i >= 0 {
		org = rest[:i]
	}
	return org != "" && !hasWildcard(org)
}

// checkGitHubOIDC: an Allow of sts:AssumeRoleWithWebIdentity to GitHub's
// OIDC provider needs a sub condition naming the organisation and
// repository, or any repository on GitHub can assume the role.
func (ps *pass) checkGitHubOIDC(si *stmtInfo) {
	if ps.ix.webIdentity < 0 || !si.set.Has(ps.ix.webIdentity) || !ps.enabled("OIDC_TRUST_WITHOUT_SUBJECT") {
		return
	}
	var provider *policy.Value
	issuer := ""
	for i := range si.s.Principal.Entries {
		e := &si.s.Principal.Entries[i]
		if e.Type != "Federated" {
			continue
		}
		for j := range e.Values.Values {
			if is, ok := gitHubOIDCIssuer(e.Values.Values[j].Text); ok {
				provider, issuer = &e.Values.Values[j], is
				break
			}
		}
	}
	if provider == nil {
		return
	}
	// The subject key is the issuer's: an enterprise's is
	// "token.actions.githubusercontent.com/SLUG:sub".
	gitHubSubjectKey := issuer + ":sub"
	anyRepo := "any repository on GitHub, in any organisation" // who else can assume the role
	if strings.EqualFold(issuer, gitHubOIDCHost) {
		gitHubSubjectKey = gitHubOIDCHost + ":sub"
	} else {
		anyRepo = "any repository of the enterprise, in any of its organisations"
	}
	type subjectEntry struct {
		op     *policy.Value
		parsed parsedOperator
		e      *policy.ConditionEntry
		use    subjectUse
	}
	var entries []subjectEntry
	restricts := false
	if c := si.s.Condition; c != nil {
		for bi := range c.Blocks {
			b := &c.Blocks[bi]
			op := parseOperator(b.Operator.Text)
			for ei := range b.Entries {
				e := &b.Entries[ei]
				if !strings.EqualFold(e.Key.Text, gitHubSubjectKey) {
					continue
				}
				use := classifySubjectOperator(op)
				restricts = restricts || use == subjectRestricts
				entries = append(entries, subjectEntry{&b.Operator, op, e, use})
			}
		}
	}
	if restricts {
		// Condition entries are ANDed: one entry whose values all pin a
		// repository is enough.
		for _, se := range entries {
			if se.use != subjectRestricts {
				continue
			}
			like := strings.Contains(se.parsed.base, "like")
			pinned := len(se.e.Values.Values) > 0
			for j := range se.e.Values.Values {
				pinned = pinned && subjectPinsRepository(se.e.Values.Values[j].Text, like)
			}
			if pinned {
				return
			}
		}
		for _, se := range entries {
			if se.use != subjectRestricts {
				continue
			}
			like := strings.Contains(se.parsed.base, "like")
			for j := range se.e.Values.Values {
				v := &se.e.Values.Values[j]
				if !subjectPinsRepository(v.Text, like) {
					ps.reportAt("OIDC_TRUST_WITHOUT_SUBJECT", v, fmt.Sprintf("%s %q pins no GitHub organisation and repository: workflows of repositories in other organisations match it", gitHubSubjectKey, v.Text),
						`Name your organisation and repository, e.g. "repo:ORG/REPO:ref:refs/heads/main" (StringEquals) or "repo:ORG/REPO:*" (StringLike).`)
				}
			}
		}
		return
	}
	if len(entries) == 0 {
		pos, path := si.s.Principal.Pos, si.s.Principal.Path
		fix := ""
		if c := si.s.Condition; c != nil {
			pos, path = c.Pos, c.Path
			fix = fmt.Sprintf(`Add "%s": "repo:ORG/REPO:ref:refs/heads/main" under StringEquals (or "repo:ORG/REPO:*" under StringLike).`, gitHubSubjectKey)
		}
		ps.report("OIDC_TRUST_WITHOUT_SUBJECT", pos, path, fmt.Sprintf("the role trusts %s with no %s condition: a workflow of %s, can assume it", provider.Text, gitHubSubjectKey, anyRepo), fix)
		return
	}
	for _, se := range entries {
		switch se.use {
		case subjectNegated:
			at := &se.e.Key
			if len(se.e.Values.Values) > 0 {
				at = &se.e.Values.Values[0]
			}
			ps.reportAt("OIDC_TRUST_WITHOUT_SUBJECT", at, fmt.Sprintf("%s on %s only excludes subjects: a workflow of %s, the excluded ones aside, can assume the role", se.op.Text, gitHubSubjectKey, anyRepo),
				fmt.Sprintf(`Allow your repositories instead: "StringLike": {"%s": "repo:ORG/REPO:*"} (keep the exclusion beside it if needed).`, gitHubSubjectKey))
		case subjectWeak:
			why := "does not require the subject to match"
			switch {
			case se.parsed.cat == opString && se.parsed.ifExists:
				why = "holds when the token has no sub claim"
			case se.parsed.set == "forallvalues":
				why = "holds when the token has no sub claim (ForAllValues over no values)"
			case se.parsed.cat == opNull:
				why = "only tests that the claim exists, not which repository sent it"
			}
			ps.reportAt("OIDC_TRUST_WITHOUT_SUBJECT", se.op, fmt.Sprintf("%s on %s %s: it does not restrict which repository can assume the role", se.op.Text, gitHubSubjectKey, why),
				fmt.Sprintf(`Use "StringEquals": {"%s": "repo:ORG/REPO:ref:refs/heads/main"} (or StringLike with "repo:ORG/REPO:*").`, gitHubSubjectKey))
		}
	}
}
