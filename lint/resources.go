package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/arn"
	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/policy"
)

var partitions = map[string]bool{"aws": true, "aws-cn": true, "aws-us-gov": true, "aws-iso": true, "aws-iso-b": true, "aws-iso-e": true, "aws-iso-f": true, "aws-eusc": true}

// The checks below are hand-written rather than regular expressions: they
// run for every ARN, and package-level regexps are compiled at process
// start, which every CLI run pays.

// isAccountID: twelve digits.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isRegionName: two to four letters, one or more "-letters" parts, then
// "-digits" ("us-east-1", "us-gov-west-1", "ap-southeast-5").
func isRegionName(s string) bool {
	first, rest, ok := strings.Cut(s, "-")
	if !ok || len(first) < 2 || len(first) > 4 || !allIn(first, 'a', 'z') {
		return false
	}
	last := strings.LastIndexByte(rest, '-')
	if last < 0 || !allIn(rest[last+1:], '0', '9') {
		return false
	}
	for _, part := range strings.Split(rest[:last], "-") {
		if !allIn(part, 'a', 'z') {
			return false
		}
	}
	return true
}

// allIn: s is not empty and every byte is in [lo, hi].
func allIn(s string, lo, hi byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < lo || s[i] > hi {
			return false
		}
	}
	return s != ""
}

