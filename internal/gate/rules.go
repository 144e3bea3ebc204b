package gate

import (
	"fmt"
	"path"
	"strings"

	"github.com/iamguard/iamguard/config"
)

// CostSource says where a change's monthly cost came from.
type CostSource string

const (
	CostGiven     CostSource = "given"     // the change file's monthlyCost
	CostEstimated CostSource = "estimated" // the embedded price table
	CostUnknown   CostSource = "unknown"   // neither: the rules assume expensive
)

// CostInfo is the monthly cost the rules were applied to.
type CostInfo struct {
	// USD is nil when the cost is unknown.
	USD    *float64   `json:"usd"`
	Source CostSource `json:"source"`
	// Basis explains an estimate, or why the cost is unknown.
	Basis string `json:"basis,omitempty"`
	// PriceTableDate and PriceTableSource identify the figures an
	// estimate used.
	PriceTableDate   string `json:"priceTableDate,omitempty"`
	PriceTableSource string `json:"priceTableSource,omitempty"`
}

// costOf works out a change's monthly cost: as given, else estimated.
func costOf(c *Change) CostInfo {
	if c.MonthlyCost != nil {
		if c.MonthlyCost.Unknown {
			return CostInfo{Source: CostUnknown, Basis: "the change says its monthly cost is unknown"}
		}
		usd := c.MonthlyCost.USD
		return CostInfo{USD: &usd, Source: CostGiven}
	}
	t := Prices()
	est := t.Estimate(c.ResourceType, c.Properties)
	if !est.Known {
		return CostInfo{Source: CostUnknown, Basis: est.Basis}
	}
	usd := est.USD
	return CostInfo{USD: &usd, Source: CostEstimated, Basis: est.Basis, PriceTableDate: t.Date, PriceTableSource: t.Source}
}

// Decision is what the approval rules say about a change.
type Decision struct {
	// Index is the rule's position in approvals.rules (0-based), or -1
	// when no rule matched and the conservative default applied.
	Index    int    `json:"index"`
	Name     string `json:"name"`
	Approval bool   `json:"approval"`
	Scan     bool   `json:"scan"`
	// Why says which facts matched the rule.
	Why string `json:"why"`
}

// NoRuleName names the decision taken when no rule matches.
const NoRuleName = "no-matching-rule"

// Decide applies the organisation's approval rules: the first rule that
// matches the operation, environment, resource type and monthly cost
// decides. An unknown cost matches only rules without a cost bound or with
// just a minimum (it is taken as expensive). When nothing matches, the
// change needs both an approval and a scan.
func Decide(cfg *config.Config, c *Change, cost CostInfo) Decision {
	for i, r := range cfg.Approvals.Rules {
		why, ok := ruleMatches(cfg, r, c, cost)
		if !ok {
			continue
		}
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("rules[%d]", i)
		}
		return Decision{Index: i, Name: name, Approval: r.Approval, Scan: r.Scan, Why: why}
	}
	return Decision{Index: -1, Name: NoRuleName, Approval: true, Scan: true, Why: "no approval rule matches: approval and scan required"}
}

func ruleMatches(cfg *config.Config, r config.ApprovalRule, c *Change, cost CostInfo) (string, bool) {
	var why []string
	if r.Operation != "" {
		if !strings.EqualFold(r.Operation, string(c.Operation)) {
			return "", false
		}
		why = append(why, "operation "+r.Operation)
	}
	if r.Environment != "" {
		switch {
		case r.Environment == c.Environment:
			why = append(why, "environment "+c.Environment)
		case r.Environment == "production" && cfg.IsProduction(c.Environment):
			why = append(why, "production environment "+c.Environment)
		default:
			return "", false
		}
	}
	if len(r.ResourceTypes) > 0 {
		matched := ""
		for _, p := range r.ResourceTypes {
			if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(c.ResourceType)); ok {
				matched = p
				break
			}
		}
		if matched == "" {
			return "", false
		}
		why = append(why, "resource type "+matched)
	}
	if r.MinMonthlyCost != nil || r.MaxMonthlyCost != nil {
		if cost.USD == nil {
			if r.MaxMonthlyCost != nil {
				return "", false
			}
			why = append(why, fmt.Sprintf("unknown cost taken as ≥ %s", money(*r.MinMonthlyCost)))
		} else {
			usd := *cost.USD
			if r.MinMonthlyCost != nil && usd < *r.MinMonthlyCost {
				return "", false
			}
			if r.MaxMonthlyCost != nil && usd >= *r.MaxMonthlyCost {
				return "", false
			}
			switch {
			case r.MinMonthlyCost != nil && r.MaxMonthlyCost != nil:
				why = append(why, fmt.Sprintf("cost %s in [%s, %s)", money(usd), money(*r.MinMonthlyCost), money(*r.MaxMonthlyCost)))
			case r.MinMonthlyCost != nil:
				why = append(why, fmt.Sprintf("cost %s ≥ %s", money(usd), money(*r.MinMonthlyCost)))
			default:
				why = append(why, fmt.Sprintf("cost %s < %s", money(usd), money(*r.MaxMonthlyCost)))
			}
		}
	}
	if len(why) == 0 {
		return "matches everything", true
	}
	return strings.Join(why, ", "), true
}
