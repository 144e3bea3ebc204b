package generate

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/internal/generate/fromlogs"
	"github.com/iamguard/iamguard/internal/generate/grant"
	"github.com/iamguard/iamguard/internal/generate/sdkmap"
)

// UsedAction is an action a principal used, how often, and on what.
type UsedAction struct {
	Action    string   `json:"action"`
	Count     int      `json:"count"`
	Resources []string `json:"resources"`
}

// DeniedCall is a call AWS refused.
type DeniedCall struct {
	Action    string `json:"action"`
	Resource  string `json:"resource"`
	Count     int    `json:"count"`
	ErrorCode string `json:"errorCode"`
}

// PrincipalPolicy is the policy generated for one principal from its events.
type PrincipalPolicy struct {
	*Generated
	Principal string
	// Role is the role's name when the principal is a role (for attaching).
	Role   string
	Used   []UsedAction
	Denied []DeniedCall
	Events int
}

// LogsResult is every principal's policy.
type LogsResult struct {
	Policies []*PrincipalPolicy
	Events   int
	// Skipped counts events made by AWS services on their own, or with no
	// identity to attach a policy to.
	Skipped  int
	Warnings []string
}

// LogsOptions tune from-logs.
type LogsOptions struct {
	// IncludeDenied also grants calls AWS refused (AccessDenied): the
	// workload tried them, so it may need them, but they are also what an
	// attacker probing a stolen credential looks like.
	IncludeDenied bool
}

