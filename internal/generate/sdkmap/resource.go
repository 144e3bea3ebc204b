package sdkmap

import (
	"net/url"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/catalog"
)

// Scope is where the organisation's resources live, from its
// configuration: what generators put in an ARN when the code or request
// names no resource.
type Scope struct {
	Partition string // "aws" when empty
	Region    string // "*" when empty
	Account   string // "*" when empty
	// Prefix is the lower-case project prefix ("synthcoreai"); empty when
	// no project is configured.
	Prefix string
	// Prefixes maps a service prefix to an ARN pattern (config scope.prefixes).
	Prefixes map[string]string
}

// Fields are the literal values seen in one call, by input field name in
// any case. A value ending in '*' is a prefix (a template literal's fixed
// start). The analyzers fill it; CloudTrail's requestParameters too.
type Fields map[string]string

// Get returns the value of the first of names present, ignoring case.
func (f Fields) Get(names ...string) (string, bool) {
	for _, n := range names {
		if v, ok := f[n]; ok {
			return v, true
		}
		for k, v := range f {
			if strings.EqualFold(k, n) {
				return v, true
			}
		}
	}
	return "", false
}

// Origin says how a resource was chosen.
type Origin uint8

const (
	// OriginNone: the action has no resource-level permissions ("*" is exact).
	OriginNone Origin = iota
	// OriginLiteral: the call's literal arguments name it.
	OriginLiteral
	// OriginConfig: the configuration's scope.prefixes pattern.
	OriginConfig
	// OriginProject: the project prefix ("synthcoreai-*").
	OriginProject
	// OriginWildcard: nothing named it; "*" stands in and a warning says so.
	OriginWildcard
)

// Resolved is the resources one action needs.
type Resolved struct {
	ARNs   []string
	Origin Origin
}

// Resources derives the ARNs an action needs from the call's literal
// fields, falling back to the configured scope, then the project prefix,
// then "*".
func (m *Map) Resources(a *catalog.Action, f Fields, sc Scope) Resolved {
	prefix := a.Service.Prefix
	var types []*catalog.ResourceType
	var required []*catalog.ResourceType
	for _, r := range a.Resources {
		if r.Type == nil {
			continue
		}
		types = append(types, r.Type)
		if r.Required {
			required = append(required, r.Type)
		}
	}
	if len(types) == 0 {
		return Resolved{ARNs: []string{"*"}, Origin: OriginNone}
	}
	// A literal ARN the action accepts is used as written.
	var direct []string
	for _, v := range f {
		if strings.HasPrefix(v, "arn:") && m.cat.ActionResourceMatches(a, v) {
			direct = append(direct, secretSuffix(prefix, v, true))
		}
	}
	if len(direct) > 0 {
		slices.Sort(direct)
		return Resolved{ARNs: slices.Compact(direct), Origin: OriginLiteral}
	}
	chosen := required
	if len(chosen) == 0 || len(chosen) > 2 {
		cands := chosen
		if len(cands) == 0 {
			cands = types
		}
		chosen = []*catalog.ResourceType{m.bestType(prefix, cands, f)}
	}
	out := Resolved{Origin: OriginLiteral}
	for _, rt := range chosen {
		arn, origin := m.fill(prefix, rt, f, sc)
		if origin > out.Origin {
			out.Origin = origin
		}
		arns := []string{arn}
		if prefix == "ses" && strings.Contains(arn, "@") {
			// SES authorizes the verified identity: the address, or its domain.
			at := strings.LastIndexByte(arn, '@')
			slash := strings.LastIndexByte(arn[:at], '/')
			arns = append(arns, arn[:slash+1]+arn[at+1:])
		}
		for _, arn := range arns {
			if !slices.Contains(out.ARNs, arn) {
				out.ARNs = append(out.ARNs, arn)
			}
		}
	}
	return out
}

// bestType picks among alternative resource types: the reviewed preference,
// else the one the fields name most of, else the first that is not an
// access point (code names buckets far more often than access points).
func (m *Map) bestType(prefix string, cands []*catalog.ResourceType, f Fields) *catalog.ResourceType {
	if pref, ok := m.PreferredResource[prefix]; ok {
		for _, rt := range cands {
			if rt.Name == pref {
				return rt
			}
		}
	}
	best, bestScore := cands[0], -1
	for _, rt := range cands {
		score := 0
		for _, v := range templateVars(template(rt)) {
			if _, ok := f.Get(m.FieldsFor(prefix, v)...); ok {
				score += 2
			}
		}
		if !strings.Contains(strings.ToLower(rt.Name), "accesspoint") {
			score++
		}
		if score > bestScore {
			best, bestScore = rt, score
		}
	}
	return best
}

func template(rt *catalog.ResourceType) string {
	if len(rt.ARNTemplates) == 0 {
		return "*"
	}
	return rt.ARNTemplates[0]
}

