// Package capability is the curated capability catalog: reviewed entries
// that turn what someone needs ("file upload to S3") into the least
// privilege that does it, plus a ranked search over the Service
// Authorization Reference's action descriptions for needs no entry covers.
package capability

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/iamguard/iamguard/internal/generate/grant"
	"github.com/iamguard/iamguard/internal/generate/sdkmap"
)

// The reviewed source is capabilities.yaml; the binary embeds its JSON
// form, which decodes about ten times faster (a one-shot CLI run pays it
// every time).
//
//go:generate go run ../internal/yamljson -in capabilities.yaml -out capabilities.json
//go:embed capabilities.json
var data []byte

// Entry is one reviewed capability.
type Entry struct {
	ID         string      `yaml:"id" json:"id"`
	Summary    string      `yaml:"summary" json:"summary"`
	Phrases    []string    `yaml:"phrases" json:"phrases"`
	Hints      []string    `yaml:"hints" json:"hints"`
	Service    string      `yaml:"service" json:"service"`
	Actions    string      `yaml:"actions" json:"actions"`
	Statements []Statement `yaml:"statements" json:"statements"`
	Note       string      `yaml:"note" json:"note"`
	// Accept maps a lint code the entry carries by necessity to the reason.
	Accept map[string]string `yaml:"accept" json:"accept"`

	phraseTokens [][]string
	hintTokens   [][]string
}

// Statement is one group of actions of an entry.
type Statement struct {
	Actions    []string    `yaml:"actions" json:"actions"`
	Resources  []string    `yaml:"resources" json:"resources"`
	Conditions []Condition `yaml:"conditions" json:"conditions"`
}

// Condition is a condition clause with placeholders.
type Condition struct {
	Operator string   `yaml:"operator" json:"operator"`
	Key      string   `yaml:"key" json:"key"`
	Values   []string `yaml:"values" json:"values"`
}

// Entries is the embedded catalog, parsed once.
var Entries = sync.OnceValue(func() []*Entry {
	es, err := Parse(data)
	if err != nil {
		panic("capability: embedded data: " + err.Error()) // TestEntries guards it
	}
	return es
})

// Parse reads capability entries.
func Parse(data []byte) ([]*Entry, error) {
	var es []*Entry
	// Unmarshal reads the embedded bytes in place (a Decoder would copy
	// them into a growing buffer); TestEmbeddedJSONIsCurrent decodes them
	// with unknown fields refused, so a misspelt key in the YAML fails.
	if err := json.Unmarshal(data, &es); err != nil {
		return nil, fmt.Errorf("capabilities.json (from capabilities.yaml): %w", err)
	}
	seen := map[string]bool{}
	for i, e := range es {
		if e.ID == "" || seen[e.ID] {
			return nil, fmt.Errorf("capabilities.yaml: entry %d: missing or duplicate id %q", i, e.ID)
		}
		seen[e.ID] = true
		for _, p := range e.Phrases {
			e.phraseTokens = append(e.phraseTokens, Tokens(p))
		}
		for _, h := range e.Hints {
			e.hintTokens = append(e.hintTokens, Tokens(h))
		}
	}
	return es, nil
}

// ByID finds an entry.
func ByID(id string) (*Entry, bool) {
	i := slices.IndexFunc(Entries(), func(e *Entry) bool { return e.ID == id })
	if i < 0 {
		return nil, false
	}
	return Entries()[i], true
}

// Placeholders are the values an entry's templates are rendered with.
type Placeholders struct {
	Partition, Region, Account string
	Prefix                     string // lower-case project prefix
	Project                    string // project name as configured
}

func (p Placeholders) render(s string) string {
	return strings.NewReplacer(
		"{partition}", or(p.Partition, "aws"),
		"{region}", or(p.Region, "*"),
		"{account}", or(p.Account, "*"),
		"{prefix}", or(p.Prefix, "*"),
		"{project}", or(p.Project, "*"),
	).Replace(s)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// Permissions renders the entry for an organisation: explicit resource
// templates with the placeholders, other actions' resources derived from
// the scope as for generated code. Warnings say where "*" stands in for a
// name because no project or prefix is configured.
func (e *Entry) Permissions(m *sdkmap.Map, sc sdkmap.Scope, ph Placeholders) ([]grant.Permission, []string, error) {
	var perms []grant.Permission
	var warnings []string
	ev := []grant.Evidence{{Note: "capability " + e.ID}}
	for _, st := range e.Statements {
		var conds []grant.Clause
		for _, c := range st.Conditions {
			if ph.Prefix == "" && slices.ContainsFunc(c.Values, func(v string) bool { return strings.Contains(v, "{prefix}") || strings.Contains(v, "{project}") }) {
				// Without a project the condition would only say "*".
				warnings = append(warnings, fmt.Sprintf("no project configured: %s is not narrowed by %s", strings.Join(st.Actions, ", "), c.Key))
				continue
			}
			vals := make([]string, len(c.Values))
			for i, v := range c.Values {
				vals[i] = ph.render(v)
			}
			conds = append(conds, grant.Clause{Operator: c.Operator, Key: c.Key, Values: vals})
		}
		for _, name := range st.Actions {
			a, err := m.Catalog().Action(name)
			if err != nil {
				return nil, nil, fmt.Errorf("capability %s: %w", e.ID, err)
			}
			var resources []string
			if len(st.Resources) > 0 {
				for _, r := range st.Resources {
					resources = append(resources, ph.render(r))
				}
				if ph.Prefix == "" && slices.ContainsFunc(st.Resources, func(r string) bool { return strings.Contains(r, "{prefix}") }) {
					warnings = append(warnings, fmt.Sprintf("no project configured: %s is not scoped to the project's resources", a.FullName()))
				}
			} else {
				res := m.Resources(a, nil, sc)
				resources = res.ARNs
				if res.Origin == sdkmap.OriginWildcard {
					warnings = append(warnings, fmt.Sprintf("no project or scope.prefixes.%s configured: %s's resource is %s", a.Service.Prefix, a.FullName(), strings.Join(res.ARNs, ", ")))
				}
			}
			for _, r := range resources {
				perms = append(perms, grant.Permission{Action: a.FullName(), Resource: r, Conditions: conds, Evidence: ev})
			}
		}
	}
	return perms, dedupe(warnings), nil
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
