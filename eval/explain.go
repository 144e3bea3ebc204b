package eval

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/iamguard/iamguard/node"
)

// Explanation says why a request is allowed or denied: every policy and
// statement with whether it applied and, when not, which element failed
// with the values compared; the decisive statements; and for a denial the
// smallest change that would allow it. Explain computes it on demand; the
// decision itself (Decide) never pays for it.
type Explanation struct {
	Decision Decision       `json:"decision"`
	Summary  string         `json:"summary"`
	Request  RequestSummary `json:"request"`
	Decisive []StatementRef `json:"decisive"`
	Missing  *Gap           `json:"missing,omitempty"`
	Steps    []Step         `json:"steps"`
	Policies []PolicyTrace  `json:"policies"`
	Fixes    []Fix          `json:"fixes,omitempty"`
	Hints    []string       `json:"hints,omitempty"`
	result   Result
}

// Result returns the decision as Decide returns it.
func (e *Explanation) Result() Result { return e.result }

// RequestSummary is the request as the evaluation saw it.
type RequestSummary struct {
	Principal       string `json:"principal"`
	PrincipalKind   string `json:"principalKind"`
	Action          string `json:"action"`
	Resource        string `json:"resource"`
	ResourceAccount string `json:"resourceAccount,omitempty"`
	CrossAccount    bool   `json:"crossAccount"`
}

// Gap is the policy type whose Allow was missing in an implicit deny.
type Gap struct {
	PolicyType PolicyType `json:"policyType"`
	Level      int        `json:"level,omitempty"`
	Message    string     `json:"message"`
}

// Step is one stage of AWS's evaluation, in order, with its outcome.
type Step struct {
	Name    string `json:"name"`
	Outcome string `json:"outcome"` // "deny", "allow", "noAllow", "notApplicable", "skipped"
	Detail  string `json:"detail,omitempty"`
}

// PolicyTrace is one policy and what each of its statements did.
type PolicyTrace struct {
	PolicyType PolicyType       `json:"policyType"`
	Level      int              `json:"level,omitempty"`
	Index      int              `json:"index,omitempty"`
	Name       string           `json:"name,omitempty"`
	Pos        node.Pos         `json:"position"`
	Applies    bool             `json:"applies"`
	Note       string           `json:"note,omitempty"`
	Statements []StatementTrace `json:"statements"`
}

