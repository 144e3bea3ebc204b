package generate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/arn"
	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/eval"
	"github.com/iamguard/iamguard/internal/generate/grant"
	"github.com/iamguard/iamguard/policy"
)

// Proof is the engine's verdict on a generated policy: every needed request
// must be allowed, every neighbour (another resource, another action of the
// same service, a condition value outside the project) denied.
type Proof struct {
	Needed     []Check `json:"needed"`
	Neighbours []Check `json:"neighbours"`
	OK         bool    `json:"ok"`
}

// Check is one request decided by the engine.
type Check struct {
	Action   string              `json:"action"`
	Resource string              `json:"resource"`
	Context  map[string][]string `json:"context,omitempty"`
	// Why names what the request stands for ("needed", "other resource", "other action").
	Why string `json:"why"`
	// Want and Got are decisions: "allowed", "implicitDeny", "explicitDeny".
	Want string `json:"want"`
	Got  string `json:"got"`
}

// Passed reports whether the engine decided as wanted (any deny counts as
// a deny for neighbours).
func (c Check) Passed() bool {
	if c.Want == "allowed" {
		return c.Got == "allowed"
	}
	return c.Got != "allowed"
}

// Sample placeholders: a request needs concrete values where a policy has
// wildcards.
const (
	sampleAccount = "123456789012"
	sampleRegion  = "us-east-1"
	sampleName    = "example"
	otherPrefix   = "other"
)

func proofPrincipal(cfg *config.Config) string {
	return "arn:aws:iam::" + or(cfg.Scope.Account, sampleAccount) + ":role/iamguard-proof"
}

func or(v, def string) string {
	if v == "" || strings.ContainsAny(v, "*?") {
		return def
	}
	return v
}

// SampleARN turns an ARN pattern into one concrete ARN it matches: a
// wildcard region or account becomes a real-looking one, '*' in the
// resource part becomes "example" and '?' becomes 'x'.
func SampleARN(pattern, region, account string) string {
	if pattern == "*" || !strings.HasPrefix(pattern, "arn:") {
		return pattern
	}
	f := strings.SplitN(pattern, ":", 6)
	if len(f) < 6 {
		return fill(pattern)
	}
	if strings.ContainsAny(f[1], "*?") {
		f[1] = "aws"
	}
	if strings.ContainsAny(f[3], "*?") {
		f[3] = or(region, sampleRegion)
	}
	if strings.ContainsAny(f[4], "*?") {
		f[4] = or(account, sampleAccount)
	}
	f[5] = fill(f[5])
	return strings.Join(f, ":")
}

// sampleFiller instantiates a pattern: '*' becomes sampleName, '?' becomes 'x'.
var sampleFiller = strings.NewReplacer("*", sampleName, "?", "x")

func fill(s string) string { return sampleFiller.Replace(s) }

// contextFor gives the request the context values that meet the
// statement's conditions (each instantiated like a resource).
func contextFor(conds []grant.Clause) map[string][]string {
	if len(conds) == 0 {
		return nil
	}
	ctx := map[string][]string{}
	for _, c := range conds {
		if len(c.Values) > 0 {
			ctx[c.Key] = []string{fill(c.Values[0])}
		}
	}
	return ctx
}

// proofSets are identity policies compiled for deciding requests by a
// principal of the account: alone, and with a trust policy for sts
// requests (taking on a role also needs the role's trust policy; one that
// trusts the account delegates the decision to the identity policies).
type proofSets struct{ plain, withTrust *eval.PolicySet }

func compileProofSets(cfg *config.Config, identity []*policy.Policy) (proofSets, error) {
	plain, err := eval.Compile(eval.Policies{Identity: identity})
	if err != nil {
		return proofSets{}, err
	}
	trust, err := policy.Parse("trust.json", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+or(cfg.Scope.Account, sampleAccount)+`:root"},"Action":"sts:*"}]}`))
	if err != nil {
		return proofSets{}, err
	}
	withTrust, err := eval.Compile(eval.Policies{Identity: identity, Resource: trust})
	if err != nil {
		return proofSets{}, err
	}
	return proofSets{plain: plain, withTrust: withTrust}, nil
}

// forAction is the set that decides a request for the action.
func (s proofSets) forAction(action string) *eval.PolicySet {
	if policy.IsAssumeRoleAction(action) {
		return s.withTrust
	}
	return s.plain
}

