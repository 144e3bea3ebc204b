// Package resource holds iamguard's security rules for infrastructure
// resources: encryption at rest and in transit, required tags, exposure to
// the internet, and IAM users. Each rule reads the provider-neutral model
// of package iac, so one rule covers CloudFormation, Terraform, plans and
// Cloud Control documents; each has good and bad examples in both
// CloudFormation and Terraform under testdata/<CODE>/.
package resource

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/iac"
	"github.com/iamguard/iamguard/node"
)

// Rule is one check with its documentation.
type Rule struct {
	Code     string
	Severity finding.Severity
	// Why the rule exists, in a sentence; Fix says what to change.
	Why string
	Fix string
	// Config names the iamguard.yaml settings that tune the rule.
	Config string
	check  func(c *checker, r *iac.Resource)
}

// Rules returns every rule's metadata, in code order.
func Rules() []Rule {
	rules := allRules()
	out := make([]Rule, len(rules))
	for i, r := range rules {
		r.check = nil
		out[i] = r
	}
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// allRules is the registry; a function, not a variable, so no package
// state can be changed by a caller.
func allRules() []Rule {
	var out []Rule
	out = append(out, restRules()...)
	out = append(out, transitRules()...)
	out = append(out, tagRules()...)
	out = append(out, exposureRules()...)
	out = append(out, iamRules()...)
	return out
}

// Scanner runs the rules with one organisation's configuration. It is
// immutable after New and safe for concurrent use.
type Scanner struct {
	cfg      *config.Config
	rules    []Rule
	severity map[string]finding.Severity
	formats  map[string]*regexp.Regexp
	minTLS   tlsVersion
	prodTags map[string]bool
	// required and formatKeys are the configured tag keys, sorted once.
	required   []string
	formatKeys []string
}

// New prepares a scanner: rules named in scan.disable are dropped and
// scan.severity overrides apply. A nil cfg means config.Default().
func New(cfg *config.Config) *Scanner {
	if cfg == nil {
		cfg = config.Default()
	}
	s := &Scanner{cfg: cfg, severity: map[string]finding.Severity{}, formats: map[string]*regexp.Regexp{}}
	for _, r := range allRules() {
		if slices.Contains(cfg.Scan.Disable, r.Code) {
			continue
		}
		if sev, ok := finding.ParseSeverity(cfg.Scan.Severity[r.Code]); ok {
			r.Severity = sev
		}
		s.rules = append(s.rules, r)
	}
	for key, f := range cfg.Tags.Formats {
		switch f {
		case "date", "url", "":
		default:
			if re, err := regexp.Compile("^(?:" + f + ")$"); err == nil {
				s.formats[key] = re
			}
		}
	}
	for k := range cfg.Tags.Required {
		s.required = append(s.required, k)
	}
	slices.Sort(s.required)
	for k := range cfg.Tags.Formats {
		s.formatKeys = append(s.formatKeys, k)
	}
	slices.Sort(s.formatKeys)
	s.minTLS = parseTLS(cfg.Encryption.MinTLS)
	if s.minTLS == 0 {
		s.minTLS = tls12
	}
	s.prodTags = map[string]bool{"production": true, "prod": true}
	for name, env := range cfg.Environments {
		if env.Production {
			s.prodTags[strings.ToLower(name)] = true
			if env.TagValue != "" {
				s.prodTags[strings.ToLower(env.TagValue)] = true
			}
		}
	}
	return s
}

// Template runs every rule over every resource of a template.
func (s *Scanner) Template(t *iac.Template) []finding.Finding {
	c := &checker{s: s, t: t}
	for _, r := range t.Resources {
		c.resource(r)
	}
	return c.out
}

// Resource runs every rule over one resource (as the change gate does
// with a Cloud Control document).
func (s *Scanner) Resource(r *iac.Resource) []finding.Finding {
	c := &checker{s: s, t: r.Template}
	c.resource(r)
	return c.out
}

// checker collects the findings of one run.
type checker struct {
	s    *Scanner
	t    *iac.Template
	rule *Rule
	out  []finding.Finding
}

func (c *checker) resource(r *iac.Resource) {
	for i := range c.s.rules {
		c.rule = &c.s.rules[i]
		c.rule.check(c, r)
	}
}

// report adds a finding for the current rule at a node (or at the resource
// when n is nil).
func (c *checker) report(r *iac.Resource, n *node.Node, path, msg, fix string) {
	pos := r.Pos
	if n != nil && n.Pos.IsValid() {
		pos = n.Pos
	}
	if path == "" {
		path = r.Path
	}
	c.reportAt(r, pos, path, msg, fix)
}

func (c *checker) reportAt(r *iac.Resource, pos node.Pos, path, msg, fix string) {
	if fix == "" {
		fix = c.rule.Fix
	}
	c.out = append(c.out, finding.Finding{
		Code:     c.rule.Code,
		Severity: c.rule.Severity,
		Message:  msg,
		File:     pos.File,
		Line:     pos.Line,
		Column:   pos.Column,
		Path:     path,
		Fix:      fix,
		Policy:   r.Name,
	})
}

// describe names a resource for messages: "AWS::S3::Bucket Uploads" or
// "aws_s3_bucket.uploads".
func describe(r *iac.Resource) string {
	if r.Dialect() == iac.DialectTF {
		return r.Name
	}
	return r.SourceType + " " + r.Name
}

// pick returns the CloudFormation or Terraform spelling for a resource.
func pick(r *iac.Resource, cfn, tf string) string {
	if r.Dialect() == iac.DialectTF {
		return tf
	}
	return cfn
}

// is reports whether the resource has one of the types (CloudFormation
// names match Type; Terraform names match SourceType).
func is(r *iac.Resource, types ...string) bool {
	for _, t := range types {
		if t == r.Type && !strings.HasPrefix(t, "aws_") || t == r.SourceType {
			return true
		}
	}
	return false
}

// isCFN is is for CloudFormation-named resources only, for rules whose
// CloudFormation and Terraform shapes differ.
func isCFN(r *iac.Resource, types ...string) bool {
	return r.Dialect() == iac.DialectCFN && is(r, types...)
}

// requireTrue reports when a boolean property is absent or known false.
// Unknown values (an unresolved parameter, a Terraform reference) are not
// reported: iamguard flags what it can show, not what it guesses.
func (c *checker) requireTrue(r *iac.Resource, prop, what string) {
	n := r.Get(prop)
	if n == nil {
		c.report(r, nil, "", fmt.Sprintf("%s: %s is not set, so %s", describe(r), lastKey(prop), what), "")
		return
	}
	if v, ok := iac.Bool(n); ok && !v {
		c.report(r, n, joinPath(r.Path, prop), fmt.Sprintf("%s: %s is false, so %s", describe(r), lastKey(prop), what), "")
	}
}

func lastKey(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	return strings.TrimSuffix(path, "[]")
}

func joinPath(prefix, p string) string {
	p = strings.ReplaceAll(p, "[]", "")
	if prefix == "" {
		return p
	}
	return prefix + "." + p
}

// set reports whether a property is present with a value that is not null.
func set(n *node.Node) bool { return n != nil && n.Kind != node.Null }