// lambdaVersioned matches the API version suffix some services put on
// event names (UpdateFunctionCode20150331v2).
var lambdaVersioned = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\d{8}(v\d+)?$`) })

// FromLogs derives one policy per principal from CloudTrail events.
func FromLogs(events []fromlogs.Event, opts Options, lo LogsOptions) (*LogsResult, error) {
	cfg := opts.config()
	m := sdkmap.Default()
	cat := m.Catalog()
	res := &LogsResult{Events: len(events)}
	type acc struct {
		perms  []grant.Permission
		used   map[string]*UsedAction
		order  []string
		denied map[string]*DeniedCall
		dOrder []string
		events int
		warns  []string
	}
	byPrincipal := map[string]*acc{}
	var principals []string
	unknown := map[string]bool{}
	// A role's sessions group by account and role name: an event that
	// names the session issuer gives the role's ARN with its path, one
	// that does not gives it without.
	display := map[string]string{}
	for _, ev := range events {
		if ev.Principal == "" {
			res.Skipped++
			continue
		}
		key := roleKey(ev.Principal)
		if len(ev.Principal) > len(display[key]) {
			display[key] = ev.Principal
		}
		p := byPrincipal[key]
		if p == nil {
			p = &acc{used: map[string]*UsedAction{}, denied: map[string]*DeniedCall{}}
			byPrincipal[key] = p
			principals = append(principals, key)
		}
		p.events++
		prefix, ok := m.EventSourcePrefix(ev.Source)
		name := lambdaVersioned().ReplaceAllString(ev.Name, "")
		var actions []*catalog.Action
		if ok {
			actions, ok = m.Actions(prefix, name)
		}
		if !ok {
			key := ev.Source + " " + ev.Name
			if !unknown[key] {
				unknown[key] = true
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s: event %d: no IAM action is known for %s %s", ev.File, ev.Index, ev.Source, ev.Name))
			}
			continue
		}
		sc := scopeOf(cfg)
		if ev.Region != "" {
			sc.Region = ev.Region
		}
		if ev.Account != "" {
			sc.Account = ev.Account
		}
		for _, a := range actions {
			var arns []string
			for _, r := range ev.Resources {
				if cat.ActionResourceMatches(a, r) {
					arns = append(arns, r)
				}
			}
			if len(arns) == 0 {
				r := m.Resources(a, ev.Fields, sc)
				arns = r.ARNs
				if r.Origin == sdkmap.OriginWildcard || r.Origin == sdkmap.OriginProject {
					p.warns = append(p.warns, fmt.Sprintf("%s %s names no resource in the event; granted on %s", a.FullName(), ev.Name, strings.Join(arns, ", ")))
				}
			}
			if ev.Denied() {
				for _, r := range arns {
					k := a.FullName() + " " + r
					d := p.denied[k]
					if d == nil {
						d = &DeniedCall{Action: a.FullName(), Resource: r, ErrorCode: ev.ErrorCode}
						p.denied[k] = d
						p.dOrder = append(p.dOrder, k)
					}
					d.Count++
				}
				if !lo.IncludeDenied {
					continue
				}
			}
			u := p.used[a.FullName()]
			if u == nil {
				u = &UsedAction{Action: a.FullName()}
				p.used[a.FullName()] = u
				p.order = append(p.order, a.FullName())
			}
			u.Count++
			for _, r := range arns {
				if !slices.Contains(u.Resources, r) {
					u.Resources = append(u.Resources, r)
				}
				p.perms = append(p.perms, grant.Permission{Action: a.FullName(), Resource: r,
					Evidence: []grant.Evidence{{File: ev.File, Note: fmt.Sprintf("event %d: %s at %s", ev.Index, ev.Name, ev.Time)}}})
			}
		}
	}
	slices.Sort(principals)
	// Principals whose policies would share a name get their own suffix.
	baseName := map[string]string{}
	count := map[string]int{}
	for _, key := range principals {
		if p := byPrincipal[key]; len(p.perms) > 0 {
			baseName[key] = nameFor(cfg, cat, p.perms)
			count[baseName[key]]++
		}
	}
	for _, key := range principals {
		p := byPrincipal[key]
		pr := display[key]
		pp := &PrincipalPolicy{Principal: pr, Role: fromlogs.RoleName(pr), Events: p.events}
		for _, k := range p.order {
			pp.Used = append(pp.Used, *p.used[k])
		}
		for _, k := range p.dOrder {
			pp.Denied = append(pp.Denied, *p.denied[k])
		}
		if len(p.perms) == 0 {
			pp.Generated = &Generated{Explanation: []string{fmt.Sprintf("%s: %d event%s, no granted call to base a policy on.", pr, p.events, plural(p.events))}}
			res.Policies = append(res.Policies, pp)
			continue
		}
		name := baseName[key]
		if count[name] > 1 {
			name = uniqueName(name, pr)
		}
		g, err := finish(cfg, name, p.perms)
		if err != nil {
			return nil, err
		}
		g.Warnings = dedupe(p.warns)
		g.Explanation = append(g.Explanation,
			fmt.Sprintf("From logs: %s made %d call%s with %d distinct action%s; the policy grants what it used, on the resources the events name.", pr, p.events, plural(p.events), len(pp.Used), plural(len(pp.Used))),
			fmt.Sprintf("Name: %s, by the naming convention %s.", g.Name, cfg.Naming.Pattern))
		if len(pp.Denied) > 0 {
			verb := "left out (rerun with --include-denied if the workload needs them)"
			if lo.IncludeDenied {
				verb = "included (--include-denied)"
			}
			var ds []string
			for _, d := range pp.Denied {
				ds = append(ds, fmt.Sprintf("%s on %s ×%d (%s)", d.Action, d.Resource, d.Count, d.ErrorCode))
			}
			g.Explanation = append(g.Explanation, fmt.Sprintf("Denied by AWS and %s: %s.", verb, strings.Join(ds, "; ")))
		}
		g.Accepted = acceptedReasons()
		g.Explanation = append(g.Explanation, lintLines(g, g.Accepted)...)
		g.Explanation = append(g.Explanation, g.Proof.Summary())
		pp.Generated = g
		res.Policies = append(res.Policies, pp)
	}
	return res, nil
}

// roleKey is the grouping key of a principal: a role ARN without its path.
func roleKey(principal string) string {
	if i := strings.Index(principal, ":role/"); i >= 0 {
		return principal[:i] + ":role/" + fromlogs.RoleName(principal)
	}
	return principal
}

// uniqueName tells policies of different principals apart by the
// principal's name: SynthCoreAI-S3-ReadWrite → SynthCoreAI-S3-ReadWriteWorker.
func uniqueName(name, principal string) string {
	short := principal[strings.LastIndexAny(principal, "/:")+1:]
	var b strings.Builder
	up := true
	for _, r := range short {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			up = true
			continue
		}
		if up && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		up = false
		b.WriteRune(r)
	}
	return name + b.String()
}
