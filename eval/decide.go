package eval

import "fmt"

// Decision is the outcome of a request.
type Decision uint8

const (
	// ImplicitDeny: nothing denies the request, but not every policy type
	// that must allow it does.
	ImplicitDeny Decision = iota
	// ExplicitDeny: a Deny statement applies; no Allow can override it.
	ExplicitDeny
	// Allowed: every policy type that must allow the request does.
	Allowed
)

// String is the decision's name in the scenario and JSON contract.
func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny"
}

// MarshalText writes the decision's name.
func (d Decision) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a decision's name.
func (d *Decision) UnmarshalText(b []byte) error {
	for _, c := range [...]Decision{ImplicitDeny, ExplicitDeny, Allowed} {
		if c.String() == string(b) {
			*d = c
			return nil
		}
	}
	return fmt.Errorf("unknown decision %q", b)
}

// Result is a decision and the statement behind it. It points into the
// PolicySet, so deciding allocates nothing.
type Result struct {
	Decision Decision
	// Statement is the explicit Deny that decided, or the Allow that
	// granted (the identity policy's, or the resource policy's when it
	// granted on its own). Nil for an implicit deny.
	Statement *StatementRef
	// Missing is, for an implicit deny, the policy type that should have
	// allowed the request and did not (MissingLevel is the SCP level).
	Missing      PolicyType
	MissingLevel int
}

// scan is one policy's verdict: the first applicable Deny and Allow (-1
// when none), and for a resource policy the first Allow per way its
// Principal names the caller.
type scan struct {
	deny, allow           int
	direct, role, account int
}

func noScan() scan { return scan{-1, -1, -1, -1, -1} }

// scanPolicy evaluates every statement of b against the request. It stops
// at the first applicable Deny, which decides the request.
func scanPolicy(b *boundPolicy, r *Prepared, hasBoundary bool) scan {
	s := noScan()
	stmts := b.c.stmts
	for i := range stmts {
		cs := &stmts[i]
		if !cs.deny && s.allow >= 0 && b.typ != ResourcePolicy {
			continue // an Allow is known; only Denies can still change the verdict
		}
		m := cs.applies(r, hasBoundary)
		if m == matchNone {
			continue
		}
		if cs.deny {
			s.deny = i
			return s
		}
		if s.allow < 0 {
			s.allow = i
		}
		switch m {
		case matchDirect:
			if s.direct < 0 {
				s.direct = i
			}
		case matchRole:
			if s.role < 0 {
				s.role = i
			}
		case matchAccount:
			if s.account < 0 {
				s.account = i
			}
		}
	}
	return s
}

// applies reports whether the statement applies to the request and, for a
// statement with a Principal, how it names the caller (matchDirect for a
// statement without one).
func (cs *cstmt) applies(r *Prepared, hasBoundary bool) principalMatch {
	if !cs.matchAction(r) || !cs.matchResource(r) {
		return matchNone
	}
	m := cs.matchPrincipal(r, hasBoundary)
	if m == matchNone {
		return matchNone
	}
	for i := range cs.conds {
		if !cs.conds[i].eval(r) {
			return matchNone
		}
	}
	return m
}

func (cs *cstmt) matchAction(r *Prepared) bool {
	return cs.actions.match(r) != cs.notAction
}

func (cs *cstmt) matchResource(r *Prepared) bool {
	if cs.anyResource {
		return true
	}
	hit := false
	for _, p := range cs.resources {
		if p.match(r.resource.s, r) {
			hit = true
			break
		}
	}
	return hit != cs.notResource
}

func (cs *cstmt) matchPrincipal(r *Prepared, hasBoundary bool) principalMatch {
	if cs.principal == nil {
		return matchDirect
	}
	m := cs.principal.match(&r.caller)
	if !cs.notPrincipal {
		return m
	}
	// AWS: a Deny with NotPrincipal always denies an IAM user or role that
	// has a permissions boundary, whatever NotPrincipal lists.
	if cs.deny && hasBoundary && (r.caller.kind == callerUser || r.caller.kind == callerRoleSession) {
		return matchDirect
	}
	if m == matchNone {
		return matchDirect
	}
	return matchNone
}

// trustActions are evaluated against the role's trust policy, which must
// allow them even within one account.
func isTrustAction(action string) bool {
	switch action {
	case "sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
		"sts:tagsession", "sts:setsourceidentity", "sts:setcontext":
		return true
	}
	return false
}

// rcpServices are the services whose resources RCPs govern.
func rcpApplies(service string) bool {
	switch service {
	case "s3", "sts", "kms", "sqs", "secretsmanager", "cognito-idp", "logs", "dynamodb", "ecr", "aoss":
		return true
	}
	return false
}

// Decide decides the request as AWS's policy evaluation logic does. It is a
// pure function of its arguments and allocates nothing.
func Decide(ps *PolicySet, r *Prepared) Result {
	v := evaluate(ps, r)
	return v.result(ps, r)
}

// verdicts are the per-policy scans a decision is combined from.
type verdicts struct {
	deny     *StatementRef
	scpLevel int // the first SCP level without an Allow, -1 when all allow
	identity *StatementRef
	boundary *StatementRef
	session  *StatementRef
	res      scan
}