// prove decides each needed request and a sample of neighbours.
func prove(cfg *config.Config, doc *grant.Document, perms []grant.Permission) *Proof {
	pr := &Proof{OK: true}
	p, err := doc.Policy("proof")
	if err != nil {
		pr.OK = false
		return pr
	}
	sets, err := compileProofSets(cfg, []*policy.Policy{p})
	if err != nil {
		pr.OK = false
		return pr
	}
	cat := catalog.Default()
	principal := proofPrincipal(cfg)
	decide := func(c *Check) {
		req, err := eval.Prepare(eval.Request{Principal: principal, Action: c.Action, Resource: c.Resource, Context: c.Context})
		if err != nil {
			c.Got = "error: " + err.Error()
			return
		}
		c.Got = eval.Decide(sets.forAction(c.Action), req).Decision.String()
	}
	region, account := cfg.Scope.Region, cfg.Scope.Account
	granted := map[string]bool{}
	var allowPatterns []*arn.Pattern
	for _, a := range doc.Actions() {
		granted[strings.ToLower(a)] = true
		allowPatterns = append(allowPatterns, arn.CompileAction(a))
	}
	seen := map[string]bool{}
	services := []string{}
	for _, perm := range perms {
		c := Check{Action: perm.Action, Resource: SampleARN(perm.Resource, region, account), Context: contextFor(perm.Conditions), Why: "needed", Want: "allowed"}
		key := c.Action + " " + c.Resource
		if seen[key] {
			continue
		}
		seen[key] = true
		decide(&c)
		pr.Needed = append(pr.Needed, c)
		if svc, _, _ := strings.Cut(perm.Action, ":"); !slices.Contains(services, svc) {
			services = append(services, svc)
		}
		// Another resource of the same kind, outside the pattern.
		if other, ok := neighbourARN(perm.Resource, c.Resource, cfg.ResourcePrefix()); ok && !seen["n "+perm.Action+other] {
			seen["n "+perm.Action+other] = true
			n := Check{Action: perm.Action, Resource: other, Context: c.Context, Why: "other resource", Want: "implicitDeny"}
			if !coveredByAny(doc, perm.Action, other) {
				decide(&n)
				pr.Neighbours = append(pr.Neighbours, n)
			}
		}
		// A condition value outside the project.
		for _, cl := range perm.Conditions {
			if len(cl.Values) == 0 || !strings.Contains(cl.Values[0], cfg.ResourcePrefix()) || cfg.ResourcePrefix() == "" {
				continue
			}
			ctx := map[string][]string{}
			for k, v := range c.Context {
				ctx[k] = v
			}
			ctx[cl.Key] = []string{strings.Replace(fill(cl.Values[0]), cfg.ResourcePrefix(), otherPrefix, 1)}
			k := "c " + perm.Action + cl.Key
			if seen[k] {
				continue
			}
			seen[k] = true
			n := Check{Action: perm.Action, Resource: c.Resource, Context: ctx, Why: "condition value outside the project (" + cl.Key + ")", Want: "implicitDeny"}
			decide(&n)
			pr.Neighbours = append(pr.Neighbours, n)
		}
	}
	// Other actions of each service: the most dangerous ones not granted.
	for _, svc := range services {
		s, ok := cat.Service(svc)
		if !ok {
			continue
		}
		var samples []string
		for _, n := range pr.Needed {
			if strings.HasPrefix(n.Action, svc+":") && n.Resource != "*" {
				samples = append(samples, n.Resource)
			}
		}
		for _, a := range otherActions(cat, s, granted, allowPatterns, samples, 3) {
			res := "*"
			for _, n := range pr.Needed {
				if strings.HasPrefix(n.Action, svc+":") && n.Resource != "*" && cat.ActionResourceMatches(a, n.Resource) {
					res = n.Resource
					break
				}
			}
			if res == "*" && len(a.Resources) > 0 && a.Resources[0].Type != nil && len(a.Resources[0].Type.ARNTemplates) > 0 {
				res = sampleFromTemplate(a.Resources[0].Type.ARNTemplates[0], region, account)
			}
			n := Check{Action: a.FullName(), Resource: res, Why: "other action of " + svc, Want: "implicitDeny"}
			decide(&n)
			pr.Neighbours = append(pr.Neighbours, n)
		}
	}
	for _, c := range append(slices.Clone(pr.Needed), pr.Neighbours...) {
		if !c.Passed() {
			pr.OK = false
		}
	}
	return pr
}

// coveredByAny reports whether the document grants action on resource
// through another of its statements (then the "neighbour" is not one).
func coveredByAny(doc *grant.Document, action, resource string) bool {
	for _, s := range doc.Statement {
		if !slices.ContainsFunc(s.Action, func(a string) bool { return strings.EqualFold(a, action) }) {
			continue
		}
		for _, r := range s.Resource {
			if arn.MatchResource(r, resource) {
				return true
			}
		}
	}
	return false
}