// withoutVariables replaces policy variables ("${aws:username}") with '*',
// which is what they can match for a static check.
func withoutVariables(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+2:], '}')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteByte('*')
		s = s[i+2+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// arnFields is strings.SplitN(t, ":", max) for max ≤ 6 (the ARN fields
// arn:partition:service:region:account:resource) without allocating: the
// fields and how many there are.
type arnFields struct {
	f [6]string
	n int
}

func splitARN(t string, max int) arnFields {
	var a arnFields
	for a.n < max-1 {
		i := strings.IndexByte(t, ':')
		if i < 0 {
			break
		}
		a.f[a.n] = t[:i]
		a.n++
		t = t[i+1:]
	}
	a.f[a.n] = t
	a.n++
	return a
}

// join writes the fields back with ':' between them.
func (a *arnFields) join() string { return strings.Join(a.f[:a.n], ":") }

// coversWholeService reports whether an ARN pattern covers every resource
// of its service (or of one resource type) in every account:
// "arn:aws:logs:*:*:*", "arn:aws:s3:::*/*", "arn:aws:secretsmanager:*:*:secret:*".
// A name prefix ("arn:aws:s3:::engify-ai-uploads/*") is not: only a
// resource-type word of the service's ARN formats ("secret:", "table/") may
// precede the wildcard.
func (ix *catalogIndex) coversWholeService(t string) bool {
	if !strings.HasPrefix(t, "arn:") {
		return false
	}
	a := splitARN(t, 6)
	f := a.f[:a.n]
	if len(f) < 6 {
		return f[len(f)-1] == "*"
	}
	if acct := f[4]; acct != "" && strings.Trim(acct, "*") != "" {
		return false
	}
	res := strings.TrimRight(f[5], "*")
	if res == "" {
		return true
	}
	last := res[len(res)-1]
	if last != '/' && last != ':' {
		return false
	}
	head := res[:len(res)-1]
	if strings.Trim(head, "*") == "" {
		return true
	}
	return ix.arnService(f[2]).typePrefixes[res]
}

// checkResources: each Resource/NotResource value is a well-formed ARN of a
// real resource type that some action of the statement acts on; none is
// covered by another value.
func (ps *pass) checkResources(si *stmtInfo) {
	s := si.s
	for _, l := range []*policy.List{s.Resource, s.NotResource} {
		if l == nil {
			continue
		}
		for i := range l.Values {
			v := &l.Values[i]
			if v.Text == "*" {
				continue
			}
			if !ps.checkARN(v) {
				continue
			}
			if l == s.Resource {
				ps.checkResourceFitsActions(si, v)
			}
		}
		ps.checkRedundantResources(l)
	}
}

// checkARN reports the first problem of a resource ARN; it returns true when
// the ARN is well formed.
func (ps *pass) checkARN(v *policy.Value) bool {
	t := withoutVariables(v.Text)
	if !strings.HasPrefix(t, "arn:") {
		fix := `Write the full ARN, e.g. "arn:aws:s3:::bucket/*".`
		if strings.HasPrefix(strings.ToLower(t), "arn:") {
			fix = `Write the prefix "arn:" in lower case.`
		}
		ps.reportAt("INVALID_ARN_PREFIX", v, fmt.Sprintf(`%q is neither "*" nor an ARN`, v.Text), fix)
		return false
	}
	fields := splitARN(t, 6)
	f := fields.f[:fields.n]
	if len(f) < 6 {
		if hasWildcard(t) {
			return true // "arn:aws:*" spans the remaining fields
		}
		ps.reportAt("MISSING_ARN_FIELD", v, fmt.Sprintf("%q has %d of the 6 ARN fields (arn:partition:service:region:account:resource)", v.Text, len(f)), "")
		return false
	}
	part, svc, region, acct := f[1], f[2], f[3], f[4]
	if !hasWildcard(part) && !partitions[part] {
		ps.reportAt("INVALID_PARTITION", v, fmt.Sprintf("%q is not an AWS partition", part), "")
		return false
	}
	if hasWildcard(svc) {
		return true
	}
	if strings.ToLower(svc) != svc {
		ps.reportAt("INVALID_ARN_SERVICE_CASE", v, fmt.Sprintf("the service %q in the ARN must be lower case", svc), fmt.Sprintf("Write %q.", strings.ToLower(svc)))
		return false
	}
	info := ps.ix.arnService(svc)
	shape := info.shape
	if !info.known {
		ps.reportAt("INVALID_ARN_SERVICE", v, fmt.Sprintf("no AWS resource has ARNs with the service %q", svc), "")
		return false
	}
	switch {
	case region == "" && shape.regionAlways:
		ps.reportAt("MISSING_ARN_REGION", v, fmt.Sprintf("%s ARNs have a region; %q has none", svc, v.Text), "")
		return false
	case region != "" && !hasWildcard(region) && shape.regionNever:
		ps.reportAt("ARN_REGION_NOT_ALLOWED", v, fmt.Sprintf("%s ARNs have no region; %q has %q", svc, v.Text, region), "")
		return false
	case region != "" && !hasWildcard(region) && !isRegionName(region):
		ps.reportAt("INVALID_ARN_REGION", v, fmt.Sprintf("%q is not a region name", region), "")
		return false
	}
	switch {
	case acct != "" && !hasWildcard(acct) && shape.accountNever:
		ps.reportAt("ARN_ACCOUNT_NOT_ALLOWED", v, fmt.Sprintf("%s ARNs have no account ID; %q has %q", svc, v.Text, acct), "")
		return false
	case acct != "" && !hasWildcard(acct) && acct != "aws" && !isAccountID(acct):
		ps.reportAt("INVALID_ARN_ACCOUNT", v, fmt.Sprintf("%q is not a 12-digit account ID", acct), "")
		return false
	}
	if len(ps.l.resourceTypesFor(t)) == 0 {
		// Tell a misplaced region or account from a wrong resource part.
		with := func(i int, s string) bool {
			g := fields
			g.f[i] = s
			return len(ps.l.resourceTypesFor(g.join())) > 0
		}
		switch {
		case acct != "" && with(4, ""):
			ps.reportAt("ARN_ACCOUNT_NOT_ALLOWED", v, fmt.Sprintf("this %s resource has no account ID in its ARN; %q has %q", svc, v.Text, acct), "")
			return false
		case acct == "" && with(4, "*"):
			// AWS-owned resources (SSM documents, public AMIs) have no account.
			return true
		case region != "" && with(3, ""):
			ps.reportAt("ARN_REGION_NOT_ALLOWED", v, fmt.Sprintf("this %s resource has no region in its ARN; %q has %q", svc, v.Text, region), "")
			return false
		case region == "" && with(3, "*"):
			ps.reportAt("MISSING_ARN_REGION", v, fmt.Sprintf("this %s resource has a region in its ARN; %q has none", svc, v.Text), "")
			return false
		}
		ps.reportAt("INVALID_ARN_RESOURCE", v, fmt.Sprintf("%q matches no %s resource type", v.Text, svc), "Use one of these formats: "+strings.Join(ps.serviceTemplates(svc, 4), ", ")+".")
		return false
	}
	return true
}

// serviceTemplates lists up to n (at most maxServiceTemplates) ARN
// templates of an ARN service segment.
func (ps *pass) serviceTemplates(svc string, n int) []string {
	t := ps.ix.arnService(svc).templates
	return t[:min(n, len(t))]
}

// checkResourceFitsActions: UNSUPPORTED_RESOURCE_ARN_IN_POLICY when no
// action of the statement acts on the resource's type.
func (ps *pass) checkResourceFitsActions(si *stmtInfo, v *policy.Value) {
	if si.not || si.set.IsEmpty() || !ps.enabled("UNSUPPORTED_RESOURCE_ARN_IN_POLICY") {
		return
	}
	t := withoutVariables(v.Text)
	// Actions without resource types are authorised against "*", which a
	// pattern may stand for; actions whose ARN formats name the service as a
	// variable (AWS Backup's recovery points) may act on any ARN.
	if hasWildcard(t) && si.set.Intersects(ps.ix.starOnly) || si.set.Intersects(ps.ix.anyService) {
		return
	}
	types := ps.l.resourceTypesFor(t)
	if len(types) == 0 {
		if f := splitARN(t, 6); f.n == 6 && f.f[4] == "" {
			f.f[4] = "*" // an AWS-owned resource (SSM document, public AMI): no account
			types = ps.l.resourceTypesFor(f.join())
		}
	}
	if si.set.isSet {
		typeActions := ps.ix.typeActions()
		for _, rt := range types {
			for _, id := range typeActions[rt] {
				if si.set.set.Has(id) {
					return
				}
			}
		}
	} else {
		// Named actions: look at their own resource types.
		for _, id := range si.set.ids {
			for _, r := range ps.cat.ActionByID(id).Resources {
				if r.Type != nil && slices.Contains(types, r.Type) {
					return
				}
			}
		}
	}
	if ps.mergedServiceResource(si, types) {
		return
	}
	what := ""
	if len(types) > 0 {
		what = fmt.Sprintf(" (a %s %s)", types[0].Service.Prefix, types[0].Name)
	}
	var want, names []string
	seen := map[string]bool{}
	for _, av := range si.acts {
		if !av.ok {
			continue
		}
		var actions []*catalog.Action
		if av.wildcard {
			actions = av.set.Actions(ps.cat)
		} else {
			actions = []*catalog.Action{ps.cat.ActionByID(av.id)}
		}
		if len(names) < 4 {
			names = append(names, av.v.Text)
		}
		for _, a := range actions {
			for _, r := range a.Resources {
				if r.Type == nil {
					continue
				}
				for _, tpl := range r.Type.ARNTemplates {
					tpl = strings.Replace(tpl, "${Partition}", "aws", 1)
					if !seen[tpl] && len(want) < 4 {
						seen[tpl] = true
						want = append(want, tpl)
					}
				}
			}
		}
	}
	fix := `These actions only support "Resource": "*".`
	if len(want) > 0 {
		fix = "The actions act on: " + strings.Join(want, ", ") + "."
	}
	ps.reportAt("UNSUPPORTED_RESOURCE_ARN_IN_POLICY", v, fmt.Sprintf("no action of the statement (%s) acts on %q%s", strings.Join(names, ", "), v.Text, what), fix)
}

// mergedPrefixes are service prefixes that two pages of the Service
// Authorization Reference share (Elastic Load Balancing and its V2;
// API Gateway's management APIs V1 and V2; SES and SES v2; Lex and Lex V2).
// The catalog's source keeps one action table per prefix, so an action
// both pages define (elasticloadbalancing:AddTags, apigateway:GET) lists the
// resource types of one page only
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html).
func mergedPrefix(prefix string) bool {
	switch prefix {
	case "elasticloadbalancing", "apigateway", "ses", "lex":
		return true
	}
	return false
}

