package lint

import (
	"strings"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/policy"
)

// pass is the state of linting one policy: the statements compiled once
// (action patterns to ActionSets, resource breadth) and the findings so far.
// Passes are pooled by the Linter: the statement array, the action lists
// and the 3 KB action sets are reused from one policy to the next.
type pass struct {
	l     *Linter
	cat   *catalog.Catalog
	ix    *catalogIndex
	p     *policy.Policy
	kind  policy.Kind
	stmts []*stmtInfo
	out   []finding.Finding

	stmtBuf []stmtInfo
	// sets are scratch action sets; tempSet hands out sets[nsets] and the
	// next pass starts again from zero.
	sets      []*catalog.ActionSet
	nsets     int
	firstByID map[catalog.ActionID]int // checkActions' duplicate finder
}

// maxPooledSets bounds the scratch sets a pooled pass keeps (about 3 KB
// each), so one huge policy does not pin memory in a long-running server.
const maxPooledSets = 64

// tempSet returns an empty scratch set that stays valid until the pass ends.
func (ps *pass) tempSet() *catalog.ActionSet {
	if ps.nsets == len(ps.sets) {
		s := ps.cat.NewActionSet()
		ps.sets = append(ps.sets, &s)
	}
	s := ps.sets[ps.nsets]
	ps.nsets++
	s.Clear()
	return s
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

	ids []catalog.ActionID // storage behind set.ids, kept by the pool
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

// newPass takes a pass from the linter's pool and compiles p's statements.
func newPass(l *Linter, p *policy.Policy, kind policy.Kind) *pass {
	ps, _ := l.passes.Get().(*pass)
	if ps == nil {
		ps = &pass{l: l, cat: l.cat, ix: l.ix, firstByID: map[catalog.ActionID]int{}}
	}
	ps.p, ps.kind, ps.out, ps.nsets = p, kind, nil, 0
	if cap(ps.stmtBuf) < len(p.Statements) {
		ps.stmtBuf = make([]stmtInfo, len(p.Statements))
	}
	ps.stmtBuf = ps.stmtBuf[:len(p.Statements)]
	ps.stmts = ps.stmts[:0]
	for i, s := range p.Statements {
		si := &ps.stmtBuf[i]
		ps.compile(si, s)
		ps.stmts = append(ps.stmts, si)
	}
	return ps
}

// release returns the pass to the pool; the findings have been handed out
// and nothing of the policy may stay reachable from it.
func (ps *pass) release() {
	for i := range ps.stmtBuf {
		si := &ps.stmtBuf[i]
		clear(si.acts) // drop pointers into the policy
		*si = stmtInfo{acts: si.acts[:0], ids: si.ids[:0]}
	}
	clear(ps.stmts)
	ps.p, ps.out = nil, nil
	if len(ps.sets) > maxPooledSets {
		clear(ps.sets[maxPooledSets:])
		ps.sets = ps.sets[:maxPooledSets]
	}
	ps.l.passes.Put(ps)
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
		av.set = ps.cat.MatchShared(text) // read-only: never modified below
		if av.set.IsEmpty() {
			av.err = ps.l.unknownAction(text, func() error {
				_, err := ps.cat.Expand(text)
				return err
			})
		}
		av.ok = !av.set.IsEmpty()
		return av
	}
	a, found := ps.cat.LookupAction(text)
	if !found {
		av.err = ps.l.unknownAction(text, func() error {
			_, err := ps.cat.Action(text)
			return err
		})
		return av
	}
	av.id, av.ok = a.ID, true
	return av
}

// compile fills si (whose acts and ids slices may hold storage from an
// earlier policy) for statement s.
func (ps *pass) compile(si *stmtInfo, s *policy.Statement) {
	acts, ids := si.acts[:0], si.ids[:0]
	*si = stmtInfo{s: s, allow: s.Allows(), deny: s.Denies()}
	list := s.Action
	if list == nil && s.NotAction != nil {
		list, si.not = s.NotAction, true
	}
	if list != nil {
		wild := si.not
		for i := range list.Values {
			av := ps.resolve(&list.Values[i])
			acts = append(acts, av)
			wild = wild || av.wildcard && av.ok
		}
		si.acts = acts
		if wild {
			// Wildcards or NotAction: a bitset, built in a scratch set.
			set := ps.tempSet()
			for i := range si.acts {
				switch av := &si.acts[i]; {
				case !av.ok:
				case av.wildcard:
					set.UnionWith(av.set)
				default:
					set.Add(av.id)
				}
			}
			if si.not {
				named := set
				set = ps.tempSet()
				set.CopyFrom(ps.ix.all)
				set.DifferenceWith(*named)
			}
			si.set = stmtActions{set: *set, isSet: true}
		} else {
			// Named actions only (the common case): a short list, no bitset.
			for i := range si.acts {
				if si.acts[i].ok {
					ids = append(ids, si.acts[i].id)
				}
			}
			si.set = stmtActions{ids: ids}
		}
	}
	si.ids = ids
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

// Intersects reports whether some action is also in o.
func (a *stmtActions) Intersects(o catalog.ActionSet) bool {
	if a.isSet {
		return a.set.Intersects(o)
	}
	for _, id := range a.ids {
		if o.Has(id) {
			return true
		}
	}
	return false
}

// IntersectInto makes dst the actions also in o.
func (a *stmtActions) IntersectInto(dst *catalog.ActionSet, o catalog.ActionSet) {
	if a.isSet {
		dst.CopyFrom(a.set)
		dst.IntersectWith(o)
		return
	}
	dst.Clear()
	for _, id := range a.ids {
		if o.Has(id) {
			dst.Add(id)
		}
	}
}

// AddTo unions the actions into dst.
func (a *stmtActions) AddTo(dst *catalog.ActionSet) {
	if a.isSet {
		dst.UnionWith(a.set)
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
		return a.set.IsSubsetOf(b.set)
	case a.isSet:
		if a.set.Len() > len(b.ids) {
			return false
		}
		for id := range a.set.All() {
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
