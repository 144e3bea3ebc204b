package lint

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/iamguard/iamguard/arn"
	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/policy"
)

// checkOrganisation: iamguard.yaml's forbidden actions and resource scopes.
func (ps *pass) checkOrganisation(si *stmtInfo) {
	if !si.allow {
		return
	}
	if !ps.l.forbidden.IsEmpty() {
		if si.set.Intersects(ps.l.forbidden) {
			hits := ps.tempSet()
			si.set.IntersectInto(hits, ps.l.forbidden)
			ps.reportGrant("FORBIDDEN_ACTION", si, *hits, fmt.Sprintf("%s: forbidden by the organisation (forbiddenActions: %s)", ps.names(*hits, 4), strings.Join(ps.l.forbiddenPattern, ", ")), "")
		}
	}
	if len(ps.l.scope) == 0 || si.s.Resource == nil {
		return
	}
	for i := range si.s.Resource.Values {
		v := &si.s.Resource.Values[i]
		if v.Text == "*" && !si.set.Intersects(ps.ix.resourceLevel) && !si.not {
			continue // the actions only accept "*"
		}
		inside := false
		for _, sc := range ps.l.scope {
			if arn.Covers(sc, v.Text) {
				inside = true
				break
			}
		}
		if !inside {
			ps.reportAt("RESOURCE_OUTSIDE_SCOPE", v, fmt.Sprintf("%q is outside the allowed resource scopes (%s)", v.Text, strings.Join(ps.l.scope, ", ")), fmt.Sprintf("Use a resource inside %s.", strings.Join(ps.l.scope, " or ")))
		}
	}
}

// normalizeWord lower-cases and drops everything but letters and digits.
func normalizeWord(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// serviceWords are the words that name a service: its prefix and its name
// without "AWS"/"Amazon" (both normalised).
func serviceWords(s *catalog.Service) (string, string) {
	name := s.Name
	for _, p := range []string{"AWS ", "Amazon "} {
		name = strings.TrimPrefix(name, p)
	}
	return normalizeWord(s.Prefix), normalizeWord(name)
}

func wordNamesService(word string, s *catalog.Service) bool {
	w := normalizeWord(word)
	prefix, name := serviceWords(s)
	return w == prefix || w == name || len(w) >= 3 && (strings.HasPrefix(name, w) || strings.HasPrefix(prefix, w))
}

// policyServices: the services the policy's Allow actions belong to, and
// the services it otherwise names (service principals, resource ARNs).
func (ps *pass) policyServices() (actions, others []*catalog.Service) {
	add := func(list *[]*catalog.Service, prefix string) {
		if s, ok := ps.cat.Service(prefix); ok && !slices.Contains(*list, s) {
			*list = append(*list, s)
		}
	}
	last := "" // actions of one service usually come together
	for _, si := range ps.stmts {
		if !si.allow || si.not {
			continue
		}
		for _, av := range si.acts {
			if p, _, ok := strings.Cut(av.v.Text, ":"); ok && p != last && !hasWildcard(p) {
				add(&actions, p)
				last = p
			}
		}
		if si.s.Principal != nil {
			for _, e := range si.s.Principal.Entries {
				if e.Type == "Service" {
					for _, v := range e.Values.Values {
						add(&others, strings.SplitN(v.Text, ".", 2)[0])
					}
				}
			}
		}
		if si.s.Resource != nil {
			for _, v := range si.s.Resource.Values {
				if svc, ok := arnServiceField(v.Text); ok {
					add(&others, svc)
				}
			}
		}
	}
	return actions, others
}

// arnServiceField is the third ':'-separated field of an ARN text ("arn",
// partition, service, more), when there are at least four.
func arnServiceField(t string) (string, bool) {
	rest, ok := strings.CutPrefix(t, "arn:")
	if !ok {
		return "", false
	}
	_, rest, ok = strings.Cut(rest, ":")
	if !ok {
		return "", false
	}
	svc, _, ok := strings.Cut(rest, ":")
	return svc, ok
}

// checkNaming: NAMING_CONVENTION and NAME_ACCESS_MISMATCH.
func (ps *pass) checkNaming() {
	l := ps.l
	name := ps.p.Name
	if l.naming == nil || name == "" || !ps.enabled("NAMING_CONVENTION", "NAME_ACCESS_MISMATCH") {
		return
	}
	actionSvcs, otherSvcs := ps.policyServices()
	m := l.naming.FindStringSubmatch(name)
	if m == nil {
		ps.report("NAMING_CONVENTION", ps.p.Pos, ps.p.Path, fmt.Sprintf("policy name %q does not follow the naming pattern %s", name, l.cfg.Naming.Pattern), ps.suggestName(actionSvcs))
		return
	}
	if g := l.namingGroup.service; g > 0 && len(actionSvcs) > 0 {
		word := m[g]
		fits := false
		for _, s := range append(slices.Clone(actionSvcs), otherSvcs...) {
			if wordNamesService(word, s) {
				fits = true
			}
		}
		if !fits && len(actionSvcs) > 1 {
			// A policy spanning services may be named after what it serves
			// (Engify-Lambda-Execution grants logs and secrets to a function).
			for _, s := range ps.cat.Services() {
				if wordNamesService(word, s) {
					fits = true
					break
				}
			}
		}
		if !fits {
			ps.report("NAMING_CONVENTION", ps.p.Pos, ps.p.Path, fmt.Sprintf("policy name %q says the service is %q, but the policy grants %s actions", name, word, servicePrefixes(actionSvcs)), ps.suggestName(actionSvcs))
		}
	}
	if g := l.namingGroup.actions; g > 0 {
		ps.checkNameAccess(m[g])
	}
}

func servicePrefixes(ss []*catalog.Service) string {
	var p []string
	for _, s := range ss {
		p = append(p, s.Prefix)
	}
	return strings.Join(p, ", ")
}

// serviceWord is how a policy name spells a service: "SES", "S3", "SecretsManager".
func serviceWord(s *catalog.Service) string {
	if len(s.Prefix) <= 3 {
		return strings.ToUpper(s.Prefix)
	}
	name := s.Name
	for _, p := range []string{"AWS ", "Amazon "} {
		name = strings.TrimPrefix(name, p)
	}
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		r, size := utf8.DecodeRuneInString(w)
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		b.WriteRune(r)
		b.WriteString(w[size:])
	}
	if out := normalizeKeepCase(b.String()); out != "" {
		return out
	}
	return s.Prefix
}

