package lint

import (
	"fmt"
	"strings"

	"github.com/iamguard/iamguard/policy"
)

// checkDocument: Version and Statement.
func (ps *pass) checkDocument() {
	p := ps.p
	if p.Pos.Line == 0 {
		return // not an object: the decoder's POLICY_NOT_OBJECT says so
	}
	switch {
	case p.Version == nil:
		ps.report("MISSING_VERSION", p.Pos, p.Path, `the policy has no "Version": IAM reads it as "2008-10-17", where policy variables are plain text`, "")
	case p.Version.Type == policy.TypeString && !policy.IsKnownVersion(p.Version.Text):
		ps.reportAt("INVALID_VERSION", p.Version, fmt.Sprintf("Version %q is not a policy language version: use %q", p.Version.Text, policy.Version2012), "")
	}
	if !p.StatementPresent {
		ps.report("MISSING_STATEMENT", p.Pos, p.Path, `the policy has no "Statement" element`, "")
	} else if p.StatementIsArray && len(p.Statements) == 0 && !ps.hasProblemAt(p.Path+"Statement") {
		ps.report("MISSING_STATEMENT", p.StatementPos, p.Path+"Statement", `"Statement" is an empty array`, "")
	}
}

func (ps *pass) hasProblemAt(path string) bool {
	for _, pr := range ps.p.Problems {
		if pathHasPrefix(pr.Path, path) {
			return true
		}
	}
	return false
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// checkSids: unique, non-empty, alphanumeric where the kind requires it.
func (ps *pass) checkSids() {
	first := map[string]*policy.Value{}
	for _, si := range ps.stmts {
		sid := si.s.Sid
		if sid == nil || sid.Type != policy.TypeString {
			continue
		}
		if sid.Text == "" {
			ps.reportAt("EMPTY_SID_VALUE", sid, "the Sid is empty", "")
			continue
		}
		if prev, dup := first[sid.Text]; dup {
			ps.reportAt("UNIQUE_SIDS_REQUIRED", sid, fmt.Sprintf("Sid %q is already used by the statement at line %d", sid.Text, prev.Pos.Line), "")
		} else {
			first[sid.Text] = sid
		}
		if !isAlnum(sid.Text) {
			ps.reportAt("UNSUPPORTED_SID", sid, fmt.Sprintf("Sid %q holds characters other than letters and digits", sid.Text), fmt.Sprintf("Write it as %q.", alnumOnly(sid.Text)))
		}
	}
}

func alnumOnly(s string) string {
	var b strings.Builder
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			if upper && c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			b.WriteByte(c)
			upper = false
		} else {
			upper = true
		}
	}
	return b.String()
}

