package lint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/policy"
)

// isServiceWildcard: "ses:*", "secretsmanager:**".
func isServiceWildcard(t string) bool {
	prefix, act, ok := strings.Cut(t, ":")
	return ok && prefix != "" && !hasWildcard(prefix) && act != "" && strings.Trim(act, "*") == ""
}

func isAllActions(t string) bool { return t != "" && strings.Trim(t, "*") == "" || t == "*:*" }

// names lists up to n action names of a set, with "and N more".
func (ps *pass) names(s catalog.ActionSet, n int) string {
	var b strings.Builder
	i := 0
	for id := range s.All() {
		if i == n {
			b.WriteString(" and ")
			b.WriteString(strconv.Itoa(s.Len() - n))
			b.WriteString(" more")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		a := ps.cat.ActionByID(id)
		b.WriteString(a.Service.Prefix)
		b.WriteByte(':')
		b.WriteString(a.Name)
		i++
	}
	return b.String()
}

// valueGranting returns the first Action value granting any action of s.
func (si *stmtInfo) valueGranting(s catalog.ActionSet) *policy.Value {
	if si.not {
		return nil
	}
	for i := range si.acts {
		av := &si.acts[i]
		if !av.ok {
			continue
		}
		if av.wildcard && av.set.Intersects(s) || !av.wildcard && s.Has(av.id) {
			return av.v
		}
	}
	return nil
}

// reportGrant reports at the value granting set s, else at the statement's
// action element.
func (ps *pass) reportGrant(code string, si *stmtInfo, s catalog.ActionSet, msg, fix string) {
	if v := si.valueGranting(s); v != nil {
		ps.reportAt(code, v, msg, fix)
		return
	}
	if el := si.actionsElement(); el != nil {
		ps.report(code, el.Pos, el.Path, msg, fix)
		return
	}
	ps.reportStmt(code, si, msg, fix)
}

// scopesResources: a condition that narrows which resources a statement
// applies to (tags, resource account, or a service's own keys).
func (si *stmtInfo) scopesResources() bool {
	if si.s.Condition == nil {
		return false
	}
	for _, b := range si.s.Condition.Blocks {
		for _, e := range b.Entries {
			k := strings.ToLower(e.Key.Text)
			if !strings.HasPrefix(k, "aws:") || strings.HasPrefix(k, "aws:resourcetag/") || k == "aws:resourceaccount" || k == "aws:resourceorgid" || k == "aws:resourceorgpaths" {
				return true
			}
		}
	}
	return false
}

func (si *stmtInfo) hasConditionKey(keys ...string) bool {
	if si.s.Condition == nil {
		return false
	}
	for _, b := range si.s.Condition.Blocks {
		for _, e := range b.Entries {
			for _, k := range keys {
				if strings.EqualFold(e.Key.Text, k) {
					return true
				}
			}
		}
	}
	return false
}

// checkGrants: what an Allow statement lets the principal do.
func (ps *pass) checkGrants(si *stmtInfo) {
	if !si.allow {
		return
	}
	s := si.s
	if si.not {
		ps.report("ALLOW_WITH_NOTACTION", s.NotAction.Pos, s.NotAction.Path, "Allow with NotAction grants every action not listed, in every service, including actions AWS adds later", "")
	}
	if s.NotResource != nil {
		ps.report("ALLOW_WITH_NOTRESOURCE", s.NotResource.Pos, s.NotResource.Path, "Allow with NotResource grants access to every resource not listed, including resources created later", "")
	}
	fullAdmin := false
	if !si.not && si.starResource {
		for i := range si.acts {
			if isAllActions(si.acts[i].v.Text) {
				ps.reportAt("FULL_ADMIN_ACCESS", si.acts[i].v, `"Action": "*" with "Resource": "*" grants every action on every resource (full administrator access)`, "")
				fullAdmin = true
				break
			}
		}
	}
	if fullAdmin {
		si.fullAdmin = true
	}
	if !fullAdmin {
		ps.checkPassRole(si)
	}
	for i := range si.acts {
		av := &si.acts[i]
		if si.not || !av.ok || fullAdmin {
			break
		}
		switch {
		case isServiceWildcard(av.v.Text):
			ps.reportAt("SERVICE_WILDCARD", av.v, ps.describeServiceWildcard(av), ps.serviceWildcardFix(av))
		case isAllActions(av.v.Text):
			ps.reportAt("SERVICE_WILDCARD", av.v, fmt.Sprintf("%q grants every action of every AWS service on the statement's resources", av.v.Text), "")
		}
	}
	if fullAdmin || si.not {
		return
	}
	ps.checkResourceWildcard(si)
	if !si.unconstrained() {
		return
	}
	if si.set.Intersects(ps.ix.dataRead) && ps.enabled("DATA_EXFILTRATION") {
		hits := ps.tempSet()
		si.set.IntersectInto(hits, ps.ix.dataRead)
		ps.reportGrant("DATA_EXFILTRATION", si, *hits, fmt.Sprintf("%s on every resource, with no condition: the principal can read every object, secret or record of these services", ps.names(*hits, 4)), "")
	}
	if si.set.Intersects(ps.ix.permissionsMgmt) && ps.enabled("PERMISSIONS_MANAGEMENT") {
		hits := ps.tempSet()
		si.set.IntersectInto(hits, ps.ix.permissionsMgmt)
		ps.reportGrant("PERMISSIONS_MANAGEMENT", si, *hits, fmt.Sprintf("%s: permissions-management actions on every resource, with no condition", ps.names(*hits, 4)), "")
	}
	if si.set.Intersects(ps.ix.credentialsResourceLevel) && ps.enabled("CREDENTIALS_EXPOSURE") {
		hits := ps.tempSet()
		si.set.IntersectInto(hits, ps.ix.credentialsResourceLevel)
		ps.reportGrant("CREDENTIALS_EXPOSURE", si, *hits, fmt.Sprintf("%s on every resource: these return credentials or passwords of other users, instances or clusters", ps.names(*hits, 4)), "")
	}
}

func (ps *pass) describeServiceWildcard(av *actionValue) string {
	n := av.set.Len()
	msg := fmt.Sprintf("%q grants all %d actions of the service", av.v.Text, n)
	var risky []string
	for id := range av.set.All() {
		if ps.ix.permissionsMgmt.Has(id) {
			risky = append(risky, ps.cat.ActionByID(id).FullName())
			break
		}
	}
	for id := range av.set.All() {
		if a := ps.cat.ActionByID(id); strings.HasPrefix(a.Name, "Delete") && (len(risky) == 0 || risky[0] != a.FullName()) {
			risky = append(risky, a.FullName())
			break
		}
	}
	if len(risky) > 0 {
		msg += ", including " + strings.Join(risky, " and ")
	}
	return msg
}

// serviceWildcardFix names a few read actions of the service as a start.
func (ps *pass) serviceWildcardFix(av *actionValue) string {
	if !av.set.Intersects(ps.ix.readOrList) {
		return fmt.Sprintf("Replace %q with the actions the workload needs.", av.v.Text)
	}
	reads := ps.tempSet()
	reads.CopyFrom(av.set)
	reads.IntersectWith(ps.ix.readOrList)
	return fmt.Sprintf("Replace %q with the actions the workload needs (for reading: %s).", av.v.Text, ps.names(*reads, 3))
}

// checkPassRole: iam:PassRole on every role (Access Analyzer's six variants).
func (ps *pass) checkPassRole(si *stmtInfo) {
	if ps.ix.passRole < 0 || !si.set.Has(ps.ix.passRole) || si.hasConditionKey("iam:PassedToService", "iam:AssociatedResourceArn") {
		return
	}
	var where *policy.Value
	star := false
	if si.s.Resource != nil {
		for i := range si.s.Resource.Values {
			v := &si.s.Resource.Values[i]
			if v.Text == "*" || coversWholeType(v.Text, "iam", "role") {
				where, star = v, true
				break
			}
		}
	}
	notRes := si.s.NotResource != nil
	if !star && !notRes {
		return
	}
	var code string
	av := si.firstValueWith(ps.ix.passRole)
	switch {
	case si.not && star:
		code = "PASS_ROLE_WITH_NOT_ACTION_AND_STAR_IN_RESOURCE"
	case si.not:
		code = "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE"
	case av != nil && av.wildcard && star:
		code = "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE"
	case av != nil && av.wildcard:
		code = "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE"
	case star:
		code = "PASS_ROLE_WITH_STAR_IN_RESOURCE"
	default:
		code = "PASS_ROLE_WITH_NOT_RESOURCE"
	}
	msg := "the statement grants iam:PassRole on every role: the principal can give any role, administrators included, to a service it controls"
	if notRes {
		msg = "the statement grants iam:PassRole with NotResource: every role except those listed can be passed"
	}
	switch {
	case av != nil:
		ps.reportAt(code, av.v, msg, "")
	case where != nil:
		ps.reportAt(code, where, msg, "")
	default:
		ps.report(code, si.s.NotAction.Pos, si.s.NotAction.Path, msg, "")
	}
}

// coversWholeType: an ARN pattern naming every resource of one type of a
// service, in any account ("arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/*").
func coversWholeType(t, svc, typ string) bool {
	a := splitARN(t, 6)
	f := a.f[:a.n]
	if len(f) < 6 || f[0] != "arn" || f[2] != svc && f[2] != "*" {
		return false
	}
	res := strings.TrimRight(f[5], "*")
	return res == "" || res == typ+"/" || res == typ+":"
}

// checkResourceWildcard: "*" (or a whole-service pattern) for actions that
// support resource-level permissions.
func (ps *pass) checkResourceWildcard(si *stmtInfo) {
	if si.s.Resource == nil || !ps.enabled("RESOURCE_WILDCARD") || si.scopesResources() {
		return
	}
	for i := range si.s.Resource.Values {
		v := &si.s.Resource.Values[i]
		var resourceLevel catalog.ActionSet
		switch {
		case v.Text == "*":
			resourceLevel = ps.ix.resourceLevelNotExempt
		case ps.ix.coversWholeService(v.Text):
			resourceLevel = ps.ix.resourceLevel
		default:
			continue
		}
		if !si.set.Intersects(resourceLevel) {
			continue
		}
		scoped := ps.tempSet()
		si.set.IntersectInto(scoped, resourceLevel)
		what := "every resource"
		if v.Text != "*" {
			what = "every resource of the service in every account"
		}
		ps.reportAt("RESOURCE_WILDCARD", v, fmt.Sprintf("%q grants %s on %s, though they support resource-level permissions", v.Text, ps.names(*scoped, 3), what), ps.scopedFix(*scoped, v.Text))
	}
}

// scopedFix proposes resource patterns for the actions, from the catalog's
// ARN templates with the configured region, account and name prefix.
func (ps *pass) scopedFix(s catalog.ActionSet, current string) string {
	cfg := ps.l.cfg
	svcFilter := ""
	if f := splitARN(current, 4); f.n >= 3 && f.f[0] == "arn" {
		svcFilter = "arn:${Partition}:" + f.f[2] + ":"
	}
	var out []string
	// Many actions share a resource type: templates already tried are
	// skipped before the (allocating) replacement.
	// Actions come service by service (ActionID order), and an action only
	// names its own service's types: once every type of the current
	// service is tried, its remaining actions are skipped.
	var tried [64]*catalog.ResourceType
	ntried := 0
	var svc *catalog.Service
	svcTried := 0
	for id := range s.All() {
		if len(out) == 3 {
			break
		}
		a := ps.cat.ActionByID(id)
		if a.Service != svc {
			svc, svcTried = a.Service, 0
		} else if svcTried == len(svc.ResourceTypes) {
			continue
		}
		for _, r := range a.Resources {
			if r.Type == nil || !r.Required && len(a.Resources) > 1 && seenRequired(a) {
				continue
			}
			if slices.Contains(tried[:ntried], r.Type) {
				continue
			}
			if ntried < len(tried) {
				tried[ntried] = r.Type
				ntried++
				if r.Type.Service == svc {
					svcTried++
				}
			}
			for _, t := range r.Type.ARNTemplates {
				if svcFilter != "" && !strings.HasPrefix(t, svcFilter) {
					continue
				}
				if p, ok := cfg.Scope.Prefixes[a.Service.Prefix]; ok && p != "" {
					t = p
				} else {
					t = ps.l.fillTemplate(t)
				}
				if len(out) < 3 && !slices.Contains(out, t) {
					out = append(out, t)
				}
			}
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "Scope the resources, e.g. " + strings.Join(out, ", ") + " (fill in the ${...} parts with your names; a trailing * for a name prefix)."
}

func seenRequired(a *catalog.Action) bool {
	for _, r := range a.Resources {
		if r.Required && r.Type != nil {
			return true
		}
	}
	return false
}

// checkEscalation: the published privilege-escalation paths, over the
// actions the policy grants without constraint.
func (ps *pass) checkEscalation() {
	if !ps.enabled("PRIVILEGE_ESCALATION") {
		return
	}
	granted := ps.tempSet()
	var grants []*stmtInfo
	for _, si := range ps.stmts {
		if si.fullAdmin {
			return // FULL_ADMIN_ACCESS already says everything
		}
		if si.allow && !si.hasCondition && (si.broad || si.typeWide()) {
			si.set.AddTo(granted)
			grants = append(grants, si)
		}
	}
	if granted.IsEmpty() {
		return
	}
	for _, path := range ps.ix.escalations {
		var names []string
		ok := true
		for _, step := range path.steps {
			found := false
			for _, id := range step {
				if granted.Has(id) {
					names = append(names, ps.cat.ActionByID(id).FullName())
					found = true
					break
				}
			}
			if !found {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		first := path.steps[0]
		for _, si := range grants {
			if !si.set.Has(first[0]) {
				continue
			}
			msg := fmt.Sprintf("%s (%s): unconstrained, these let the principal raise its own privileges", strings.Join(names, " + "), path.name)
			if av := si.firstValueWith(first[0]); av != nil {
				ps.reportAt("PRIVILEGE_ESCALATION", av.v, msg, "")
			} else if el := si.actionsElement(); el != nil {
				ps.report("PRIVILEGE_ESCALATION", el.Pos, el.Path, msg, "")
			}
			break
		}
	}
}

// typeWide: some Resource value names every resource of a type within one
// account ("arn:aws:iam::123456789012:policy/*"): as broad as "*" for
// escalation.
func (si *stmtInfo) typeWide() bool {
	if si.s.Resource == nil {
		return false
	}
	for _, v := range si.s.Resource.Values {
		a := splitARN(v.Text, 6)
		f := a.f[:a.n]
		if len(f) < 6 {
			continue
		}
		res := strings.TrimRight(f[5], "*")
		if res == "" || (strings.HasSuffix(res, "/") || strings.HasSuffix(res, ":")) && !strings.ContainsAny(res[:len(res)-1], "/:*?") {
			return true
		}
	}
	return false
}
