// Package sdkmap maps AWS SDK calls and CloudTrail events to IAM actions and
// resources: client names to IAM service prefixes, operations to actions
// (same-named by default, a reviewed override table for the exceptions), and
// literal call arguments to ARNs through the catalog's ARN templates.
package sdkmap

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/iamguard/iamguard/catalog"
)

// The reviewed source is sdkmap.yaml; the binary embeds its JSON form, which
// decodes about ten times faster (a one-shot CLI run pays it every time).
//
//go:generate go run ../internal/yamljson -in sdkmap.yaml -out sdkmap.json
//go:embed sdkmap.json
var data []byte

// Map is the loaded mapping. It is read-only.
type Map struct {
	Clients           map[string]string              `yaml:"clients" json:"clients"`
	Operations        map[string]map[string][]string `yaml:"operations" json:"operations"`
	PreferredResource map[string]string              `yaml:"preferredResource" json:"preferredResource"`
	ResourceFields    map[string]map[string][]string `yaml:"resources" json:"resources"`
	KMSKeyFields      []string                       `yaml:"kmsKeyFields" json:"kmsKeyFields"`
	EventSources      map[string]string              `yaml:"eventSources" json:"eventSources"`

	cat *catalog.Catalog
	// lowerOps: prefix → lower-case operation → actions, for case-blind lookups.
	lowerOps map[string]map[string][]string
}

// Default is the embedded mapping over the default catalog, loaded once.
var Default = sync.OnceValue(func() *Map {
	m, err := Parse(data, catalog.Default())
	if err != nil {
		panic("sdkmap: embedded data: " + err.Error()) // a test guards the data
	}
	return m
})

// Parse reads mapping data.
func Parse(data []byte, cat *catalog.Catalog) (*Map, error) {
	var m Map
	// Unmarshal reads the embedded bytes in place (a Decoder would copy
	// them into a growing buffer); TestEmbeddedJSONIsCurrent decodes them
	// with unknown fields refused, so a misspelt key in the YAML fails.
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("sdkmap.json (from sdkmap.yaml): %w", err)
	}
	m.cat = cat
	m.lowerOps = map[string]map[string][]string{}
	for prefix, ops := range m.Operations {
		lo := map[string][]string{}
		for op, actions := range ops {
			lo[strings.ToLower(op)] = actions
		}
		m.lowerOps[prefix] = lo
	}
	return &m, nil
}

// Catalog is the catalog the mapping resolves against.
func (m *Map) Catalog() *catalog.Catalog { return m.cat }

// Normalize lower-cases an SDK client name and drops '-', '_', '.' and
// spaces: "client-secrets-manager"'s "secrets-manager" → "secretsmanager".
func Normalize(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 32)
		case c == '-' || c == '_' || c == ' ' || c == '.':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Prefix maps an SDK client, package or boto3 service name to its IAM
// service prefix: the exception table first, then the name itself when the
// catalog has such a service, then the name normalised.
func (m *Map) Prefix(client string) (string, bool) {
	n := Normalize(client)
	if p, ok := m.Clients[n]; ok {
		return p, true
	}
	if s, ok := m.cat.Service(client); ok {
		return s.Prefix, true
	}
	if s, ok := m.cat.Service(n); ok {
		return s.Prefix, true
	}
	return "", false
}

// EventSourcePrefix maps a CloudTrail eventSource ("s3.amazonaws.com") to
// an IAM prefix.
func (m *Map) EventSourcePrefix(source string) (string, bool) {
	host := strings.TrimSuffix(strings.TrimSuffix(source, ".amazonaws.com.cn"), ".amazonaws.com")
	if p, ok := m.EventSources[host]; ok {
		return p, true
	}
	if s, ok := m.cat.Service(host); ok {
		return s.Prefix, true
	}
	return "", false
}

// Actions maps an operation of a service (IAM prefix) to its IAM actions:
// the override table, else the same-named action when the catalog has it.
// The operation may be PascalCase, camelCase or snake_case.
func (m *Map) Actions(prefix, operation string) ([]*catalog.Action, bool) {
	op := strings.ToLower(strings.ReplaceAll(operation, "_", ""))
	if names, ok := m.lowerOps[prefix][op]; ok {
		out := make([]*catalog.Action, 0, len(names))
		for _, n := range names {
			if a, err := m.cat.Action(n); err == nil {
				out = append(out, a)
			}
		}
		return out, len(out) > 0
	}
	if a, err := m.cat.Action(prefix + ":" + op); err == nil {
		return []*catalog.Action{a}, true
	}
	return nil, false
}

// HasOperation reports whether operation names an IAM action or override
// of the service: analyzers use it to tell SDK method calls from others.
func (m *Map) HasOperation(prefix, operation string) bool {
	_, ok := m.Actions(prefix, operation)
	return ok
}

// IsKMSKeyField reports whether an input field names a KMS key.
func (m *Map) IsKMSKeyField(field string) bool {
	return slices.ContainsFunc(m.KMSKeyFields, func(f string) bool { return strings.EqualFold(f, field) })
}

// FieldsFor lists the input fields (lower-case) that name the ARN template
// variable v of service prefix.
func (m *Map) FieldsFor(prefix, v string) []string {
	return m.ResourceFields[prefix][v]
}
