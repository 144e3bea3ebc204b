package lint

import (
	"fmt"
	"unicode/utf8"

	"github.com/iamguard/iamguard/policy"
)

// sizeQuotas: AWS's character quotas per policy kind, and the code that
// reports exceeding them. Identity, trust and session quotas exclude
// whitespace; SCPs and RCPs count every character, so for them the compact
// size computed here is a lower bound (it only under-reports).
var sizeQuotas = map[policy.Kind]struct {
	code  string
	limit int
}{
	policy.KindIdentity: {"POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", 6144},
	policy.KindBoundary: {"POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", 6144},
	policy.KindTrust:    {"POLICY_SIZE_EXCEEDS_TRUST_POLICY_QUOTA", 2048},
	policy.KindSCP:      {"POLICY_SIZE_EXCEEDS_SCP_QUOTA", 5120},
	policy.KindRCP:      {"POLICY_SIZE_EXCEEDS_RCP_QUOTA", 5120},
	policy.KindSession:  {"POLICY_SIZE_EXCEEDS_SESSION_POLICY_QUOTA", 2048},
	policy.KindResource: {"POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", 20480},
}

func (ps *pass) checkSize() {
	q, ok := sizeQuotas[ps.kind]
	if !ok || !ps.enabled(q.code) {
		return
	}
	if n := compactSize(ps.p); n > q.limit {
		ps.report(q.code, ps.p.Pos, ps.p.Path, fmt.Sprintf("the policy has %d characters without whitespace; the %s policy quota is %d", n, kindName(ps.kind), q.limit), "")
	}
}

// compactSize is the length in characters of the policy written as JSON
// without whitespace, which is how IAM counts it.
func compactSize(p *policy.Policy) int {
	str := func(s string) int { return utf8.RuneCountInString(s) + 2 }
	member := func(key string) int { return str(key) + 1 } // "key":
	scalar := func(v *policy.Value) int {
		if v.Type == policy.TypeString {
			return str(v.Text)
		}
		return utf8.RuneCountInString(v.Text)
	}
	list := func(l *policy.List) int {
		if !l.IsArray && len(l.Values) == 1 {
			return scalar(&l.Values[0])
		}
		n := 2 + max(len(l.Values)-1, 0)
		for i := range l.Values {
			n += scalar(&l.Values[i])
		}
		return n
	}
	object := func(members []int) int {
		n := 2 + max(len(members)-1, 0)
		for _, m := range members {
			n += m
		}
		return n
	}
	principal := func(pr *policy.Principal) int {
		if pr.Wildcard {
			return 3
		}
		var ms []int
		for i := range pr.Entries {
			ms = append(ms, member(pr.Entries[i].Type)+list(&pr.Entries[i].Values))
		}
		return object(ms)
	}
	var top []int
	if p.Version != nil {
		top = append(top, member("Version")+scalar(p.Version))
	}
	if p.ID != nil {
		top = append(top, member("Id")+scalar(p.ID))
	}
	var stmts []int
	for _, s := range p.Statements {
		var ms []int
		if s.Sid != nil {
			ms = append(ms, member("Sid")+scalar(s.Sid))
		}
		if s.Effect != nil {
			ms = append(ms, member("Effect")+scalar(s.Effect))
		}
		if s.Principal != nil {
			ms = append(ms, member("Principal")+principal(s.Principal))
		}
		if s.NotPrincipal != nil {
			ms = append(ms, member("NotPrincipal")+principal(s.NotPrincipal))
		}
		for _, el := range []struct {
			name string
			l    *policy.List
		}{{"Action", s.Action}, {"NotAction", s.NotAction}, {"Resource", s.Resource}, {"NotResource", s.NotResource}} {
			if el.l != nil {
				ms = append(ms, member(el.name)+list(el.l))
			}
		}
		if c := s.Condition; c != nil {
			var ops []int
			for bi := range c.Blocks {
				var keys []int
				for ei := range c.Blocks[bi].Entries {
					e := &c.Blocks[bi].Entries[ei]
					keys = append(keys, member(e.Key.Text)+list(&e.Values))
				}
				ops = append(ops, member(c.Blocks[bi].Operator.Text)+object(keys))
			}
			ms = append(ms, member("Condition")+object(ops))
		}
		stmts = append(stmts, object(ms))
	}
	if p.StatementPresent {
		n := 0
		for _, s := range stmts {
			n += s
		}
		if p.StatementIsArray || len(stmts) != 1 {
			n += 2 + max(len(stmts)-1, 0)
		}
		top = append(top, member("Statement")+n)
	}
	return object(top)
}
