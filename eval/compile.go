package eval

import (
	"fmt"
	"strings"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/node"
	"github.com/iamguard/iamguard/policy"
)

// PolicyType is where a policy is attached; it decides the policy's role
// in the evaluation.
type PolicyType uint8

const (
	IdentityPolicy        PolicyType = iota // attached to the user, role or group
	ResourcePolicy                          // on the resource (bucket policy, role trust policy, KMS key policy, …)
	PermissionsBoundary                     // the user's or role's permissions boundary
	ServiceControlPolicy                    // an Organizations SCP, at one level from the root to the account
	ResourceControlPolicy                   // an Organizations RCP, at one level from the root to the account
	SessionPolicy                           // passed when the session was created
)

// String is the scenario field the policy type is written under.
func (t PolicyType) String() string {
	switch t {
	case IdentityPolicy:
		return "identityPolicies"
	case ResourcePolicy:
		return "resourcePolicy"
	case PermissionsBoundary:
		return "permissionsBoundary"
	case ServiceControlPolicy:
		return "serviceControlPolicies"
	case ResourceControlPolicy:
		return "resourceControlPolicies"
	case SessionPolicy:
		return "sessionPolicy"
	}
	return "unknown"
}

// MarshalText writes the scenario field name.
func (t PolicyType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a scenario field name.
func (t *PolicyType) UnmarshalText(b []byte) error {
	for c := IdentityPolicy; c <= SessionPolicy; c++ {
		if c.String() == string(b) {
			*t = c
			return nil
		}
	}
	return fmt.Errorf("unknown policy type %q", b)
}

// label is the policy type in words.
func (t PolicyType) label() string {
	switch t {
	case IdentityPolicy:
		return "identity policy"
	case ResourcePolicy:
		return "resource policy"
	case PermissionsBoundary:
		return "permissions boundary"
	case ServiceControlPolicy:
		return "SCP"
	case ResourceControlPolicy:
		return "RCP"
	case SessionPolicy:
		return "session policy"
	}
	return "policy"
}

// Policies are every policy that applies to a request, by type.
type Policies struct {
	// Identity are the caller's identity policies (its own and its groups').
	Identity []*policy.Policy
	// Resource is the resource's policy: a bucket or queue policy, a role's
	// trust policy (for sts:AssumeRole…), a KMS key policy.
	Resource *policy.Policy
	// Boundary is the caller's permissions boundary; nil when none is set.
	Boundary *policy.Policy
	// SCPs are the caller's account's SCPs, one list per level from the
	// root to the account. Nil means the account is in no organization;
	// an empty level allows nothing.
	SCPs [][]*policy.Policy
	// RCPs are the resource's account's RCPs per level, besides
	// RCPFullAWSAccess, which AWS attaches at every level and is implied.
	RCPs [][]*policy.Policy
	// Session is the session policy passed when the role session was made.
	Session *policy.Policy
}

// PolicySet is policies compiled once for many decisions. It is read-only
// and safe for concurrent use.
type PolicySet struct {
	identity []*boundPolicy
	resource *boundPolicy
	boundary *boundPolicy
	scps     [][]*boundPolicy
	rcps     [][]*boundPolicy
	session  *boundPolicy
	hasSCPs  bool
	all      []*boundPolicy
}

// boundPolicy is a compiled policy in its place in a PolicySet; the
// compiled body may be shared between sets (the batch cache).
type boundPolicy struct {
	typ   PolicyType
	level int // SCP/RCP level, 0 = root
	index int // position among its type (or within its level)
	name  string
	src   *policy.Policy
	c     *compiledPolicy
	refs  []StatementRef
}

// StatementRef names one statement: its policy and where it is written.
type StatementRef struct {
	PolicyType PolicyType `json:"policyType"`
	// Level is the SCP or RCP level (0 is the organization root).
	Level int `json:"level,omitempty"`
	// Index is the policy's position among its type (or in its level).
	Index  int      `json:"index,omitempty"`
	Policy string   `json:"policy,omitempty"`
	Sid    string   `json:"sid,omitempty"`
	Path   string   `json:"path"`
	Effect string   `json:"effect"`
	Pos    node.Pos `json:"position"`
}

// Where says in words which policy holds the statement.
func (r *StatementRef) Where() string {
	s := r.PolicyType.label()
	if r.Policy != "" {
		s += " " + quote(r.Policy)
	}
	switch r.PolicyType {
	case ServiceControlPolicy, ResourceControlPolicy:
		s += fmt.Sprintf(" (level %d)", r.Level)
	}
	stmt := r.Path
	if r.Sid != "" {
		stmt += " (" + r.Sid + ")"
	}
	return s + ", " + stmt
}

type compiledPolicy struct {
	src   *policy.Policy
	vars  bool // policy variables are substituted (Version 2012-10-17)
	stmts []cstmt
}

type cstmt struct {
	src  *policy.Statement
	deny bool

	actions   actionMatcher
	notAction bool

	resources   []resourcePattern
	notResource bool
	anyResource bool // no Resource element (trust and key policies)

	principal    *principalSet // nil when the statement names none
	notPrincipal bool

	conds []cond
}

// Compile compiles every policy. Errors name the file, line and column.
func Compile(p Policies) (*PolicySet, error) {
	return compileWith(p, nil)
}

// compileCache lets a batch compile each distinct policy text once.
type compileCache interface {
	compiled(p *policy.Policy, typ PolicyType) (*compiledPolicy, error)
}

func compileWith(p Policies, cache compileCache) (*PolicySet, error) {
	ps := &PolicySet{}
	var errs ErrorList
	bind := func(src *policy.Policy, typ PolicyType, level, index int) *boundPolicy {
		var c *compiledPolicy
		var err error
		if cache != nil {
			c, err = cache.compiled(src, typ)
		} else {
			c, err = compilePolicy(src, typ)
		}
		if err != nil {
			if l, ok := err.(ErrorList); ok {
				errs = append(errs, l...)
			} else {
				errs.add(src.Pos, src.Path, err.Error())
			}
			return nil
		}
		b := &boundPolicy{typ: typ, level: level, index: index, name: src.Name, src: src, c: c}
		b.refs = make([]StatementRef, len(c.stmts))
		for i := range c.stmts {
			st := c.stmts[i].src
			r := StatementRef{PolicyType: typ, Level: level, Index: index, Policy: src.Name, Path: st.Path, Pos: st.Pos}
			if st.Sid != nil {
				r.Sid = st.Sid.Text
			}
			if st.Effect != nil {
				r.Effect = st.Effect.Text
			}
			b.refs[i] = r
		}
		ps.all = append(ps.all, b)
		return b
	}
	for i, src := range p.Identity {
		if src != nil {
			if b := bind(src, IdentityPolicy, 0, i); b != nil {
				ps.identity = append(ps.identity, b)
			}
		}
	}
	if p.Resource != nil {
		ps.resource = bind(p.Resource, ResourcePolicy, 0, 0)
	}
	if p.Boundary != nil {
		ps.boundary = bind(p.Boundary, PermissionsBoundary, 0, 0)
	}
	if p.SCPs != nil {
		ps.hasSCPs = true
		ps.scps = make([][]*boundPolicy, len(p.SCPs))
		for lvl, level := range p.SCPs {
			ps.scps[lvl] = []*boundPolicy{}
			for i, src := range level {
				if b := bind(src, ServiceControlPolicy, lvl, i); b != nil {
					ps.scps[lvl] = append(ps.scps[lvl], b)
				}
			}
		}
	}
	for lvl, level := range p.RCPs {
		ps.rcps = append(ps.rcps, nil)
		for i, src := range level {
			if b := bind(src, ResourceControlPolicy, lvl, i); b != nil {
				ps.rcps[lvl] = append(ps.rcps[lvl], b)
			}
		}
	}
	if p.Session != nil {
		ps.session = bind(p.Session, SessionPolicy, 0, 0)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return ps, nil
}

// compilePolicy compiles one policy document for its type.
func compilePolicy(src *policy.Policy, typ PolicyType) (*compiledPolicy, error) {
	var errs ErrorList
	for _, pr := range src.Problems {
		errs.add(pr.Pos, pr.Path, pr.Message)
	}
	c := &compiledPolicy{src: src}
	// Policy variables exist only in the 2012-10-17 language; under
	// 2008-10-17 (also the default when Version is absent) "${…}" is text.
	c.vars = src.Version != nil && src.Version.Text == "2012-10-17"
	if src.Version != nil && src.Version.Text != "2012-10-17" && src.Version.Text != "2008-10-17" {
		errs.add(src.Version.Pos, src.Version.Path, fmt.Sprintf("Version %q: IAM knows only \"2012-10-17\" and \"2008-10-17\"", src.Version.Text))
	}
	if !src.StatementPresent && len(src.Problems) == 0 {
		errs.add(src.Pos, src.Path, "the policy has no Statement")
	}
	c.stmts = make([]cstmt, 0, len(src.Statements))
	for _, st := range src.Statements {
		cs, ok := compileStatement(st, typ, c.vars, &errs)
		if ok {
			c.stmts = append(c.stmts, cs)
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return c, nil
}

func compileStatement(st *policy.Statement, typ PolicyType, vars bool, errs *ErrorList) (cstmt, bool) {
	cs := cstmt{src: st}
	n := len(*errs)
	switch {
	case st.Effect == nil:
		errs.add(st.Pos, st.Path, "the statement has no Effect")
	case st.Allows():
	case st.Denies():
		cs.deny = true
	default:
		errs.add(st.Effect.Pos, st.Effect.Path, fmt.Sprintf("Effect %q: want \"Allow\" or \"Deny\"", st.Effect.Text))
	}

	actions := st.Action
	if st.NotAction != nil {
		actions, cs.notAction = st.NotAction, true
	}
	if actions == nil {
		errs.add(st.Pos, st.Path, "the statement has neither Action nor NotAction")
	} else {
		for _, v := range actions.Values {
			t := v.Text
			if t != "*" {
				colon := strings.IndexByte(t, ':')
				if colon <= 0 || colon == len(t)-1 {
					errs.add(v.Pos, v.Path, fmt.Sprintf("action %q is not service:Name (or \"*\")", t))
					continue
				}
			}
			cs.actions.add(t)
		}
	}

	res := st.Resource
	if st.NotResource != nil {
		res, cs.notResource = st.NotResource, true
	}
	if res == nil {
		cs.anyResource = true
	} else {
		for _, v := range res.Values {
			if v.Text != "*" && strings.HasPrefix(v.Text, "arn:") {
				if err := checkARNPattern(v.Text); err != nil {
					errs.add(v.Pos, v.Path, err.Error())
					continue
				}
			} else if v.Text != "*" && !strings.Contains(v.Text, "${") {
				errs.add(v.Pos, v.Path, fmt.Sprintf("resource %q is neither an ARN nor \"*\"", v.Text))
				continue
			}
			cs.resources = append(cs.resources, compileResourcePattern(v.Text, vars))
		}
	}

	pr := st.Principal
	if st.NotPrincipal != nil {
		pr, cs.notPrincipal = st.NotPrincipal, true
	}
	switch typ {
	case ResourcePolicy:
		if pr == nil {
			errs.add(st.Pos, st.Path, "a resource policy statement needs Principal (or NotPrincipal): it says who the grant is for")
		}
	case ResourceControlPolicy:
	default:
		if pr != nil {
			errs.add(pr.Pos, pr.Path, fmt.Sprintf("an %s cannot name a Principal: it applies to the identity it is attached to", typ.label()))
			pr = nil
		}
	}
	if pr != nil {
		cs.principal = compilePrincipal(pr, errs)
	}

	if st.Condition != nil {
		for bi := range st.Condition.Blocks {
			b := &st.Condition.Blocks[bi]
			for ei := range b.Entries {
				c, err := compileCondition(&b.Operator, &b.Entries[ei], vars)
				if err != nil {
					*errs = append(*errs, err)
					continue
				}
				cs.conds = append(cs.conds, c)
			}
		}
	}
	return cs, len(*errs) == n
}

// checkARNPattern checks the shape of a Resource ARN pattern: at least
// arn:partition:service:region:account:resource, wildcards allowed.
func checkARNPattern(s string) error {
	segs := splitARNText(s, true)
	if len(segs) < maxARNSegments {
		if strings.HasSuffix(s, "*") {
			return nil // "arn:aws:s3:*" style: the final * spans the rest
		}
		return fmt.Errorf("resource %q is not an ARN: it needs six colon-separated parts (arn:partition:service:region:account:resource)", s)
	}
	if segs[2] == "" {
		return fmt.Errorf("resource %q is not an ARN: the service part is empty", s)
	}
	return nil
}

// actionMatcher is an Action (or NotAction) list compiled for one-step
// tests: exact names as catalog action IDs (integer compares), "*" as a
// flag, "service:*" as a service prefix, and any other wildcard as a
// lowercased glob over the lowercased action name.
type actionMatcher struct {
	all      bool
	ids      []catalog.ActionID
	services []string
	globs    []*pattern
}

func (m *actionMatcher) add(p string) {
	if p == "*" {
		m.all = true
		return
	}
	if !strings.ContainsAny(p, "*?") {
		// An action the catalog does not know can never be requested
		// (Prepare rejects it), so it needs no entry.
		if a, err := catalog.Default().Action(p); err == nil {
			m.ids = append(m.ids, a.ID)
		}
		return
	}
	lower := strings.ToLower(p)
	if svc, rest, _ := strings.Cut(lower, ":"); rest == "*" && !strings.ContainsAny(svc, "*?") {
		m.services = append(m.services, svc)
		return
	}
	m.globs = append(m.globs, compilePattern(lower, false, true))
}

func (m *actionMatcher) match(r *Prepared) bool {
	if m.all {
		return true
	}
	for _, x := range m.ids {
		if x == r.actionID {
			return true
		}
	}
	for _, s := range m.services {
		if s == r.service {
			return true
		}
	}
	for _, g := range m.globs {
		if g.match(r.actionLC, nil) {
			return true
		}
	}
	return false
}

// resourcePattern is a Resource value compiled once into parts, policy
// variables included, so matching resolves them in place. Its wildcard
// semantics are arn.Pattern's (the matcher the linter shares), which a
// differential test and fuzz target hold it to; it is ours for speed: a
// literal prefix and suffix reject first, and a star jumps to the next
// occurrence of the literal after it.
type resourcePattern struct {
	text string
	p    *pattern
}

func compileResourcePattern(text string, vars bool) resourcePattern {
	return resourcePattern{text: text, p: compilePattern(text, vars && strings.Contains(text, "${"), true)}
}

func (rp *resourcePattern) match(value string, vs varSource) bool {
	return rp.p.match(value, vs)
}

func quote(s string) string { return "\u201c" + s + "\u201d" }