// StatementTrace is one statement: applied or not, and why not.
type StatementTrace struct {
	StatementRef
	Applied bool `json:"applied"`
	// Failed is the first element that did not match: "action",
	// "resource", "principal" or "condition".
	Failed string `json:"failed,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Principal says how a resource policy's Principal named the caller.
	Principal  string           `json:"principal,omitempty"`
	Conditions []ConditionTrace `json:"conditions,omitempty"`
}

// ConditionTrace is one condition key under one operator.
type ConditionTrace struct {
	Operator string   `json:"operator"`
	Key      string   `json:"key"`
	Values   []string `json:"values"`
	Request  []string `json:"request"`
	Present  bool     `json:"present"`
	Result   bool     `json:"result"`
	Note     string   `json:"note,omitempty"`
	Pos      node.Pos `json:"position"`
}

// Fix is one concrete change that would allow the request (or the deny
// that blocks it).
type Fix struct {
	// Kind is "addStatement" (add Statement to the policy named), or
	// "narrowDeny" (an explicit Deny blocks the request).
	Kind       string     `json:"kind"`
	PolicyType PolicyType `json:"policyType"`
	Level      int        `json:"level,omitempty"`
	// Policy is the policy to change; empty means a new one.
	Policy    string          `json:"policy,omitempty"`
	Message   string          `json:"message"`
	Statement json.RawMessage `json:"statement,omitempty"`
	Pos       *node.Pos       `json:"position,omitempty"`
}

// Explain decides the request and explains the decision.
func Explain(ps *PolicySet, r *Prepared) *Explanation {
	res := Decide(ps, r)
	c := &r.caller
	e := &Explanation{Decision: res.Decision, result: res, Decisive: []StatementRef{}}
	e.Request = RequestSummary{
		Principal: c.text, PrincipalKind: c.kind.String(), Action: r.action,
		Resource: r.resource.s, ResourceAccount: r.resourceAccount,
		CrossAccount: c.kind.isIAM() && !r.sameAccount(),
	}
	hasBoundary := ps.boundary != nil && c.kind.isIAM()
	traces := map[*boundPolicy]*PolicyTrace{}
	for _, b := range ps.all {
		pt := tracePolicy(b, r, hasBoundary)
		e.Policies = append(e.Policies, pt)
		traces[b] = &e.Policies[len(e.Policies)-1]
	}
	x := explainer{ps: ps, r: r, e: e, traces: traces, res: res}
	x.steps()
	x.decisive()
	x.fixes()
	x.hints()
	e.Summary = x.summary()
	return e
}

type explainer struct {
	ps     *PolicySet
	r      *Prepared
	e      *Explanation
	traces map[*boundPolicy]*PolicyTrace
	res    Result
}

func tracePolicy(b *boundPolicy, r *Prepared, hasBoundary bool) PolicyTrace {
	pt := PolicyTrace{PolicyType: b.typ, Level: b.level, Index: b.index, Name: b.name, Pos: b.src.Pos, Applies: true}
	switch {
	case b.typ == ResourceControlPolicy && !rcpApplies(r.service):
		pt.Applies = false
		pt.Note = fmt.Sprintf("RCPs do not govern %s resources", r.service)
	case (b.typ == IdentityPolicy || b.typ == PermissionsBoundary || b.typ == SessionPolicy || b.typ == ServiceControlPolicy) && !r.caller.kind.isIAM():
		pt.Applies = false
		pt.Note = fmt.Sprintf("%s has no %ss", withArticle(r.caller.kind.String()), b.typ.label())
	case b.typ == IdentityPolicy && r.caller.kind == callerAccount:
		pt.Note = "the account root user needs no identity policy"
	}
	for i := range b.c.stmts {
		pt.Statements = append(pt.Statements, traceStatement(b, i, r, hasBoundary))
	}
	return pt
}

func traceStatement(b *boundPolicy, i int, r *Prepared, hasBoundary bool) StatementTrace {
	cs := &b.c.stmts[i]
	st := StatementTrace{StatementRef: b.refs[i]}
	fail := func(what, reason string) {
		if st.Failed == "" {
			st.Failed, st.Reason = what, reason
		}
	}
	if !cs.matchAction(r) {
		if cs.notAction {
			fail("action", fmt.Sprintf("%s is excluded by NotAction %s", r.action, list(cs.src.NotAction.Texts())))
		} else {
			fail("action", fmt.Sprintf("%s is not matched by Action %s", r.action, list(cs.src.Action.Texts())))
		}
	}
	if !cs.matchResource(r) {
		if cs.notResource {
			fail("resource", fmt.Sprintf("%s is excluded by NotResource %s", r.resource.s, list(cs.src.NotResource.Texts())))
		} else {
			reason := fmt.Sprintf("%s is not matched by Resource %s", r.resource.s, list(cs.src.Resource.Texts()))
			for _, rp := range cs.resources {
				if rp.p.hasVars {
					if v := rp.p.unresolved(r); v != "" {
						reason += fmt.Sprintf(" (the variable ${%s} has no value in the request, so %q matches nothing)", v, rp.text)
						break
					}
				}
			}
			fail("resource", reason)
		}
	}
	if cs.principal != nil {
		m := cs.matchPrincipal(r, hasBoundary)
		raw := cs.principal.match(&r.caller)
		if cs.notPrincipal {
			st.Principal = "NotPrincipal " + cs.principal.names()
		} else {
			st.Principal = fmt.Sprintf("%s names %s", cs.principal.names(), raw)
		}
		if m == matchNone {
			if cs.notPrincipal {
				fail("principal", fmt.Sprintf("the caller %s is listed in NotPrincipal %s", r.caller.text, cs.principal.names()))
			} else {
				fail("principal", fmt.Sprintf("Principal %s does not name the caller %s (%s)", cs.principal.names(), r.caller.text, r.caller.kind))
			}
		} else if cs.notPrincipal && cs.deny && raw != matchNone {
			st.Principal += " (applies anyway: a Deny with NotPrincipal always denies a user or role with a permissions boundary)"
		}
	}
	for ci := range cs.conds {
		ct := traceCondition(&cs.conds[ci], r)
		st.Conditions = append(st.Conditions, ct)
		if !ct.Result {
			fail("condition", fmt.Sprintf("%s %s is false: %s", ct.Operator, ct.Key, conditionWhy(&ct)))
		}
	}
	st.Applied = st.Failed == ""
	return st
}

func conditionWhy(ct *ConditionTrace) string {
	if !ct.Present {
		return "the request has no " + ct.Key + ct.noteSuffix()
	}
	return fmt.Sprintf("the request has %s, the policy wants %s%s", list(ct.Request), list(ct.Values), ct.noteSuffix())
}

func (ct *ConditionTrace) noteSuffix() string {
	if ct.Note == "" {
		return ""
	}
	return " (" + ct.Note + ")"
}

func traceCondition(c *cond, r *Prepared) ConditionTrace {
	ct := ConditionTrace{Operator: c.op.Text, Key: c.entry.Key.Text, Values: c.entry.Values.Texts(), Pos: c.op.Pos, Request: []string{}}
	if e := r.lookup(c.key); e != nil {
		ct.Present = len(e.values) > 0
		for _, v := range e.values {
			ct.Request = append(ct.Request, v.s)
		}
	}
	ct.Result = c.eval(r)
	for i := range c.vals {
		if p := c.vals[i].pat; p != nil && p.hasVars {
			if v := p.unresolved(r); v != "" {
				ct.Note = fmt.Sprintf("${%s} has no value in the request, so %q matches nothing", v, c.vals[i].text)
			} else if s := p.substitute(r); s != c.vals[i].text {
				ct.Values[i] = s + " (from " + c.vals[i].text + ")"
			}
		}
	}
	switch {
	case ct.Note != "":
	case !ct.Present && c.set == setForAll:
		ct.Note = "ForAllValues is true when the key is missing or empty"
	case !ct.Present && c.set == setForAny:
		ct.Note = "ForAnyValue is false when the key is missing or empty"
	case !ct.Present && c.ifExists:
		ct.Note = "IfExists: true when the key is missing"
	case !ct.Present && c.negated:
		ct.Note = "a negated operator is true when the key is missing"
	case !ct.Present && c.family != famNull:
		ct.Note = "the key is missing; add it to the request context, or use " + c.op.Text + "IfExists"
	}
	if c.keyType.IsArray() && c.set == setNone && ct.Note == "" {
		ct.Note = c.entry.Key.Text + " is multivalued: use ForAnyValue: or ForAllValues:"
	}
	if ct.Note == "" && ct.Present && !ct.Result {
		ct.Note = familyMismatch(c, r)
	}
	return ct
}

// familyMismatch explains a comparison that could not succeed because the
// request values are not of the operator's type.
func familyMismatch(c *cond, r *Prepared) string {
	e := r.lookup(c.key)
	if e == nil {
		return ""
	}
	for _, v := range e.values {
		switch {
		case c.family == famNumeric && !v.numOK:
			return fmt.Sprintf("%q is not a number", v.s)
		case c.family == famDate && !v.timOK:
			return fmt.Sprintf("%q is not a date", v.s)
		case c.family == famIP && !v.ipOK:
			return fmt.Sprintf("%q is not an IP address", v.s)
		case c.family == famARN && v.arn.n == 0:
			return fmt.Sprintf("%q is not an ARN", v.s)
		case c.family == famString && strings.EqualFold(v.s, c.vals[0].text) && v.s != c.vals[0].text:
			return "StringEquals is case-sensitive; StringEqualsIgnoreCase is not"
		}
	}
	return ""
}

func list(xs []string) string {
	if len(xs) == 1 {
		return fmt.Sprintf("%q", xs[0])
	}
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// firstApplied returns the first applied statement of the given effect.
func (x *explainer) firstApplied(b *boundPolicy, deny bool) *StatementTrace {
	pt := x.traces[b]
	if !pt.Applies {
		return nil
	}
	for i := range pt.Statements {
		st := &pt.Statements[i]
		if st.Applied && b.c.stmts[i].deny == deny {
			return st
		}
	}
	return nil
}

func (x *explainer) steps() {
	ps, r, e := x.ps, x.r, x.e
	c := &r.caller
	add := func(name, outcome, detail string) {
		e.Steps = append(e.Steps, Step{Name: name, Outcome: outcome, Detail: detail})
	}
	// 1. Explicit denies anywhere.
	var denies []string
	for _, b := range ps.all {
		if st := x.firstApplied(b, true); st != nil {
			denies = append(denies, st.Where()+" at "+st.Pos.String())
		}
	}
	if len(denies) > 0 {
		add("explicit deny", "deny", "denied by "+strings.Join(denies, "; "))
	} else {
		add("explicit deny", "noAllow", "no Deny statement applies")
	}
	// 2. RCPs.
	switch {
	case len(ps.rcps) == 0:
		add("resource control policies", "notApplicable", "no RCPs given (RCPFullAWSAccess allows everything)")
	case !rcpApplies(r.service):
		add("resource control policies", "notApplicable", fmt.Sprintf("RCPs do not govern %s resources", r.service))
	default:
		add("resource control policies", "allow", "RCPFullAWSAccess allows at every level; the other RCPs only deny")
	}
	// 3. SCPs.
	switch {
	case !ps.hasSCPs:
		add("service control policies", "notApplicable", "no SCPs given: the account is not in an organization")
	case !c.kind.isIAM():
		add("service control policies", "notApplicable", fmt.Sprintf("SCPs do not apply to %s", withArticle(c.kind.String())))
	default:
		for lvl, level := range ps.scps {
			var by string
			for _, b := range level {
				if st := x.firstApplied(b, false); st != nil {
					by = st.Where()
					break
				}
			}
			name := fmt.Sprintf("service control policies (level %d)", lvl)
			switch {
			case by != "":
				add(name, "allow", "allowed by "+by)
			case len(level) == 0:
				add(name, "noAllow", "no SCP at this level: an empty level allows nothing")
			default:
				add(name, "noAllow", "no SCP at this level allows "+r.action)
			}
		}
	}
	// 4. Resource policy.
	resName := x.resourceLabel()
	if ps.resource == nil {
		detail := "no " + resName + " given"
		if isTrustAction(r.actionLC) {
			detail += ": a role's trust policy must allow " + r.action
		} else if r.service == "kms" {
			detail += ": taken as the default key policy, which delegates to the key account's identity policies"
		}
		add(resName, "notApplicable", detail)
	} else if st := x.firstApplied(ps.resource, false); st != nil {
		add(resName, "allow", "allowed by "+st.Where()+"; "+st.Principal)
	} else {
		add(resName, "noAllow", "no statement of the "+resName+" allows the request")
	}
	// 5. Identity, boundary, session.
	if !c.kind.isIAM() {
		add("identity policies", "notApplicable", fmt.Sprintf("%s has no identity policies", withArticle(c.kind.String())))
		return
	}
	x.gateStep("identity policies", ps.identity, len(ps.identity) == 0 && c.kind != callerAccount, c.kind == callerAccount)
	if ps.boundary != nil {
		x.gateStep("permissions boundary", []*boundPolicy{ps.boundary}, false, c.kind == callerAccount)
	} else {
		add("permissions boundary", "notApplicable", "no permissions boundary set")
	}
	if ps.session != nil {
		x.gateStep("session policy", []*boundPolicy{ps.session}, false, c.kind == callerAccount)
	} else {
		add("session policy", "notApplicable", "no session policy passed")
	}
}

func (x *explainer) gateStep(name string, pols []*boundPolicy, none, root bool) {
	if root {
		x.e.Steps = append(x.e.Steps, Step{Name: name, Outcome: "allow", Detail: "the account root user is allowed by default"})
		return
	}
	if none {
		x.e.Steps = append(x.e.Steps, Step{Name: name, Outcome: "noAllow", Detail: "no identity policy is attached to the caller"})
		return
	}
	for _, b := range pols {
		if st := x.firstApplied(b, false); st != nil {
			x.e.Steps = append(x.e.Steps, Step{Name: name, Outcome: "allow", Detail: "allowed by " + st.Where()})
			return
		}
	}
	x.e.Steps = append(x.e.Steps, Step{Name: name, Outcome: "noAllow", Detail: "no statement allows " + x.r.action + " on " + x.r.resource.s})
}

// resourceLabel names the resource's policy as people call it.
func (x *explainer) resourceLabel() string {
	switch {
	case isTrustAction(x.r.actionLC):
		return "trust policy"
	case x.r.service == "kms":
		return "key policy"
	}
	return "resource policy"
}

func (x *explainer) decisive() {
	e, ps, res := x.e, x.ps, x.res
	switch res.Decision {
	case ExplicitDeny:
		for _, b := range ps.all {
			if st := x.firstApplied(b, true); st != nil {
				e.Decisive = append(e.Decisive, st.StatementRef)
			}
		}
	case Allowed:
		if ps.hasSCPs && x.r.caller.kind.isIAM() {
			for _, level := range ps.scps {
				for _, b := range level {
					if st := x.firstApplied(b, false); st != nil {
						e.Decisive = append(e.Decisive, st.StatementRef)
						break
					}
				}
			}
		}
		if res.Statement != nil {
			e.Decisive = append(e.Decisive, *res.Statement)
		}
		if res.Statement == nil || res.Statement.PolicyType != ResourcePolicy || !x.resourceStandsAlone() {
			for _, b := range []*boundPolicy{ps.boundary, ps.session} {
				if b != nil {
					if st := x.firstApplied(b, false); st != nil {
						e.Decisive = append(e.Decisive, st.StatementRef)
					}
				}
			}
		}
		if ps.resource != nil && (res.Statement == nil || res.Statement.PolicyType != ResourcePolicy) {
			if st := x.firstApplied(ps.resource, false); st != nil && (x.e.Request.CrossAccount || isTrustAction(x.r.actionLC) || x.r.service == "kms") {
				e.Decisive = append(e.Decisive, st.StatementRef)
			}
		}
	case ImplicitDeny:
		gap := &Gap{PolicyType: res.Missing, Level: res.MissingLevel}
		gap.Message = x.gapMessage(gap)
		e.Missing = gap
	}
}

// resourceStandsAlone reports whether the resource policy granted on its
// own (naming the caller itself within its account).
func (x *explainer) resourceStandsAlone() bool {
	if x.ps.resource == nil || !x.r.sameAccount() {
		return !x.r.caller.kind.isIAM()
	}
	s := scanPolicy(x.ps.resource, x.r, x.ps.boundary != nil)
	return s.direct >= 0
}

func (x *explainer) gapMessage(g *Gap) string {
	r := x.r
	switch g.PolicyType {
	case ServiceControlPolicy:
		return fmt.Sprintf("no SCP at level %d allows %s: every level from the root to the account must allow it", g.Level, r.action)
	case IdentityPolicy:
		if len(x.ps.identity) == 0 {
			return fmt.Sprintf("no identity policy is attached to %s, and no resource policy grants it %s", r.caller.text, r.action)
		}
		return fmt.Sprintf("no identity policy allows %s on %s", r.action, r.resource.s)
	case PermissionsBoundary:
		return fmt.Sprintf("the permissions boundary does not allow %s on %s", r.action, r.resource.s)
	case SessionPolicy:
		return fmt.Sprintf("the session policy does not allow %s on %s", r.action, r.resource.s)
	case ResourcePolicy:
		label := x.resourceLabel()
		switch {
		case x.ps.resource == nil && isTrustAction(r.actionLC):
			return fmt.Sprintf("no trust policy is given, and a role can only be assumed when its trust policy allows %s", r.action)
		case x.ps.resource == nil:
			return fmt.Sprintf("no %s is given, and %s can only be granted access by one", label, withArticle(r.caller.kind.String()))
		case !r.caller.kind.isIAM():
			return fmt.Sprintf("the %s does not grant %s to %s", label, r.action, r.caller.text)
		case isTrustAction(r.actionLC) || r.service == "kms":
			return fmt.Sprintf("the %s does not allow %s for %s: it must, even within one account", label, r.action, r.caller.text)
		}
		return fmt.Sprintf("the request crosses accounts (%s → %s), and the %s does not grant %s to the caller", r.caller.account, r.resourceAccount, label, r.action)
	}
	return ""
}

func (x *explainer) summary() string {
	r, res := x.r, x.res
	subject := fmt.Sprintf("%s on %s by %s", r.action, r.resource.s, r.caller.text)
	switch res.Decision {
	case Allowed:
		if res.Statement != nil {
			return fmt.Sprintf("ALLOWED: %s, granted by %s (%s).", subject, res.Statement.Where(), res.Statement.Pos)
		}
		return "ALLOWED: " + subject + "."
	case ExplicitDeny:
		return fmt.Sprintf("DENIED (explicit): %s is denied by %s (%s).", subject, res.Statement.Where(), res.Statement.Pos)
	}
	return fmt.Sprintf("DENIED (implicit): %s: %s.", subject, x.e.Missing.Message)
}

// statementJSON renders a minimal statement for a fix.
func statementJSON(principal map[string]string, action, resource string) json.RawMessage {
	var b strings.Builder
	b.WriteString(`{"Effect":"Allow",`)
	if principal != nil {
		for k, v := range principal {
			pk, _ := json.Marshal(k)
			pv, _ := json.Marshal(v)
			fmt.Fprintf(&b, `"Principal":{%s:%s},`, pk, pv)
		}
	}
	a, _ := json.Marshal(action)
	fmt.Fprintf(&b, `"Action":%s`, a)
	if resource != "" {
		rs, _ := json.Marshal(resource)
		fmt.Fprintf(&b, `,"Resource":%s`, rs)
	}
	b.WriteString("}")
	return json.RawMessage(b.String())
}

func (x *explainer) fixes() {
	e, r, ps, res := x.e, x.r, x.ps, x.res
	c := &r.caller
	switch res.Decision {
	case ExplicitDeny:
		for _, d := range e.Decisive {
			pos := d.Pos
			e.Fixes = append(e.Fixes, Fix{
				Kind: "narrowDeny", PolicyType: d.PolicyType, Level: d.Level, Policy: d.Policy, Pos: &pos,
				Message: fmt.Sprintf("The Deny in %s at %s blocks the request and no Allow can override it: narrow that statement (exclude %s or add a condition that is false for this request) or remove it.", d.Where(), d.Pos, r.resource.s),
			})
		}
		return
	case Allowed:
		return
	}
	resource := r.resource.s
	add := func(f Fix) { e.Fixes = append(e.Fixes, f) }
	switch res.Missing {
	case ServiceControlPolicy:
		level := ps.scps[res.MissingLevel]
		name := ""
		if len(level) > 0 {
			name = level[0].name
		}
		add(Fix{Kind: "addStatement", PolicyType: ServiceControlPolicy, Level: res.MissingLevel, Policy: name,
			Statement: statementJSON(nil, r.action, "*"),
			Message:   fmt.Sprintf("Allow %s in an SCP attached at level %d (SCP Allow statements usually use \"Resource\": \"*\"); every level between the root and the account must allow it.", r.action, res.MissingLevel)})
	case IdentityPolicy:
		name := x.closestPolicy(ps.identity)
		who := c.text
		if c.kind == callerRoleSession {
			who = "the role " + c.roleARN
		}
		msg := fmt.Sprintf("Add this statement to the identity policy %s attached to %s.", quote(name), who)
		if name == "" {
			msg = fmt.Sprintf("Attach an identity policy to %s with this statement (no attached policy allows %s; check that the policy is attached to the role or user that makes the call).", who, r.action)
		}
		add(Fix{Kind: "addStatement", PolicyType: IdentityPolicy, Policy: name, Statement: statementJSON(nil, r.action, resource), Message: msg})
	case PermissionsBoundary:
		add(Fix{Kind: "addStatement", PolicyType: PermissionsBoundary, Policy: ps.boundary.name, Statement: statementJSON(nil, r.action, resource),
			Message: "Add this statement to the permissions boundary (a boundary only limits: the identity policy already allows the request)."})
	case SessionPolicy:
		add(Fix{Kind: "addStatement", PolicyType: SessionPolicy, Policy: ps.session.name, Statement: statementJSON(nil, r.action, resource),
			Message: "Pass a session policy that allows the request (or none): a session policy only limits the role's permissions."})
	case ResourcePolicy:
		name := ""
		if ps.resource != nil {
			name = ps.resource.name
		}
		principal := x.fixPrincipal()
		res := resource
		label := x.resourceLabel()
		if isTrustAction(r.actionLC) {
			res = "" // trust policies take no Resource: the role is the resource
		}
		msg := fmt.Sprintf("Add this statement to the %s of %s.", label, resource)
		if ps.resource == nil {
			msg = fmt.Sprintf("Give %s a %s with this statement.", resource, label)
		}
		add(Fix{Kind: "addStatement", PolicyType: ResourcePolicy, Policy: name, Statement: statementJSON(principal, r.action, res), Message: msg})
		if c.kind.isIAM() && !r.sameAccount() && x.firstAnyApplied(ps.identity) == nil {
			add(Fix{Kind: "addStatement", PolicyType: IdentityPolicy, Statement: statementJSON(nil, r.action, resource),
				Message: "Across accounts the caller's identity policy must allow the request too."})
		}
	}
}

// fixPrincipal is the Principal a resource-policy fix should name.
func (x *explainer) fixPrincipal() map[string]string {
	c := &x.r.caller
	switch c.kind {
	case callerService:
		return map[string]string{"Service": c.service}
	case callerFederated:
		return map[string]string{"Federated": c.text}
	case callerCanonicalUser:
		return map[string]string{"CanonicalUser": c.text}
	case callerAnonymous:
		return map[string]string{"AWS": "*"}
	case callerRoleSession:
		return map[string]string{"AWS": c.roleARN}
	}
	return map[string]string{"AWS": c.arn}
}

func (x *explainer) firstAnyApplied(pols []*boundPolicy) *StatementTrace {
	for _, b := range pols {
		if st := x.firstApplied(b, false); st != nil {
			return st
		}
	}
	return nil
}

// closestPolicy picks the identity policy a fix should extend: the one
// with a statement for the same service, else the first.
func (x *explainer) closestPolicy(pols []*boundPolicy) string {
	if len(pols) == 0 {
		return ""
	}
	prefix := x.r.service + ":"
	for _, b := range pols {
		for _, cs := range b.c.stmts {
			if cs.deny || cs.notAction {
				continue
			}
			for _, a := range cs.src.Action.Texts() {
				if strings.HasPrefix(strings.ToLower(a), prefix) {
					return b.name
				}
			}
		}
	}
	return pols[0].name
}

// withArticle puts "a" or "an" before a noun phrase.
func withArticle(s string) string {
	if s != "" && strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