// checkStatementShape: the required elements and empty lists.
func (ps *pass) checkStatementShape(si *stmtInfo) {
	s := si.s
	switch {
	case s.Effect == nil:
		ps.reportStmt("MISSING_EFFECT", si, "the statement has no Effect", "")
	case s.Effect.Type == policy.TypeString && !si.allow && !si.deny:
		fix := ""
		if strings.EqualFold(s.Effect.Text, "allow") || strings.EqualFold(s.Effect.Text, "deny") {
			fix = fmt.Sprintf("Write %q: Effect is case-sensitive.", strings.ToUpper(s.Effect.Text[:1])+strings.ToLower(s.Effect.Text[1:]))
		}
		ps.reportAt("INVALID_EFFECT", s.Effect, fmt.Sprintf("Effect %q is neither \"Allow\" nor \"Deny\"", s.Effect.Text), fix)
	}
	if s.Action == nil && s.NotAction == nil {
		ps.reportStmt("MISSING_ACTION", si, "the statement has no Action or NotAction", "")
	}
	if s.Resource == nil && s.NotResource == nil {
		ps.reportStmt("MISSING_RESOURCE", si, "the statement has no Resource or NotResource", "")
	}
	if s.Principal == nil && s.NotPrincipal == nil {
		ps.reportStmt("MISSING_PRINCIPAL", si, fmt.Sprintf("%s policy statement needs a Principal", withArticle(kindName(ps.kind))), "")
	}
	ps.emptyList("EMPTY_ARRAY_ACTION", s.Action, "Action")
	ps.emptyList("EMPTY_ARRAY_NOT_ACTION", s.NotAction, "NotAction")
	ps.emptyList("EMPTY_ARRAY_RESOURCE", s.Resource, "Resource")
	ps.emptyList("EMPTY_ARRAY_NOT_RESOURCE", s.NotResource, "NotResource")
	for _, pr := range []*policy.Principal{s.Principal, s.NotPrincipal} {
		if pr == nil || pr.Wildcard || ps.hasProblemAt(pr.Path) && len(pr.Entries) == 0 {
			continue
		}
		if len(pr.Entries) == 0 {
			ps.report("EMPTY_OBJECT_PRINCIPAL", pr.Pos, pr.Path, "the principal object is empty: it names nobody", "")
		}
		for i := range pr.Entries {
			e := &pr.Entries[i]
			if e.Values.IsArray && len(e.Values.Values) == 0 && !ps.hasProblemAt(e.Values.Path+"[") {
				ps.report("EMPTY_ARRAY_PRINCIPAL", e.Values.Pos, e.Values.Path, fmt.Sprintf("the %s principal list is empty", e.Type), "")
			}
		}
	}
	if c := s.Condition; c != nil && len(c.Blocks) == 0 && !ps.hasProblemAt(c.Path) {
		ps.report("EMPTY_OBJECT_CONDITION", c.Pos, c.Path, "the Condition object is empty", "")
	}
}

func (ps *pass) emptyList(code string, l *policy.List, name string) {
	if l == nil || !l.IsArray || len(l.Values) > 0 || ps.hasProblemAt(l.Path+"[") {
		return
	}
	ps.report(code, l.Pos, l.Path, fmt.Sprintf("%s is an empty array", name), "")
}

func kindName(k policy.Kind) string {
	switch k {
	case policy.KindIdentity:
		return "identity"
	case policy.KindResource:
		return "resource-based"
	case policy.KindTrust:
		return "role trust"
	case policy.KindSCP:
		return "service control"
	case policy.KindRCP:
		return "resource control"
	case policy.KindSession:
		return "session"
	case policy.KindBoundary:
		return "permissions boundary"
	}
	return string(k)
}