// neighbourARN is a resource next to the pattern's: the project prefix
// replaced by another, else "other-" put before the resource's name.
func neighbourARN(pattern, sample, prefix string) (string, bool) {
	if pattern == "*" || !strings.HasPrefix(sample, "arn:") {
		return "", false
	}
	f := strings.SplitN(sample, ":", 6)
	if len(f) < 6 {
		return "", false
	}
	res := f[5]
	switch {
	case prefix != "" && strings.Contains(res, prefix):
		res = strings.Replace(res, prefix, otherPrefix, 1)
	default:
		// Resource parts start with a type word ("secret:", "table/") or
		// with the name itself (buckets, queues, topics).
		i := strings.IndexAny(res, ":/")
		if i > 0 && strings.Trim(res[:i], "abcdefghijklmnopqrstuvwxyz-") == "" && i < len(res)-1 && f[2] != "s3" {
			res = res[:i+1] + otherPrefix + "-" + res[i+1:]
		} else {
			res = otherPrefix + "-" + res
		}
	}
	f[5] = res
	out := strings.Join(f, ":")
	if arn.MatchResource(pattern, out) {
		return "", false
	}
	return out, true
}

func sampleFromTemplate(t, region, account string) string {
	var b strings.Builder
	for {
		i := strings.Index(t, "${")
		if i < 0 {
			b.WriteString(t)
			break
		}
		b.WriteString(t[:i])
		j := strings.IndexByte(t[i:], '}')
		switch t[i+2 : i+j] {
		case "Partition":
			b.WriteString("aws")
		case "Region":
			b.WriteString(or(region, sampleRegion))
		case "Account":
			b.WriteString(or(account, sampleAccount))
		default:
			b.WriteString(sampleName)
		}
		t = t[i+j+1:]
	}
	return b.String()
}

// otherActions picks up to n actions of the service the policy does not
// grant, worst first: permissions management, then deletes, then other
// writes, then reads.
func otherActions(cat *catalog.Catalog, s *catalog.Service, granted map[string]bool, allow []*arn.Pattern, samples []string, n int) []*catalog.Action {
	// Actions on the very resources the policy grants come first: they are
	// the neighbours a too-broad policy would let through.
	matchers := make([]*catalog.ResourceMatcher, len(samples))
	for i, r := range samples {
		matchers[i] = cat.CompileResourceMatcher(r)
	}
	onSample := func(a *catalog.Action) bool {
		return slices.ContainsFunc(matchers, func(m *catalog.ResourceMatcher) bool { return m.Matches(a) })
	}
	rank := func(a *catalog.Action) int {
		base := 0
		if len(samples) > 0 && !onSample(a) {
			base = 4
		}
		switch {
		case a.HasAccessLevel(catalog.PermissionsManagement):
			return base
		case strings.HasPrefix(a.Name, "Delete"):
			return base + 1
		case a.HasAccessLevel(catalog.Write):
			return base + 2
		}
		return base + 3
	}
	// Each candidate is ranked once: the rank matches ARNs against the
	// catalog's templates, too dear to repeat inside a sort.
	type ranked struct {
		a    *catalog.Action
		rank int
	}
	var cands []ranked
	for _, a := range s.Actions() {
		if granted[strings.ToLower(a.FullName())] || slices.ContainsFunc(allow, func(p *arn.Pattern) bool { return p.Match(a.FullName()) }) {
			continue
		}
		cands = append(cands, ranked{a, rank(a)})
	}
	// One of each rank first, in catalog order, so the sample spans kinds
	// of access.
	var out []*catalog.Action
	for r := 0; r <= 7 && len(out) < n; r++ {
		for _, c := range cands {
			if c.rank == r {
				out = append(out, c.a)
				break
			}
		}
	}
	return out
}

// Summary is the proof in one sentence for the explanation.
func (p *Proof) Summary() string {
	if p == nil {
		return "Proof: not run."
	}
	allowed, denied := 0, 0
	var failed []string
	for _, c := range p.Needed {
		if c.Passed() {
			allowed++
		} else {
			failed = append(failed, fmt.Sprintf("%s on %s is %s, want allowed", c.Action, c.Resource, c.Got))
		}
	}
	var examples []string
	for _, c := range p.Neighbours {
		if c.Passed() {
			denied++
			if len(examples) < 4 {
				examples = append(examples, c.Action+" on "+c.Resource)
			}
		} else {
			failed = append(failed, fmt.Sprintf("%s on %s (%s) is %s, want denied", c.Action, c.Resource, c.Why, c.Got))
		}
	}
	s := fmt.Sprintf("Proof (evaluation engine): allows %d of %d needed request%s and denies %d of %d neighbouring request%s",
		allowed, len(p.Needed), plural(len(p.Needed)), denied, len(p.Neighbours), plural(len(p.Neighbours)))
	if len(examples) > 0 {
		s += " (e.g. " + strings.Join(examples, "; ") + ")"
	}
	s += "."
	if len(failed) > 0 {
		s += " FAILED: " + strings.Join(failed, "; ") + "."
	}
	return s
}