func normalizeKeepCase(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (ps *pass) suggestName(svcs []*catalog.Service) string {
	if len(svcs) == 0 {
		return ""
	}
	granted := ps.tempSet()
	for _, si := range ps.stmts {
		if si.allow {
			si.set.AddTo(granted)
		}
	}
	word := "ReadWrite"
	switch {
	case granted.IsEmpty():
	case granted.IsSubsetOf(ps.ix.readOrList):
		word = "ReadOnly"
	case ps.allSend(*granted):
		word = "SendOnly"
	}
	return ps.l.renameFix(serviceWord(svcs[0]), word)
}

// sendOnly returns the Send* and Publish* actions of set. It is asked of
// the actions a policy grants rather than kept for the whole catalog:
// telling them apart takes names, and names are decoded per service.
func (ps *pass) sendOnly(set catalog.ActionSet) catalog.ActionSet {
	out := ps.tempSet()
	for id := range set.All() {
		if isSendName(ps.cat.ActionByID(id).Name) {
			out.Add(id)
		}
	}
	return *out
}

// isSendName reports whether an action name is a Send* or Publish* one.
func isSendName(name string) bool {
	return strings.HasPrefix(name, "Send") || strings.HasPrefix(name, "Publish")
}

// allSend reports whether every action of set is a Send* or Publish*
// action, stopping at the first that is not.
func (ps *pass) allSend(set catalog.ActionSet) bool {
	for id := range set.All() {
		if !isSendName(ps.cat.ActionByID(id).Name) {
			return false
		}
	}
	return true
}

// allowedActions is the union of the actions the Allow statements name
// with Action (NotAction statements are judged on their own).
func (ps *pass) allowedActions() catalog.ActionSet {
	set := ps.tempSet()
	for _, si := range ps.stmts {
		if !si.allow || si.not {
			continue
		}
		for i := range si.acts {
			if av := &si.acts[i]; av.ok {
				if av.wildcard {
					set.UnionWith(av.set)
				} else {
					set.Add(av.id)
				}
			}
		}
	}
	return *set
}

// renameFix is the NAMING_CONVENTION fix for a service word and an access word.
func (l *Linter) renameFix(service, word string) string {
	return fmt.Sprintf("Rename the policy, e.g. %q.", l.cfg.PolicyName(service, word))
}

// nameAccessRules: what an Actions word promises, as the set of actions it
// allows (normalised words).
func (ps *pass) allowedByWord(word string) (catalog.ActionSet, string, bool) {
	switch normalizeWord(word) {
	case "readonly", "read", "readaccess", "readonlyaccess", "viewer", "view", "viewonly", "list", "listonly", "describe", "audit":
		return ps.ix.readOrList, "reads (List and Read access levels)", true
	case "sendonly", "send", "publish", "publishonly", "notify":
		return ps.sendOnly(ps.allowedActions()), "sends (Send* and Publish* actions)", true
	case "readwrite":
		return ps.ix.notPermissionsMgmt, "reads and writes, without permissions management", true
	}
	return catalog.ActionSet{}, "", false
}

func (ps *pass) checkNameAccess(word string) {
	allowed, promise, ok := ps.allowedByWord(word)
	if !ok {
		return
	}
	for _, si := range ps.stmts {
		if !si.allow {
			continue
		}
		if si.not {
			el := si.s.NotAction
			ps.report("NAME_ACCESS_MISMATCH", el.Pos, el.Path, fmt.Sprintf("the name %q says %q (%s), but NotAction grants almost every action", ps.p.Name, word, promise), "")
			continue
		}
		for i := range si.acts {
			av := &si.acts[i]
			if !av.ok {
				continue
			}
			if av.wildcard && av.set.IsSubsetOf(allowed) || !av.wildcard && allowed.Has(av.id) {
				continue
			}
			extra := ps.tempSet()
			if av.wildcard {
				extra.CopyFrom(av.set)
				extra.DifferenceWith(allowed)
			} else {
				extra.Add(av.id)
			}
			first, _ := extra.First()
			a := ps.cat.ActionByID(first)
			levels := make([]string, len(a.AccessLevels))
			for i, lv := range a.AccessLevels {
				levels[i] = string(lv)
			}
			ps.reportAt("NAME_ACCESS_MISMATCH", av.v, fmt.Sprintf("the name %q says %q (%s), but %q grants %s (%s)", ps.p.Name, word, promise, av.v.Text, ps.names(*extra, 3), strings.Join(levels, ", ")), fmt.Sprintf("Remove %q, or rename the policy to say what it does.", av.v.Text))
		}
	}
}

// checkRedundantStatements: a statement whose every action and resource is
// already covered by another statement with the same effect, principal and
// condition.
func (ps *pass) checkRedundantStatements() {
	if len(ps.stmts) < 2 || !ps.enabled("REDUNDANT_STATEMENT") {
		return
	}
	keys := make([]string, len(ps.stmts))
	for i, si := range ps.stmts {
		if si.not || si.s.Resource == nil || si.s.Effect == nil || si.set.IsEmpty() || si.s.NotPrincipal != nil {
			continue
		}
		keys[i] = si.s.Effect.Text + "|" + principalKey(si.s.Principal) + "|" + conditionKeyText(si.s.Condition)
	}
	for i, a := range ps.stmts {
		if keys[i] == "" {
			continue
		}
		for j, b := range ps.stmts {
			if i == j || keys[j] != keys[i] || !a.set.SubsetOf(&b.set) || !resourcesCovered(b.s.Resource, a.s.Resource) {
				continue
			}
			if b.set.SubsetOf(&a.set) && resourcesCovered(a.s.Resource, b.s.Resource) && j > i {
				continue // identical: the later one is redundant
			}
			ps.reportStmt("REDUNDANT_STATEMENT", a, fmt.Sprintf("everything this statement covers is already covered by the statement at line %d", b.s.Pos.Line), "Remove this statement.")
			break
		}
	}
}

func resourcesCovered(by, l *policy.List) bool {
	for _, v := range l.Values {
		ok := false
		for _, w := range by.Values {
			if arn.Covers(w.Text, v.Text) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func principalKey(p *policy.Principal) string {
	if p == nil {
		return ""
	}
	if p.Wildcard {
		return "*"
	}
	var parts []string
	for _, e := range p.Entries {
		vals := e.Values.Texts()
		slices.Sort(vals)
		parts = append(parts, e.Type+"="+strings.Join(vals, ","))
	}
	slices.Sort(parts)
	return strings.Join(parts, ";")
}

func conditionKeyText(c *policy.Condition) string {
	if c == nil {
		return ""
	}
	var parts []string
	for _, b := range c.Blocks {
		for _, e := range b.Entries {
			vals := e.Values.Texts()
			slices.Sort(vals)
			parts = append(parts, strings.ToLower(b.Operator.Text)+":"+strings.ToLower(e.Key.Text)+"="+strings.Join(vals, ","))
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ";")
}
