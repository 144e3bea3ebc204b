package eval

import (
	"fmt"
	"strings"

	"github.com/iamguard/iamguard/policy"
)

// principalMatch is how a resource policy's Principal names the caller. The
// kind matters within one account: a grant to the caller itself stands on
// its own, a grant to its role is still limited by the role's boundary and
// session policy, and a grant to its account only delegates to the
// account's identity policies.
type principalMatch uint8

const (
	matchNone    principalMatch = iota
	matchAccount                // the caller's account ("123456789012" or its root ARN)
	matchRole                   // the role the caller's session belongs to
	matchDirect                 // the caller itself: its user or session ARN, its service, or "*"
)

func (m principalMatch) String() string {
	switch m {
	case matchAccount:
		return "the caller's account"
	case matchRole:
		return "the caller's role"
	case matchDirect:
		return "the caller"
	}
	return "not the caller"
}

type principalSet struct {
	src       *policy.Principal
	wildcard  bool
	accounts  []string
	arns      []string // user, assumed-role session and federated-user ARNs
	roles     []roleRef
	services  []string // lowercased
	federated []string // lowercased
	canonical []string // lowercased
}

type roleRef struct{ account, name string }

func compilePrincipal(pr *policy.Principal, errs *ErrorList) *principalSet {
	ps := &principalSet{src: pr}
	if pr.Wildcard {
		ps.wildcard = true
		return ps
	}
	for _, e := range pr.Entries {
		for _, v := range e.Values.Values {
			t := v.Text
			switch e.Type {
			case "AWS":
				if err := ps.addAWS(t); err != nil {
					errs.add(v.Pos, v.Path, err.Error())
				}
			case "Service":
				if t == "*" {
					ps.wildcard = true
				} else {
					ps.services = append(ps.services, strings.ToLower(t))
				}
			case "Federated":
				ps.federated = append(ps.federated, strings.ToLower(t))
			case "CanonicalUser":
				ps.canonical = append(ps.canonical, strings.ToLower(t))
			default:
				errs.add(e.TypePos, e.Values.Path, fmt.Sprintf("principal type %q: want AWS, Service, Federated or CanonicalUser", e.Type))
			}
		}
	}
	return ps
}

func (ps *principalSet) addAWS(t string) error {
	switch {
	case t == "*":
		ps.wildcard = true
		return nil
	case isAccountID(t):
		ps.accounts = append(ps.accounts, t)
		return nil
	case isUniqueID(t):
		// A unique ID stands where AWS rewrote a deleted principal's ARN:
		// it names no current principal, so it never matches.
		return nil
	case !strings.HasPrefix(t, "arn:"):
		return fmt.Errorf("AWS principal %q is not an account ID, an ARN or \"*\"", t)
	}
	if strings.ContainsAny(t, "*?") {
		return fmt.Errorf("AWS principal %q: wildcards are not allowed in principal ARNs (use \"*\" with an aws:PrincipalArn condition)", t)
	}
	if err := checkARN(t); err != nil {
		return err
	}
	v := splitARNValue(t)
	acct, svc, res := v.segs[4], v.segs[2], v.segs[5]
	switch {
	case svc == "iam" && res == "root":
		ps.accounts = append(ps.accounts, acct)
	case svc == "iam" && strings.HasPrefix(res, "role/"):
		ps.roles = append(ps.roles, roleRef{account: acct, name: res[strings.LastIndexByte(res, '/')+1:]})
	case svc == "iam" && strings.HasPrefix(res, "user/"),
		svc == "sts" && strings.HasPrefix(res, "assumed-role/"),
		svc == "sts" && strings.HasPrefix(res, "federated-user/"):
		ps.arns = append(ps.arns, t)
	default:
		return fmt.Errorf("AWS principal %q is not a user, role, assumed-role, federated-user or root ARN", t)
	}
	return nil
}

// isUniqueID recognizes IAM unique IDs such as AIDAJQABLZS4A3QDU576Q.
func isUniqueID(s string) bool {
	if len(s) < 16 || len(s) > 128 || s[0] != 'A' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// match returns the strongest way the set names the caller.
func (ps *principalSet) match(c *caller) principalMatch {
	if ps.wildcard {
		return matchDirect
	}
	best := matchNone
	switch c.kind {
	case callerService:
		for _, s := range ps.services {
			if s == c.service {
				return matchDirect
			}
		}
	case callerFederated:
		for _, f := range ps.federated {
			if strings.EqualFold(f, c.text) {
				return matchDirect
			}
		}
	case callerCanonicalUser:
		for _, f := range ps.canonical {
			if strings.EqualFold(f, c.text) {
				return matchDirect
			}
		}
	case callerAccount, callerUser, callerRoleSession, callerFederatedUser:
		for _, a := range ps.arns {
			if a == c.arn {
				return matchDirect
			}
		}
		if c.kind == callerRoleSession {
			for _, r := range ps.roles {
				if r.account == c.account && r.name == c.roleName {
					best = matchRole
				}
			}
		}
		if best == matchNone {
			for _, a := range ps.accounts {
				if a == c.account {
					if c.kind == callerAccount {
						return matchDirect
					}
					best = matchAccount
				}
			}
		}
	}
	return best
}

// names returns the principal values as written, for explanations.
func (ps *principalSet) names() string {
	if ps.src == nil {
		return ""
	}
	if ps.src.Wildcard {
		return `"*"`
	}
	var parts []string
	for _, e := range ps.src.Entries {
		parts = append(parts, e.Type+": "+strings.Join(e.Values.Texts(), ", "))
	}
	return strings.Join(parts, "; ")
}
