// Package generate derives least-privilege IAM policies: from a sentence
// (the curated capability catalog, then a ranked search over the catalog's
// action descriptions), from the code that will run (AWS SDK calls in Go,
// TypeScript/JavaScript and Python), and from what ran (CloudTrail). Every
// generated policy is named by the organisation's convention, scoped to its
// resource prefixes, linted, and proved with the evaluation engine: it
// allows each needed request and denies its neighbours.
//
// Seed 001's policy extension workflow is Extend: analyse the policies
// already attached, find the minimum additional permissions, propose a
// policy for the gap only.
package generate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/generate/grant"
	"github.com/iamguard/iamguard/internal/generate/sdkmap"
	"github.com/iamguard/iamguard/lint"
	"github.com/iamguard/iamguard/policy"
)

// Options are what every generator reads.
type Options struct {
	// Config is the organisation's configuration; nil means config.Default().
	Config *config.Config
	// Resources, when set, replace the derived resources (suggest --resource):
	// each action gets those of them it can act on.
	Resources []string
}

func (o Options) config() *config.Config {
	if o.Config == nil {
		return config.Default()
	}
	return o.Config
}

// scope is the configuration's scope in sdkmap's terms.
func scopeOf(cfg *config.Config) sdkmap.Scope {
	return sdkmap.Scope{
		Region:   cfg.Scope.Region,
		Account:  cfg.Scope.Account,
		Prefix:   cfg.ResourcePrefix(),
		Prefixes: cfg.Scope.Prefixes,
	}
}

// Generated is one generated policy with everything that explains it.
type Generated struct {
	Name     string
	Document *grant.Document
	// Explanation is for people: what was chosen and why, the lint verdict
	// and the proof.
	Explanation []string
	// Findings are the linter's findings on the document.
	Findings []finding.Finding
	// Proof is the engine's verdict on needed and neighbouring requests.
	Proof *Proof
	// Accepted maps the lint codes the generator explains (by necessity) to
	// the reason given in the explanation.
	Accepted map[string]string
	// Warnings are things a person must look at (wildcards standing in for
	// names that were not literal, unknown operations).
	Warnings []string
}

// finish builds, names, lints and proves a policy from permissions.
func finish(cfg *config.Config, name string, perms []grant.Permission) (*Generated, error) {
	doc := grant.Build(perms)
	g := &Generated{Name: name, Document: doc}
	p, err := doc.Policy(name)
	if err != nil {
		return nil, fmt.Errorf("generated policy does not parse: %w", err)
	}
	g.Findings = lint.New(cfg).Policy(p, policy.KindIdentity)
	g.Proof = prove(cfg, doc, perms)
	return g, nil
}

// lintLines explains the lint verdict: clean, or each finding that matters
// (error, security, warning) with the reason the generator accepts it.
func lintLines(g *Generated, reasons map[string]string) []string {
	var serious []finding.Finding
	for _, f := range g.Findings {
		if f.Severity.Rank() >= finding.Warning.Rank() && f.Suppressed == "" {
			serious = append(serious, f)
		}
	}
	if len(serious) == 0 {
		n := len(g.Findings)
		if n == 0 {
			return []string{"Lint: no findings."}
		}
		return []string{fmt.Sprintf("Lint: no errors, security findings or warnings (%d suggestion%s).", n, plural(n))}
	}
	var out []string
	for _, f := range serious {
		line := fmt.Sprintf("Lint %s (%s) at %s: %s", f.Code, f.Severity, f.Path, f.Message)
		if !strings.HasSuffix(line, ".") {
			line += "."
		}
		if why, ok := reasons[f.Code]; ok {
			line += " Accepted: " + why
		} else {
			line += " Review before use."
		}
		out = append(out, line)
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// ServiceWord is how a policy name spells a service, as the linter's
// naming check reads it: "S3", "SES", "SecretsManager", "DynamoDB".
func ServiceWord(s *catalog.Service) string {
	if len(s.Prefix) <= 3 {
		return strings.ToUpper(s.Prefix)
	}
	name := s.Name
	for _, p := range []string{"AWS ", "Amazon "} {
		name = strings.TrimPrefix(name, p)
	}
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		for i, r := range w {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				continue
			}
			if i == 0 && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return s.Prefix
	}
	return b.String()
}

// AccessWord is the naming convention's {Actions} word for a set of
// actions: ReadOnly when all read or list, SendOnly when all send or
// publish, ReadWrite when none manages permissions, else Manage.
func AccessWord(actions []*catalog.Action) string {
	readOnly, sendOnly, perms := true, true, false
	for _, a := range actions {
		if !(a.HasAccessLevel(catalog.Read) || a.HasAccessLevel(catalog.List)) || a.HasAccessLevel(catalog.Write) || a.HasAccessLevel(catalog.PermissionsManagement) {
			readOnly = false
		}
		if !strings.HasPrefix(a.Name, "Send") && !strings.HasPrefix(a.Name, "Publish") {
			sendOnly = false
		}
		if a.HasAccessLevel(catalog.PermissionsManagement) {
			perms = true
		}
	}
	switch {
	case len(actions) == 0:
		return "None"
	case readOnly:
		return "ReadOnly"
	case sendOnly:
		return "SendOnly"
	case perms:
		return "Manage"
	}
	return "ReadWrite"
}

// nameFor names a policy granting perms: the service with the most actions
// gives {Service}, the access levels give {Actions}.
func nameFor(cfg *config.Config, cat *catalog.Catalog, perms []grant.Permission) string {
	var actions []*catalog.Action
	count := map[*catalog.Service]int{}
	var order []*catalog.Service
	for _, p := range perms {
		a, err := cat.Action(p.Action)
		if err != nil || slices.Contains(actions, a) {
			continue
		}
		actions = append(actions, a)
		if count[a.Service] == 0 {
			order = append(order, a.Service)
		}
		count[a.Service]++
	}
	if len(order) == 0 {
		return cfg.PolicyName("None", "None")
	}
	main := order[0]
	for _, s := range order {
		if count[s] > count[main] {
			main = s
		}
	}
	return cfg.PolicyName(ServiceWord(main), AccessWord(actions))
}
