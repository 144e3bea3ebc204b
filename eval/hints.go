package eval

import (
	"fmt"
	"strings"

	"github.com/iamguard/iamguard/arn"
)

// hints automates the "Access Denied" troubleshooting list people keep by
// hand: a resource ARN that almost matches (and which part differs: the
// region, the account, the case, Secrets Manager's random suffix), a
// missing trust policy, and a policy that is not attached at all.
func (x *explainer) hints() {
	if x.res.Decision != ImplicitDeny {
		return
	}
	e, r, ps := x.e, x.r, x.ps
	add := func(format string, args ...any) { e.Hints = append(e.Hints, fmt.Sprintf(format, args...)) }

	var pols []*boundPolicy
	switch x.res.Missing {
	case IdentityPolicy:
		pols = ps.identity
	case PermissionsBoundary:
		pols = []*boundPolicy{ps.boundary}
	case SessionPolicy:
		pols = []*boundPolicy{ps.session}
	case ServiceControlPolicy:
		pols = ps.scps[x.res.MissingLevel]
	case ResourcePolicy:
		if ps.resource != nil {
			pols = []*boundPolicy{ps.resource}
		}
	}
	if x.res.Missing == IdentityPolicy && len(ps.identity) == 0 && r.caller.kind != callerAccount {
		switch r.caller.kind {
		case callerRoleSession:
			add("No identity policy is attached to the role %s: check that the policy is attached to the role (aws iam list-attached-role-policies / list-role-policies) and that the function or task really runs as this role.", r.caller.roleARN)
		default:
			add("No identity policy is attached to %s: check the attachments of the user and of its groups.", r.caller.text)
		}
	}
	if x.res.Missing == ResourcePolicy && isTrustAction(r.actionLC) {
		if ps.resource == nil {
			add("Missing trust: give the role's trust policy (trustPolicy) — a role can only be assumed by the principals its trust policy names.")
		} else {
			add("Check the trust policy's Principal: it must name %s (for a service such as Lambda or ECS, its service principal, e.g. lambda.amazonaws.com).", x.fixPrincipalText())
		}
	}

	// Statements that grant the action but not on this resource.
	best, bestScore := "", -1
	var bestDiff string
	var conditionMiss *StatementTrace
	for _, b := range pols {
		pt := x.traces[b]
		for i := range pt.Statements {
			st := &pt.Statements[i]
			cs := &b.c.stmts[i]
			if cs.deny {
				continue
			}
			if st.Failed == "condition" && conditionMiss == nil {
				conditionMiss = st
			}
			if st.Failed != "resource" || cs.notResource {
				continue
			}
			for _, rp := range cs.resources {
				text := rp.text
				if rp.p.hasVars {
					text = rp.p.substitute(r)
				}
				score, diff := compareARN(text, r.resource.s)
				if score > bestScore {
					best, bestScore, bestDiff = rp.text, score, diff
				}
			}
		}
	}
	if best != "" {
		add("Resource ARN mismatch: the closest pattern is %q; %s.", best, bestDiff)
	}
	if conditionMiss != nil {
		add("%s allows the action but its condition fails: %s.", conditionMiss.Where(), conditionMiss.Reason)
	}
}

func (x *explainer) fixPrincipalText() string {
	for k, v := range x.fixPrincipal() {
		return k + " " + v
	}
	return x.r.caller.text
}

// arnSegmentNames name the six parts of an ARN.
func arnSegmentName(i int) string {
	switch i {
	case 1:
		return "partition"
	case 2:
		return "service"
	case 3:
		return "region"
	case 4:
		return "account"
	case 5:
		return "resource"
	}
	return "prefix"
}

// compareARN scores how close a resource pattern comes to an ARN (matching
// segments first, then the common prefix) and says where they differ.
func compareARN(pattern, value string) (int, string) {
	ps := splitARNText(pattern, false)
	vs := splitARNText(value, false)
	score := 0
	diff := ""
	for i := 0; i < len(ps) && i < len(vs); i++ {
		pseg, vseg := ps[i], vs[i]
		if i == len(ps)-1 && len(vs) > len(ps) {
			vseg = strings.Join(vs[i:], ":")
		}
		if arn.CompileResource(pseg).Match(vseg) {
			score += 1000
			continue
		}
		if diff == "" {
			diff = segmentDiff(i, pseg, vseg)
		}
	}
	if diff == "" {
		diff = "the patterns differ in shape"
	}
	return score + commonPrefix(pattern, value), diff
}

func segmentDiff(i int, pseg, vseg string) string {
	name := arnSegmentName(i)
	switch {
	case strings.EqualFold(pseg, vseg) || arn.CompileAction(pseg).Match(vseg):
		return fmt.Sprintf("the %s differs only in case (%q vs %q): ARNs are case-sensitive", name, pseg, vseg)
	case i == 3:
		return fmt.Sprintf("region mismatch: the policy allows %s, the request is in %s", pseg, vseg)
	case i == 4:
		return fmt.Sprintf("account mismatch: the policy allows account %s, the resource is in %s", pseg, vseg)
	case i == 5 && strings.Contains(vseg, "secret:") && !strings.ContainsAny(pseg, "*?") && strings.HasPrefix(vseg, pseg+"-") && len(vseg) == len(pseg)+7:
		return fmt.Sprintf("Secrets Manager adds a 6-character suffix to secret ARNs: end the pattern with \"-??????\" or \"*\" (%q vs %q)", pseg, vseg)
	}
	return fmt.Sprintf("the %s differs: the policy has %q, the request %q", name, pseg, vseg)
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
