package policy

import "github.com/iamguard/iamguard/arn"

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
	p := arn.CompileAction(action)
	for _, a := range trustActions {
		if p.Match(a) {
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
