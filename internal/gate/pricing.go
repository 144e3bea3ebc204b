package gate

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed prices.json
var pricesJSON []byte

// PriceTable is the embedded price list: monthly costs of common resource
// types, with the date and source of the figures.
type PriceTable struct {
	Date          string                `json:"date"`
	Region        string                `json:"region"`
	Currency      string                `json:"currency"`
	HoursPerMonth float64               `json:"hoursPerMonth"`
	Source        string                `json:"source"`
	Notes         []string              `json:"notes"`
	Resources     map[string]priceEntry `json:"resources"`
	// patterns are the keys with a wildcard, longest first.
	patterns []string
}

type priceEntry struct {
	Monthly  float64            `json:"monthly"`
	Hourly   float64            `json:"hourly"`
	By       string             `json:"by"`
	HourlyBy map[string]float64 `json:"hourlyBy"`
	// DoubleWhen names a boolean property that doubles the hourly price
	// (Multi-AZ).
	DoubleWhen string `json:"doubleWhen"`
	// Count names an integer property multiplying the hourly price.
	Count    string            `json:"count"`
	PerUnit  []unitPrice       `json:"perUnit"`
	FreeWhen map[string]string `json:"freeWhen"`
	// Requires are properties without which the price is unknown.
	Requires []string `json:"requires"`
	Note     string   `json:"note"`
}

type unitPrice struct {
	Property string  `json:"property"` // dotted path
	Monthly  float64 `json:"monthly"`
	Hourly   float64 `json:"hourly"`
	Note     string  `json:"note"`
}

// Prices returns the embedded price table, decoded once.
var Prices = sync.OnceValue(func() *PriceTable {
	var t PriceTable
	if err := json.Unmarshal(pricesJSON, &t); err != nil {
		panic("gate: embedded prices.json: " + err.Error()) // a build defect, caught by tests
	}
	for k := range t.Resources {
		if strings.Contains(k, "*") {
			t.patterns = append(t.patterns, k)
		}
	}
	sort.Slice(t.patterns, func(i, j int) bool { return len(t.patterns[i]) > len(t.patterns[j]) })
	return &t
})

// Estimate is a monthly cost worked out from the price table.
type Estimate struct {
	USD   float64
	Known bool
	// Basis says how: the prices and quantities used, or why unknown.
	Basis string
}

// Estimate prices one resource per month. It never guesses: a type or a
// size the table does not list is unknown.
func (t *PriceTable) Estimate(resourceType string, props map[string]any) Estimate {
	e, ok := t.Resources[resourceType]
	key := resourceType
	if !ok {
		for _, p := range t.patterns {
			if m, _ := path.Match(p, resourceType); m {
				e, ok, key = t.Resources[p], true, p
				break
			}
		}
	}
	if !ok {
		return Estimate{Basis: resourceType + " is not in the price table"}
	}
	for prop, v := range e.FreeWhen {
		if s, _ := lookup(props, prop).(string); strings.EqualFold(s, v) {
			return Estimate{Known: true, Basis: fmt.Sprintf("%s with %s=%s costs nothing to exist", resourceType, prop, v)}
		}
	}
	for _, prop := range e.Requires {
		if lookup(props, prop) == nil {
			return Estimate{Basis: fmt.Sprintf("%s without %s cannot be priced", resourceType, prop)}
		}
	}
	var (
		usd   = e.Monthly
		basis []string
	)
	if e.Monthly > 0 {
		basis = append(basis, fmt.Sprintf("%s/month", money(e.Monthly)))
	}
	hourly := e.Hourly
	if e.By != "" {
		v, _ := lookup(props, e.By).(string)
		h, found := e.HourlyBy[v]
		if !found {
			if v == "" {
				return Estimate{Basis: fmt.Sprintf("%s without %s cannot be priced", resourceType, e.By)}
			}
			return Estimate{Basis: fmt.Sprintf("%s %s=%s is not in the price table", resourceType, e.By, v)}
		}
		hourly = h
		basis = append(basis, fmt.Sprintf("%s %s/h", v, money(h)))
	} else if hourly > 0 {
		basis = append(basis, fmt.Sprintf("%s/h", money(hourly)))
	}
	if e.DoubleWhen != "" && truthy(lookup(props, e.DoubleWhen)) {
		hourly *= 2
		basis = append(basis, "×2 "+e.DoubleWhen)
	}
	if e.Count != "" {
		if n, ok := number(lookup(props, e.Count)); ok && n > 1 {
			hourly *= n
			basis = append(basis, fmt.Sprintf("×%g %s", n, e.Count))
		}
	}
	usd += hourly * t.HoursPerMonth
	if hourly > 0 {
		basis = append(basis, fmt.Sprintf("× %g h", t.HoursPerMonth))
	}
	for _, u := range e.PerUnit {
		n, ok := number(lookup(props, u.Property))
		if !ok || n <= 0 {
			continue
		}
		per := u.Monthly + u.Hourly*t.HoursPerMonth
		usd += n * per
		basis = append(basis, fmt.Sprintf("+ %g %s × %s", n, u.Property, money(per)))
	}
	if len(basis) == 0 {
		basis = append(basis, e.Note)
	}
	usd = math.Round(usd*100) / 100
	name := resourceType
	if key != resourceType {
		name += " (" + key + ")"
	}
	return Estimate{USD: usd, Known: true, Basis: fmt.Sprintf("%s: %s = %s/month", name, strings.Join(basis, " "), money(usd))}
}

func money(v float64) string { return "$" + strconv.FormatFloat(v, 'f', -1, 64) }

// lookup follows a dotted property path.
func lookup(props map[string]any, dotted string) any {
	var cur any = props
	for _, part := range strings.Split(dotted, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

func truthy(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return strings.EqualFold(t, "true")
	}
	return false
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	case string:
		// CloudFormation accepts numbers as strings (AllocatedStorage: "20").
		f, err := strconv.ParseFloat(t, 64)
		return f, err == nil
	case float64:
		return t, true
	}
	return 0, false
}
