package policy

import (
	"strings"
	"unicode/utf8"
)

// trustActions are the STS actions a role trust policy grants to the
// principals allowed to take on the role.
var trustActions = [...]string{
	"sts:AssumeRole",
	"sts:AssumeRoleWithSAML",
	"sts:AssumeRoleWithWebIdentity",
	"sts:TagSession",
	"sts:SetSourceIdentity",
}

// IsAssumeRoleAction reports whether action (or an action pattern with * and
// ? wildcards) names one of the STS actions that belong in a role's trust
// policy: sts:AssumeRole, sts:AssumeRoleWithSAML,
// sts:AssumeRoleWithWebIdentity, sts:TagSession or sts:SetSourceIdentity.
// Action names are case-insensitive in IAM.
func IsAssumeRoleAction(action string) bool {
	lower := strings.ToLower(action)
	for _, a := range trustActions {
		if matchWildcard(strings.ToLower(a), lower) {
			return true
		}
	}
	return false
}

// DetectKind guesses what a policy is attached to from its content: a
// statement with a Principal or NotPrincipal that grants an assume-role
// action (see IsAssumeRoleAction) makes it a trust policy; any other
// Principal makes it a resource policy; no Principal, an identity policy.
// SCPs, RCPs, session policies and boundaries look like identity policies
// and can only be told apart by where they come from.
func DetectKind(p *Policy) Kind {
	if p == nil {
		return KindUnknown
	}
	kind := KindIdentity
	for _, s := range p.Statements {
		if s.Principal == nil && s.NotPrincipal == nil {
			continue
		}
		kind = KindResource
		if s.Action != nil {
			for _, v := range s.Action.Values {
				if IsAssumeRoleAction(v.Text) {
					return KindTrust
				}
			}
		}
	}
	return kind
}

// matchWildcard reports whether text matches pattern, where '*' matches any
// run of characters (including none) and '?' matches exactly one, as in IAM
// Action, Resource and string-like condition values. It is case-sensitive;
// lower-case both sides for action names.
func matchWildcard(text, pattern string) bool {
	// Iterative matcher with one backtrack point: linear in practice and
	// never exponential, whatever the number of '*'.
	t, p := 0, 0
	starP, starT := -1, 0
	for t < len(text) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			starP, starT = p, t
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == text[t]):
			if pattern[p] == '?' {
				// '?' is one character, not one byte.
				_, size := utf8.DecodeRuneInString(text[t:])
				t += size
			} else {
				t++
			}
			p++
		case starP >= 0:
			starT++
			for starT < len(text) && text[starT]&0xC0 == 0x80 {
				starT++ // stay on code-point boundaries
			}
			p, t = starP+1, starT
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