// templateVars lists the ${Var} names of an ARN template, in order.
func templateVars(t string) []string {
	var out []string
	for {
		i := strings.Index(t, "${")
		if i < 0 {
			return out
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			return out
		}
		out = append(out, t[i+2:i+j])
		t = t[i+j+1:]
	}
}

func isPlaceVar(v string) bool { return v == "Partition" || v == "Region" || v == "Account" }

// fill renders rt's ARN template from the fields and the scope.
func (m *Map) fill(prefix string, rt *catalog.ResourceType, f Fields, sc Scope) (string, Origin) {
	tmpl := template(rt)
	region, account := sc.Region, sc.Account
	values := map[string]string{}
	named := false
	for _, v := range templateVars(tmpl) {
		if isPlaceVar(v) {
			continue
		}
		val, ok := f.Get(m.FieldsFor(prefix, v)...)
		if !ok || val == "" {
			continue
		}
		val, r, acct := normalizeValue(prefix, val)
		if r != "" {
			region = r
		}
		if acct != "" {
			account = acct
		}
		values[v] = val
		named = true
	}
	if !named {
		if p, ok := sc.Prefixes[prefix]; ok && p != "" {
			if arn, ok := m.fromConfigured(rt, p); ok {
				return arn, OriginConfig
			}
		}
	}
	origin := OriginLiteral
	first := true
	var b strings.Builder
	rest := tmpl
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		j := strings.IndexByte(rest[i:], '}')
		v := rest[i+2 : i+j]
		rest = rest[i+j+1:]
		switch v {
		case "Partition":
			b.WriteString(or(sc.Partition, "aws"))
		case "Region":
			b.WriteString(or(region, "*"))
		case "Account":
			b.WriteString(or(account, "*"))
		default:
			val, ok := values[v]
			switch {
			case ok:
				if v == "SecretId" {
					val = secretSuffix(prefix, val, false)
				}
			case first && !named && sc.Prefix != "":
				val = ProjectPattern(prefix, sc.Prefix)
				origin = OriginProject
			case first && !named:
				val = "*"
				origin = OriginWildcard
			default:
				val = "*"
			}
			first = false
			b.WriteString(val)
		}
	}
	return b.String(), origin
}

// ProjectPattern is how a project's resources of a service are named when
// nothing else says: "synthcoreai-*" for most, "synthcoreai/*" where names
// are paths (secrets and parameters, as in seed 000's "engify/*").
func ProjectPattern(prefix, project string) string {
	switch prefix {
	case "secretsmanager", "ssm":
		return project + "/*"
	}
	return project + "-*"
}

// fromConfigured fits a configured ARN pattern to a resource type: as is
// when it names that type, or extended by "/*" (bucket → its objects) or
// ":*" when the type lives under it.
func (m *Map) fromConfigured(rt *catalog.ResourceType, p string) (string, bool) {
	cands := []string{p + "/*", p + ":*", p}
	if strings.HasSuffix(p, "/*") || strings.HasSuffix(p, ":*") {
		// Already a pattern of names under a path ("secret:engify/*"):
		// another "/*" would only demand a deeper path.
		cands = []string{p}
	}
	for _, cand := range cands {
		if slices.Contains(m.cat.ResourceTypesForARN(cand), rt) {
			return cand, true
		}
	}
	return "", false
}

// normalizeValue turns a field value into the template variable's value:
// an SQS queue URL into its name (and region and account), an ARN into its
// last name segment.
func normalizeValue(prefix, val string) (name, region, account string) {
	if prefix == "sqs" && strings.HasPrefix(val, "https://") {
		if u, err := url.Parse(val); err == nil {
			parts := strings.Split(strings.Trim(u.Path, "/"), "/")
			host := strings.Split(u.Host, ".")
			if len(host) >= 3 && host[0] == "sqs" {
				region = host[1]
			}
			if len(parts) == 2 {
				return parts[1], region, parts[0]
			}
		}
		return "*", "", ""
	}
	if strings.HasPrefix(val, "arn:") {
		parts := strings.SplitN(val, ":", 6)
		if len(parts) == 6 {
			res := parts[5]
			if i := strings.LastIndexAny(res, ":/"); i >= 0 {
				res = res[i+1:]
			}
			return res, parts[3], parts[4]
		}
	}
	if prefix == "ssm" {
		val = strings.TrimPrefix(val, "/")
	}
	return val, "", ""
}

// secretSuffix adds the "-??????" AWS appends to every secret's name, so a
// policy written from the name matches the real ARN. Patterns that already
// end in '*' need none; a full ARN whose name already ends in a six
// character suffix keeps it.
func secretSuffix(prefix, v string, isARN bool) string {
	if prefix != "secretsmanager" || strings.HasSuffix(v, "*") || strings.HasSuffix(v, "-??????") {
		return v
	}
	if isARN {
		name := v[strings.LastIndexByte(v, ':')+1:]
		if i := strings.LastIndexByte(name, '-'); i >= 0 && len(name)-i-1 == 6 {
			return v
		}
	}
	return v + "-??????"
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