// mergedServiceResource reports whether the statement has an action of a
// merged prefix and the resource is a type of that same service: the
// catalog cannot tell whether the other page's action acts on it, so
// UNSUPPORTED_RESOURCE_ARN_IN_POLICY stays silent rather than guess.
func (ps *pass) mergedServiceResource(si *stmtInfo, types []*catalog.ResourceType) bool {
	for _, rt := range types {
		if !mergedPrefix(rt.Service.Prefix) {
			continue
		}
		if si.set.isSet {
			if s, ok := ps.cat.Service(rt.Service.Prefix); ok && len(s.Actions()) > 0 {
				for _, a := range s.Actions() {
					if si.set.set.Has(a.ID) {
						return true
					}
				}
			}
			continue
		}
		for _, id := range si.set.ids {
			if ps.cat.ActionByID(id).Service == rt.Service {
				return true
			}
		}
	}
	return false
}

func (ps *pass) checkRedundantResources(l *policy.List) {
	if len(l.Values) < 2 || !ps.enabled("REDUNDANT_RESOURCE") {
		return
	}
	for i := range l.Values {
		a := &l.Values[i]
		for j := range l.Values {
			b := &l.Values[j]
			if i == j || !arn.Covers(b.Text, a.Text) {
				continue
			}
			if arn.Covers(a.Text, b.Text) && j > i {
				continue // equal patterns: the later one is redundant
			}
			ps.reportAt("REDUNDANT_RESOURCE", a, fmt.Sprintf("%q is already covered by %q in the same statement", a.Text, b.Text), fmt.Sprintf("Remove %q.", a.Text))
			break
		}
	}
}