func withArticle(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// checkKindRules: elements and effects a kind of policy does not accept.
func (ps *pass) checkKindRules(si *stmtInfo) {
	s := si.s
	for _, pr := range []*policy.Principal{s.Principal, s.NotPrincipal} {
		if pr == nil {
			continue
		}
		name := "Principal"
		if pr == s.NotPrincipal {
			name = "NotPrincipal"
		}
		switch ps.kind {
		case policy.KindIdentity, policy.KindSession, policy.KindBoundary:
			ps.report("UNSUPPORTED_PRINCIPAL", pr.Pos, pr.Path, fmt.Sprintf("%s is not supported in %s policy", name, withArticle(kindName(ps.kind))), "")
		case policy.KindSCP:
			ps.report("SCP_SYNTAX_ERROR_PRINCIPAL", pr.Pos, pr.Path, fmt.Sprintf("%s is not supported in a service control policy", name), "")
		case policy.KindRCP:
			if pr == s.NotPrincipal || !principalIsStar(pr) {
				ps.report("RCP_SYNTAX_ERROR_PRINCIPAL", pr.Pos, pr.Path, fmt.Sprintf(`%s must be "Principal": "*" in a resource control policy`, name), "")
			}
		}
	}
	switch ps.kind {
	case policy.KindRCP:
		if si.allow && !isRCPFullAccess(s) {
			ps.reportAt("RCP_SYNTAX_ERROR_ALLOW", s.Effect, "a resource control policy statement can only Deny (Allow is reserved for RCPFullAWSAccess)", "")
		}
		for i := range si.acts {
			av := &si.acts[i]
			prefix, _, ok := strings.Cut(av.v.Text, ":")
			if !ok || strings.ContainsAny(prefix, "*?") || av.err != nil {
				continue
			}
			if !ps.ix.rcpServices[strings.ToLower(prefix)] {
				ps.reportAt("RCP_UNSUPPORTED_SERVICE", av.v, fmt.Sprintf("resource control policies do not support %s actions", prefix), "")
			}
		}
	case policy.KindTrust:
		for _, l := range []*policy.List{s.Resource, s.NotResource} {
			if l != nil {
				ps.report("UNSUPPORTED_RESOURCE_IN_TRUST_POLICY", l.Pos, l.Path, "a role trust policy cannot have Resource or NotResource", "")
			}
		}
		if !si.not {
			for i := range si.acts {
				av := &si.acts[i]
				if !av.ok {
					continue
				}
				var extra bool
				if av.wildcard {
					extra = !av.set.IsSubsetOf(ps.ix.trustActions)
				} else {
					extra = !ps.ix.trustActions.Has(av.id)
				}
				if extra {
					ps.reportAt("UNSUPPORTED_ACTION_IN_POLICY", av.v, fmt.Sprintf("%s is not an action a role trust policy can grant", av.v.Text), "")
				}
			}
		}
	}
}

func principalIsStar(pr *policy.Principal) bool {
	if pr.Wildcard {
		return true
	}
	return len(pr.Entries) == 1 && pr.Entries[0].Type == "AWS" && len(pr.Entries[0].Values.Values) == 1 && pr.Entries[0].Values.Values[0].Text == "*"
}

// isRCPFullAccess recognises RCPFullAWSAccess: Allow * on * to "*", no condition.
func isRCPFullAccess(s *policy.Statement) bool {
	one := func(l *policy.List) bool { return l != nil && len(l.Values) == 1 && l.Values[0].Text == "*" }
	return s.Principal != nil && principalIsStar(s.Principal) && one(s.Action) && one(s.Resource) && s.Condition == nil
}

// checkVariables: policy variables need Version 2012-10-17 and only work in
// Resource, NotResource and condition values.
func (ps *pass) checkVariables(si *stmtInfo) {
	s := si.s
	oldVersion := ps.p.Version == nil || ps.p.Version.Text != policy.Version2012
	varIn := func(l *policy.List) {
		if l == nil || !oldVersion {
			return
		}
		for i := range l.Values {
			if strings.Contains(l.Values[i].Text, "${") {
				ps.reportAt("VARIABLE_UNSUPPORTED_IN_VERSION", &l.Values[i], fmt.Sprintf("the policy variable in %q is plain text unless the policy has Version %q", l.Values[i].Text, policy.Version2012), "")
			}
		}
	}
	varIn(s.Resource)
	varIn(s.NotResource)
	if s.Condition != nil {
		for _, b := range s.Condition.Blocks {
			for j := range b.Entries {
				e := &b.Entries[j]
				varIn(&e.Values)
			}
		}
	}
	notHere := func(v *policy.Value, element string) {
		if strings.Contains(v.Text, "${") {
			ps.reportAt("VARIABLE_UNSUPPORTED_IN_ELEMENT", v, fmt.Sprintf("policy variables are not supported in %s", element), "")
		}
	}
	for _, l := range []*policy.List{s.Action, s.NotAction} {
		if l != nil {
			for i := range l.Values {
				notHere(&l.Values[i], "Action or NotAction")
			}
		}
	}
	for _, pr := range []*policy.Principal{s.Principal, s.NotPrincipal} {
		if pr == nil {
			continue
		}
		for i := range pr.Entries {
			for j := range pr.Entries[i].Values.Values {
				notHere(&pr.Entries[i].Values.Values[j], "Principal")
			}
		}
	}
	if s.Effect != nil {
		notHere(s.Effect, "Effect")
	}
}
