package lint

import (
	"strings"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/policy"
)

// pass is the state of linting one policy: the statements compiled once
// (action patterns to ActionSets, resource breadth) and the findings so far.
type pass struct {
	l     *Linter
	cat   *catalog.Catalog
	ix    *catalogIndex
	p     *policy.Policy
	kind  policy.Kind
	stmts []*stmtInfo
	out   []finding.Finding
}

// stmtInfo is one statement with its actions resolved against the catalog.
type stmtInfo struct {
	s           *policy.Statement
	allow, deny bool
	not         bool // the statement uses NotAction
	acts        []actionValue
	// set is what the statement is about: the union of its Action values,
	// or every action except its NotAction values.
	set stmtActions
	// broad: the statement applies to every resource of what it grants
	// (Resource "*", a pattern covering a whole service, or NotResource).
	broad        bool
	starResource bool // Resource holds exactly "*"
	hasCondition bool
	fullAdmin    bool // FULL_ADMIN_ACCESS was reported on it
}

// actionValue is one Action or NotAction value, resolved.
type actionValue struct {
	v        *policy.Value
	id       catalog.ActionID // the action, for a name without wildcards
	set      catalog.ActionSet
	wildcard bool
	service  string // lower-case literal service prefix of a wildcard pattern, "" if none
	err      error  // unknown service or action
	ok       bool   // matches at least one action
}

func (a *actionValue) has(id catalog.ActionID) bool {
	if !a.ok {
		return false
	}
	if a.wildcard {
		return a.set.Has(id)
	}
	return a.id == id
}

func newPass(l *Linter, p *policy.Policy, kind policy.Kind) *pass {
	ps := &pass{l: l, cat: l.cat, ix: l.ix, p: p, kind: kind, stmts: make([]*stmtInfo, 0, len(p.Statements))}
	for _, s := range p.Statements {
		ps.stmts = append(ps.stmts, ps.compile(s))
	}
	return ps
}

func (ps *pass) resolve(v *policy.Value) actionValue {
	av := actionValue{v: v, id: -1}
	text := v.Text
	if strings.ContainsAny(text, "*?") {
		av.wildcard = true
		if _, _, ok := strings.Cut(text, ":"); !ok && strings.Trim(text, "*") != "" {
			av.err = errMalformedAction
			return av
		}
		if prefix, _, ok := strings.Cut(text, ":"); ok && !hasWildcard(prefix) {
			av.service = strings.ToLower(prefix)
		}
		av.set = ps.cat.Match(text)
		if av.set.IsEmpty() {
			if _, err := ps.cat.Expand(text); err != nil {
				av.err = err
			}
		}
		av.ok = !av.set.IsEmpty()
		return av
	}
	a, err := ps.cat.Action(text)
	if err != nil {
		av.err = err
		return av
	}
	av.id, av.ok = a.ID, true
	return av
}

func (ps *pass) compile(s *policy.Statement) *stmtInfo {
	si := &stmtInfo{s: s, allow: s.Allows(), deny: s.Denies()}
	list := s.Action
	if list == nil && s.NotAction != nil {
		list, si.not = s.NotAction, true
	}
	if list != nil {
		si.acts = make([]actionValue, len(list.Values))
		wild := si.not
		for i := range list.Values {
			av := ps.resolve(&list.Values[i])
			si.acts[i] = av
			wild = wild || av.wildcard && av.ok
		}
		if wild {
			// Wildcards or NotAction: a bitset, built with set operations.
			set := ps.cat.NewActionSet()
			for i := range si.acts {
				switch av := &si.acts[i]; {
				case !av.ok:
				case av.wildcard:
					set = set.Union(av.set)
				default:
					set.Add(av.id)
				}
			}
			if si.not {
				set = ps.ix.all.Difference(set)
			}
			si.set = stmtActions{set: set, isSet: true}
		} else {
			// Named actions only (the common case): a short list, no bitset.
			ids := make([]catalog.ActionID, 0, len(si.acts))
			for i := range si.acts {
				if si.acts[i].ok {
					ids = append(ids, si.acts[i].id)
				}
			}
			si.set = stmtActions{ids: ids}
		}
	}
	if s.NotResource != nil {
		si.broad = true
	} else if s.Resource != nil {
		for _, v := range s.Resource.Values {
			if v.Text == "*" {
				si.starResource, si.broad = true, true
			} else if ps.ix.coversWholeService(v.Text) {
				si.broad = true
			}
		}
	}
	si.hasCondition = s.Condition != nil && len(s.Condition.Blocks) > 0
	return si
}

// stmtActions is a statement's actions: a short ID list when it names
// actions literally, a bitset when it has wildcards or NotAction. Checks
// ask it questions that allocate nothing for the list form.
type stmtActions struct {
	ids   []catalog.ActionID
	set   catalog.ActionSet
	isSet bool
}

