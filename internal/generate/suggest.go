package generate

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/internal/generate/capability"
	"github.com/iamguard/iamguard/internal/generate/grant"
	"github.com/iamguard/iamguard/internal/generate/sdkmap"
)

// ErrNoMatch means neither a capability nor an action description fits the need.
var ErrNoMatch = errors.New("no capability or action matches the need")

// Plan is what a need resolves to before it becomes a policy: the
// permissions, the name, and the lines that explain the choice.
type Plan struct {
	Need        string
	Name        string
	Permissions []grant.Permission
	Explanation []string
	Warnings    []string
	// Capabilities are the curated entries used (empty for a search result).
	Capabilities []string
	// Accepted maps lint codes the plan carries by necessity to the reason.
	Accepted map[string]string
}

func (plan *Plan) accept(m map[string]string) {
	for k, v := range m {
		if plan.Accepted == nil {
			plan.Accepted = map[string]string{}
		}
		plan.Accepted[k] = v
	}
}

// PlanNeed resolves a need in words to permissions: curated capabilities
// first, then the ranked description search.
func PlanNeed(need string, opts Options) (*Plan, error) {
	need = strings.TrimSpace(need)
	if need == "" {
		return nil, fmt.Errorf("the need is empty: say what the workload must do, e.g. \"upload files to S3\"")
	}
	cfg := opts.config()
	m := sdkmap.Default()
	sc := scopeOf(cfg)
	plan := &Plan{Need: need}
	if matches := capability.Find(need); len(matches) > 0 {
		ph := capability.Placeholders{Region: cfg.Scope.Region, Account: cfg.Scope.Account, Prefix: cfg.ResourcePrefix(), Project: cfg.Project}
		var words []string
		for _, mt := range matches {
			e := mt.Entry
			perms, warns, err := e.Permissions(m, sc, ph)
			if err != nil {
				return nil, err
			}
			plan.Permissions = append(plan.Permissions, perms...)
			plan.Warnings = append(plan.Warnings, warns...)
			plan.Capabilities = append(plan.Capabilities, e.ID)
			plan.accept(e.Accept)
			words = append(words, e.Actions)
			line := fmt.Sprintf("Need %q: capability %s (%s), matched on %q.", need, e.ID, e.Summary, mt.Phrase)
			if e.Note != "" {
				line += " " + e.Note
			}
			plan.Explanation = append(plan.Explanation, line)
		}
		plan.Name = cfg.PolicyName(matches[0].Entry.Service, strings.Join(words, ""))
	} else {
		if err := planFromSearch(plan, cfg, m, sc); err != nil {
			return nil, err
		}
	}
	if len(opts.Resources) > 0 {
		plan.Permissions, plan.Warnings = overrideResources(m.Catalog(), plan.Permissions, opts.Resources, plan.Warnings)
		plan.Explanation = append(plan.Explanation, fmt.Sprintf("Resources: from --resource (%s), each action given those it acts on.", strings.Join(opts.Resources, ", ")))
	} else {
		plan.Explanation = append(plan.Explanation, scopeLine(cfg))
	}
	return plan, nil
}

// PlanEntry plans one curated entry as if it had been asked for.
func PlanEntry(e *capability.Entry, opts Options) (*Plan, error) {
	cfg := opts.config()
	ph := capability.Placeholders{Region: cfg.Scope.Region, Account: cfg.Scope.Account, Prefix: cfg.ResourcePrefix(), Project: cfg.Project}
	perms, warns, err := e.Permissions(sdkmap.Default(), scopeOf(cfg), ph)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Need: e.Summary, Name: cfg.PolicyName(e.Service, e.Actions), Permissions: perms, Warnings: warns, Capabilities: []string{e.ID},
		Explanation: []string{"Capability " + e.ID + ": " + e.Summary + "."}}
	plan.accept(e.Accept)
	return plan, nil
}

// searchKeep is how close to the best hit another action of the same
// service must score to be included.
const searchKeep = 0.75

func planFromSearch(plan *Plan, cfg *config.Config, m *sdkmap.Map, sc sdkmap.Scope) error {
	// The hits come as IDs: only the top's service is decoded, the others
	// are skipped by their service alone.
	hits := capability.SearchIDs(plan.Need, 25)
	if len(hits) == 0 || hits[0].Score < 3 {
		return fmt.Errorf("%w %q; try words from the action's description (iamguard actions 'service:*' lists them)", ErrNoMatch, plan.Need)
	}
	cat := catalog.Default()
	top := capability.Hit{Action: cat.ActionByID(hits[0].ID), Score: hits[0].Score}
	chosen := []capability.Hit{top}
	// Others join only when their own name's object (the words after the
	// verb) is in the need: a description that merely mentions the need, or
	// the same verb on another thing, is not enough.
	need := capability.Tokens(plan.Need)
	for _, h := range hits[1:] {
		if cat.ServiceOf(h.ID) != top.Action.Service || h.Score < searchKeep*top.Score || len(chosen) == 3 {
			continue
		}
		a := cat.ActionByID(h.ID)
		words := capability.Tokens(a.Name)
		if len(words) > 1 && slices.ContainsFunc(words[1:], func(w string) bool { return slices.Contains(need, w) }) {
			chosen = append(chosen, capability.Hit{Action: a, Score: h.Score})
		}
	}
	var names []string
	for _, h := range chosen {
		res := m.Resources(h.Action, nil, sc)
		if res.Origin == sdkmap.OriginWildcard {
			plan.Warnings = append(plan.Warnings, fmt.Sprintf("no project or scope.prefixes.%s configured: %s's resource is %s", h.Action.Service.Prefix, h.Action.FullName(), strings.Join(res.ARNs, ", ")))
		}
		for _, r := range res.ARNs {
			plan.Permissions = append(plan.Permissions, grant.Permission{Action: h.Action.FullName(), Resource: r, Evidence: []grant.Evidence{{Note: "description search"}}})
		}
		names = append(names, fmt.Sprintf("%s (score %.1f: %q)", h.Action.FullName(), h.Score, h.Action.Description))
	}
	plan.Name = cfg.PolicyName(ServiceWord(top.Action.Service), top.Action.Name)
	plan.Explanation = append(plan.Explanation, fmt.Sprintf("Need %q: no reviewed capability matches; a ranked search over the %d action descriptions chose %s.", plan.Need, catalog.Default().NumActions(), strings.Join(names, ", ")))
	plan.Warnings = append(plan.Warnings, "chosen by description search, not from a reviewed capability: check the actions before use")
	return nil
}