func evaluate(ps *PolicySet, r *Prepared) verdicts {
	v := verdicts{scpLevel: -1, res: noScan()}
	c := &r.caller
	iam := c.kind.isIAM()
	hasBoundary := ps.boundary != nil && iam
	if rcpApplies(r.service) {
		for _, level := range ps.rcps {
			for _, b := range level {
				if s := scanPolicy(b, r, hasBoundary); s.deny >= 0 {
					v.deny = &b.refs[s.deny]
					return v
				}
			}
		}
	}
	if iam && ps.hasSCPs {
		for lvl, level := range ps.scps {
			allowed := false
			for _, b := range level {
				s := scanPolicy(b, r, hasBoundary)
				if s.deny >= 0 {
					v.deny = &b.refs[s.deny]
					return v
				}
				allowed = allowed || s.allow >= 0
			}
			if !allowed && v.scpLevel < 0 {
				v.scpLevel = lvl
			}
		}
	}
	if iam {
		for _, b := range ps.identity {
			s := scanPolicy(b, r, hasBoundary)
			if s.deny >= 0 {
				v.deny = &b.refs[s.deny]
				return v
			}
			if s.allow >= 0 && v.identity == nil {
				v.identity = &b.refs[s.allow]
			}
		}
		for _, b := range [2]*boundPolicy{ps.boundary, ps.session} {
			if b == nil {
				continue
			}
			s := scanPolicy(b, r, hasBoundary)
			if s.deny >= 0 {
				v.deny = &b.refs[s.deny]
				return v
			}
			if s.allow >= 0 {
				if b == ps.boundary {
					v.boundary = &b.refs[s.allow]
				} else {
					v.session = &b.refs[s.allow]
				}
			}
		}
	}
	if ps.resource != nil {
		s := scanPolicy(ps.resource, r, hasBoundary)
		if s.deny >= 0 {
			v.deny = &ps.resource.refs[s.deny]
			return v
		}
		v.res = s
	}
	return v
}

// result combines the verdicts: explicit deny first, then SCPs, then the
// same-account or cross-account rules.
func (v *verdicts) result(ps *PolicySet, r *Prepared) Result {
	if v.deny != nil {
		return Result{Decision: ExplicitDeny, Statement: v.deny}
	}
	if v.scpLevel >= 0 {
		return Result{Decision: ImplicitDeny, Missing: ServiceControlPolicy, MissingLevel: v.scpLevel}
	}
	c := &r.caller
	resRef := func(i int) *StatementRef { return &ps.resource.refs[i] }
	if !c.kind.isIAM() {
		// Services, federated providers, canonical users and anonymous
		// callers have no identity policies: only the resource can grant.
		if v.res.direct >= 0 {
			return Result{Decision: Allowed, Statement: resRef(v.res.direct)}
		}
		return Result{Decision: ImplicitDeny, Missing: ResourcePolicy}
	}

	identity := v.identity != nil || c.kind == callerAccount
	boundary := ps.boundary == nil || v.boundary != nil || c.kind == callerAccount
	session := ps.session == nil || v.session != nil || c.kind == callerAccount
	identityRef := v.identity

	// A role's trust policy and a KMS key policy must allow the request even
	// within one account. A missing key policy is the default one, which
	// delegates to the key account's identity policies.
	mustResource := isTrustAction(r.actionLC) || r.service == "kms"
	resourceAny := v.res.allow >= 0
	if r.service == "kms" && ps.resource == nil && r.resourceAccount == c.account {
		resourceAny = true
	}

	if !r.sameAccount() {
		// Across accounts both sides must allow: the caller's (identity,
		// boundary, session, SCPs) and the resource's (its policy, RCPs).
		switch {
		case !identity:
			return Result{Decision: ImplicitDeny, Missing: IdentityPolicy}
		case !boundary:
			return Result{Decision: ImplicitDeny, Missing: PermissionsBoundary}
		case !session:
			return Result{Decision: ImplicitDeny, Missing: SessionPolicy}
		case !resourceAny:
			return Result{Decision: ImplicitDeny, Missing: ResourcePolicy}
		}
		if identityRef == nil {
			return Result{Decision: Allowed, Statement: resRef(v.res.allow)}
		}
		return Result{Decision: Allowed, Statement: identityRef}
	}

	if mustResource && !resourceAny {
		return Result{Decision: ImplicitDeny, Missing: ResourcePolicy}
	}
	// Within one account a resource policy naming the user or the session
	// itself grants on its own; naming the role, it is still limited by the
	// boundary and the session policy; naming the account, it delegates to
	// the identity policies.
	if v.res.direct >= 0 {
		return Result{Decision: Allowed, Statement: resRef(v.res.direct)}
	}
	granted := identity || v.res.role >= 0
	switch {
	case !granted:
		return Result{Decision: ImplicitDeny, Missing: IdentityPolicy}
	case !boundary:
		return Result{Decision: ImplicitDeny, Missing: PermissionsBoundary}
	case !session:
		return Result{Decision: ImplicitDeny, Missing: SessionPolicy}
	}
	if identityRef != nil {
		return Result{Decision: Allowed, Statement: identityRef}
	}
	if v.res.role >= 0 {
		return Result{Decision: Allowed, Statement: resRef(v.res.role)}
	}
	return Result{Decision: Allowed}
}