func (a *stmtActions) Has(id catalog.ActionID) bool {
	if a.isSet {
		return a.set.Has(id)
	}
	for _, x := range a.ids {
		if x == id {
			return true
		}
	}
	return false
}

func (a *stmtActions) IsEmpty() bool {
	if a.isSet {
		return a.set.IsEmpty()
	}
	return len(a.ids) == 0
}

// Intersect returns the actions also in o (the zero, empty set when none).
func (a *stmtActions) Intersect(o catalog.ActionSet, c *catalog.Catalog) catalog.ActionSet {
	if a.isSet {
		return a.set.Intersect(o)
	}
	var out catalog.ActionSet
	for _, id := range a.ids {
		if o.Has(id) {
			if out.IsEmpty() {
				out = c.NewActionSet()
			}
			out.Add(id)
		}
	}
	return out
}

// AddTo unions the actions into dst.
func (a *stmtActions) AddTo(dst *catalog.ActionSet) {
	if a.isSet {
		*dst = dst.Union(a.set)
		return
	}
	for _, id := range a.ids {
		dst.Add(id)
	}
}

// SubsetOf reports whether every action is also in b.
func (a *stmtActions) SubsetOf(b *stmtActions) bool {
	switch {
	case a.isSet && b.isSet:
		return a.set.Difference(b.set).IsEmpty()
	case a.isSet:
		if a.set.Len() > len(b.ids) {
			return false
		}
		for _, id := range a.set.IDs() {
			if !b.Has(id) {
				return false
			}
		}
		return true
	}
	for _, id := range a.ids {
		if !b.Has(id) {
			return false
		}
	}
	return true
}

// unconstrained: an Allow that applies to every resource with no condition.
func (si *stmtInfo) unconstrained() bool { return si.allow && si.broad && !si.hasCondition }

// firstValueWith returns the first Action value covering id (for positions),
// or nil for NotAction statements and when none does.
func (si *stmtInfo) firstValueWith(id catalog.ActionID) *actionValue {
	if si.not {
		return nil
	}
	for i := range si.acts {
		if si.acts[i].has(id) {
			return &si.acts[i]
		}
	}
	return nil
}

// actionsElement is the statement's Action or NotAction list.
func (si *stmtInfo) actionsElement() *policy.List {
	if si.s.Action != nil {
		return si.s.Action
	}
	return si.s.NotAction
}

// report records a finding of code at pos unless the check does not apply
// to this kind of policy or is disabled. fix "" uses the check's own.
func (ps *pass) report(code string, pos policy.Pos, path, msg, fix string) {
	c, ok := checkIndex()[code]
	if !ok {
		// A problem code the decoder added after this linter was written.
		c = &Check{Code: code, Severity: finding.Error}
	}
	if !c.AppliesTo(ps.kind) || ps.l.isDisabled(code) {
		return
	}
	if fix == "" {
		fix = c.Fix
	}
	file := pos.File
	if file == "" {
		file = ps.p.File
	}
	f := finding.Finding{
		Code:     code,
		Severity: ps.l.severityOf(*c),
		Message:  msg,
		File:     file,
		Line:     pos.Line,
		Column:   pos.Column,
		Path:     path,
		Fix:      fix,
		Policy:   ps.p.Name,
	}
	ps.l.suppress(&f, ps.p.Name)
	ps.out = append(ps.out, f)
}

// reportAt reports at a value.
func (ps *pass) reportAt(code string, v *policy.Value, msg, fix string) {
	ps.report(code, v.Pos, v.Path, msg, fix)
}

// reportStmt reports at a statement.
func (ps *pass) reportStmt(code string, si *stmtInfo, msg, fix string) {
	ps.report(code, si.s.Pos, si.s.Path, msg, fix)
}

// enabled says whether any of the codes could be reported on this policy,
// so expensive checks can be skipped.
func (ps *pass) enabled(codes ...string) bool {
	for _, code := range codes {
		if c, ok := checkIndex()[code]; ok && c.AppliesTo(ps.kind) && !ps.l.isDisabled(code) {
			return true
		}
	}
	return false
}

func (ps *pass) run() {
	for _, pr := range ps.p.Problems {
		ps.report(pr.Code, pr.Pos, pr.Path, pr.Message, "")
	}
	ps.checkDocument()
	ps.checkSids()
	for _, si := range ps.stmts {
		ps.checkStatementShape(si)
		ps.checkKindRules(si)
		ps.checkActions(si)
		ps.checkResources(si)
		ps.checkPrincipals(si)
		ps.checkConditions(si)
		ps.checkVariables(si)
		ps.checkGrants(si)
		ps.checkOrganisation(si)
	}
	ps.checkEscalation()
	ps.checkRedundantStatements()
	ps.checkSize()
	ps.checkNaming()
}