func scopeLine(cfg *config.Config) string {
	var parts []string
	if len(cfg.Scope.Prefixes) > 0 {
		keys := make([]string, 0, len(cfg.Scope.Prefixes))
		for k := range cfg.Scope.Prefixes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts = append(parts, "scope.prefixes ("+strings.Join(keys, ", ")+")")
	}
	if p := cfg.ResourcePrefix(); p != "" {
		parts = append(parts, fmt.Sprintf("the project prefix %q (project: %s)", p, cfg.Project))
	}
	if len(parts) == 0 {
		return "Resources: no project or scope.prefixes configured, so names are wildcards; set project in iamguard.yaml or pass --resource."
	}
	return "Resources: scoped to " + strings.Join(parts, ", then ") + "."
}

// overrideResources gives each action the --resource ARNs it acts on; a
// bucket given for object actions becomes its objects ("bucket/*").
func overrideResources(cat *catalog.Catalog, perms []grant.Permission, given []string, warnings []string) ([]grant.Permission, []string) {
	var out []grant.Permission
	done := map[string]bool{}
	for _, p := range perms {
		a, err := cat.Action(p.Action)
		if err != nil {
			out = append(out, p)
			continue
		}
		var fits []string
		for _, r := range given {
			switch {
			case cat.ActionResourceMatches(a, r) && !(a.Service.Prefix == "s3" && wantsObject(a) && !strings.Contains(strings.TrimPrefix(r, "arn:aws:s3:::"), "/")):
				fits = append(fits, r)
			case a.Service.Prefix == "s3" && wantsObject(a) && cat.ActionResourceMatches(a, r+"/*"):
				fits = append(fits, r+"/*")
			}
		}
		if len(fits) == 0 {
			out = append(out, p)
			if !done["warn "+p.Action] {
				warnings = append(warnings, fmt.Sprintf("no --resource fits %s; kept %s", p.Action, p.Resource))
				done["warn "+p.Action] = true
			}
			continue
		}
		if done[p.Action] {
			continue
		}
		done[p.Action] = true
		for _, r := range fits {
			out = append(out, grant.Permission{Action: p.Action, Resource: r, Conditions: p.Conditions, Evidence: p.Evidence})
		}
	}
	return out, warnings
}

func wantsObject(a *catalog.Action) bool {
	return slices.ContainsFunc(a.Resources, func(r catalog.ActionResource) bool { return r.Name == "object" })
}

// Suggest derives the smallest correct policy for a need in words.
func Suggest(need string, opts Options) (*Generated, error) {
	plan, err := PlanNeed(need, opts)
	if err != nil {
		return nil, err
	}
	return plan.Generate(opts)
}

// Generate turns the plan into a linted, proved policy.
func (plan *Plan) Generate(opts Options) (*Generated, error) {
	cfg := opts.config()
	g, err := finish(cfg, plan.Name, plan.Permissions)
	if err != nil {
		return nil, err
	}
	g.Warnings = dedupe(plan.Warnings)
	g.Explanation = append(g.Explanation, plan.Explanation...)
	g.Explanation = append(g.Explanation, fmt.Sprintf("Name: %s, by the naming convention %s.", g.Name, cfg.Naming.Pattern))
	reasons := acceptedReasons()
	for k, v := range plan.Accepted {
		reasons[k] = v
	}
	g.Explanation = append(g.Explanation, lintLines(g, reasons)...)
	g.Accepted = reasons
	g.Explanation = append(g.Explanation, g.Proof.Summary())
	for _, w := range g.Warnings {
		g.Explanation = append(g.Explanation, "Warning: "+w)
	}
	g.Explanation = append(g.Explanation, "Next (seed 001's workflow): attach it in the development account, verify the feature works, then promote the same policy to production.")
	return g, nil
}

// acceptedReasons explains lint findings a generated document carries by
// necessity.
func acceptedReasons() map[string]string {
	return map[string]string{
		"RESOURCE_WILDCARD": "the resource's name is not known (no literal, no project prefix, no --resource); narrow it before use.",
	}
}

func dedupe(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
