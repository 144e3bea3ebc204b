// Package config is the organisation's iamguard.yaml: the project name and
// naming convention, resource scopes, required tags, encryption and MFA
// requirements, lint and scan settings, suppressions, environments and the
// approval rules of the change gate. Every field has a default taken from
// our first users' written rules, so iamguard works with no file at all.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// FileName is the name iamguard looks for beside its inputs.
const FileName = "iamguard.yaml"

// Config is one organisation's rules.
type Config struct {
	// Project is the {Project} of the naming convention and the default
	// resource prefix (lower-cased) for generated policies.
	Project string `yaml:"project"`

	Naming       Naming        `yaml:"naming"`
	Scope        Scope         `yaml:"scope"`
	Forbidden    []string      `yaml:"forbiddenActions"`
	Lint         Lint          `yaml:"lint"`
	Suppressions []Suppression `yaml:"suppressions"`
	Tags         Tags          `yaml:"tags"`
	Encryption   Encryption    `yaml:"encryption"`
	MFA          MFA           `yaml:"mfa"`
	Scan         Scan          `yaml:"scan"`

	Environments map[string]Environment `yaml:"environments"`
	Approvals    Approvals              `yaml:"approvals"`
	Promotion    Promotion              `yaml:"promotion"`

	// File is where the configuration was read from ("" for defaults).
	File string `yaml:"-"`
}

// Naming is the policy naming convention.
type Naming struct {
	// Pattern uses {Project}, {Service} and {Actions}; default
	// "{Project}-{Service}-{Actions}".
	Pattern string `yaml:"pattern"`
	// Disabled turns the NAMING_CONVENTION check off.
	Disabled bool `yaml:"disabled"`
}

// Scope restricts where policies may point.
type Scope struct {
	// Resources are ARN patterns every Allow resource must fall inside
	// (RESOURCE_OUTSIDE_SCOPE). Empty: no scope check.
	Resources []string `yaml:"resources"`
	// Prefixes maps a service prefix to the ARN pattern generators use for
	// that service when the code or request names no resource, e.g.
	// s3: "arn:aws:s3:::synthcoreai-*".
	Prefixes map[string]string `yaml:"prefixes"`
	// Regions and Accounts, when set, are what generators put in ARNs
	// instead of "*".
	Region  string `yaml:"region"`
	Account string `yaml:"account"`
}

// Lint tunes the linter.
type Lint struct {
	FailOn   string            `yaml:"failOn"`   // error|security|warning|suggestion
	Disable  []string          `yaml:"disable"`  // codes never reported
	Severity map[string]string `yaml:"severity"` // code → severity override
}

// Suppression silences one finding code where it is accepted, with a reason.
// Suppressed findings are still reported, marked with the reason.
type Suppression struct {
	Code   string `yaml:"code"`
	Policy string `yaml:"policy"` // policy or resource name; empty matches any
	File   string `yaml:"file"`   // glob on the file path; empty matches any
	Path   string `yaml:"path"`   // JSON path prefix, e.g. "Statement[1]"; empty matches any
	Reason string `yaml:"reason"`
}

// Tags are the tags every taggable resource must carry.
type Tags struct {
	// Required maps a tag key to its allowed values: empty means any value.
	// In YAML a key maps to null (any value), one value, or a list.
	Required map[string]AllowedValues `yaml:"required"`
	// Formats maps a tag key to a format its value must have: "date"
	// (ISO 8601 date, YYYY-MM-DD), "url", or a regular expression.
	Formats map[string]string `yaml:"formats"`
}

// AllowedValues is a tag's allowed values; empty allows any value.
type AllowedValues []string

// UnmarshalYAML accepts null, a scalar, or a sequence of scalars.
func (a *AllowedValues) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			*a = nil
			return nil
		}
		*a = AllowedValues{n.Value}
		return nil
	case yaml.SequenceNode:
		var vs []string
		if err := n.Decode(&vs); err != nil {
			return err
		}
		*a = vs
		return nil
	}
	return fmt.Errorf("line %d: a tag maps to null, a value, or a list of values", n.Line)
}

// Encryption holds the at-rest and in-transit requirements.
type Encryption struct {
	// S3RequireKMS requires aws:kms (not AES-256) on buckets.
	S3RequireKMS bool `yaml:"s3RequireKMS"`
	// MinTLS is the minimum TLS version accepted in transit ("1.2").
	MinTLS string `yaml:"minTLS"`
}

// MFA holds the MFA requirements.
type MFA struct {
	// RequireForProduction: production approvals need an MFA assertion,
	// and IAM users in production templates need an MFA device. Default
	// true (seed 001: "MFA required for production access").
	RequireForProduction bool `yaml:"requireForProduction"`
}

// Scan tunes the resource and secret scanners.
type Scan struct {
	FailOn   string            `yaml:"failOn"`
	Disable  []string          `yaml:"disable"`
	Severity map[string]string `yaml:"severity"`
	// Secrets allowlist entries, each with a reason.
	AllowSecrets []SecretAllow `yaml:"allowSecrets"`
	// Exclude are path globs never scanned (e.g. "testdata/**").
	Exclude []string `yaml:"exclude"`
}

// SecretAllow allows one secret finding by path glob and/or fingerprint.
type SecretAllow struct {
	Path        string `yaml:"path"`
	Fingerprint string `yaml:"fingerprint"`
	Code        string `yaml:"code"`
	Reason      string `yaml:"reason"`
}

// Environment is one deployment target of the change gate.
type Environment struct {
	Production bool   `yaml:"production"`
	Account    string `yaml:"account"`
	Region     string `yaml:"region"`
	Profile    string `yaml:"profile"` // AWS shared-config profile used to apply
	// TagValue is what goes in the Environment tag (e.g. "development").
	TagValue string `yaml:"tagValue"`
}

// Approvals are the change gate's rules.
type Approvals struct {
	// Rules are tried in order; the first that matches decides.
	Rules []ApprovalRule `yaml:"rules"`
	// Approvers may approve; empty allows anyone but the requester.
	Approvers []string `yaml:"approvers"`
	// MCPApprovers may approve over MCP; empty refuses approval over MCP.
	MCPApprovers []string `yaml:"mcpApprovers"`
	// TokenTTL is how long a gate token stays valid (default 1h).
	TokenTTL Duration `yaml:"tokenTTL"`
}

// ApprovalRule is one row of the approval table.
type ApprovalRule struct {
	Name string `yaml:"name"`
	// Operation: create|read|update|delete; empty matches any.
	Operation string `yaml:"operation"`
	// Environment: an environment name, "production" (any production
	// environment), or empty for any.
	Environment string `yaml:"environment"`
	// ResourceTypes are CloudFormation type patterns (e.g. "AWS::IAM::*");
	// empty matches any.
	ResourceTypes []string `yaml:"resourceTypes"`
	// MinMonthlyCost / MaxMonthlyCost bound the monthly cost in USD
	// (min inclusive, max exclusive); nil is unbounded. An unknown cost
	// matches only rules with no bounds or a MinMonthlyCost (treated as
	// expensive: the conservative reading).
	MinMonthlyCost *float64 `yaml:"minMonthlyCost"`
	MaxMonthlyCost *float64 `yaml:"maxMonthlyCost"`

	Approval bool `yaml:"approval"`
	Scan     bool `yaml:"scan"`
}

// Promotion governs dev → prod.
type Promotion struct {
	// RequireDev: a prod change must carry the content hash of the same
	// change applied in a non-production environment.
	RequireDev bool `yaml:"requireDev"`
}

// Duration is a time.Duration written as "1h", "30m".
type Duration struct{ time.Duration }

// UnmarshalYAML parses Go duration syntax.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	d.Duration = v
	return nil
}

// MarshalYAML writes Go duration syntax.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// Error is a problem in a configuration file, with its position.
type Error struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg) }

// Default is the configuration used when no iamguard.yaml is found: the
// seeds' rules (naming convention, required tags, encryption, MFA for
// production, the approval table).
func Default() *Config {
	c := &Config{MFA: MFA{RequireForProduction: true}}
	c.applyDefaults()
	return c
}

func f64(v float64) *float64 { return &v }

// DefaultApprovalRules is seed 001's "Approval Requirements" table.
func DefaultApprovalRules() []ApprovalRule {
	return []ApprovalRule{
		{Name: "delete-resources", Operation: "delete", Approval: true, Scan: false},
		{Name: "read-prod", Operation: "read", Environment: "production", Approval: false, Scan: false},
		{Name: "read", Operation: "read", Approval: false, Scan: false},
		{Name: "update-prod", Operation: "update", Environment: "production", Approval: true, Scan: true},
		{Name: "create-iam-policy", Operation: "create", ResourceTypes: []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy"}, Approval: false, Scan: true},
		{Name: "create-under-10", Operation: "create", MaxMonthlyCost: f64(10), Approval: false, Scan: true},
		{Name: "create-10-or-more", Operation: "create", MinMonthlyCost: f64(10), Approval: true, Scan: true},
		// Not in the seed's table: updates outside production are scanned but
		// need no approval; anything else is approved and scanned (conservative).
		{Name: "update-non-prod", Operation: "update", Approval: false, Scan: true},
		{Name: "default", Approval: true, Scan: true},
	}
}

// DefaultRequiredTags is seed 001's "Required Tags (ALL Resources)".
func DefaultRequiredTags() map[string]AllowedValues {
	return map[string]AllowedValues{
		"MANAGED_BY":  nil,
		"Environment": {"development", "production"},
		"Project":     nil,
		"CostCenter":  nil,
		"CreatedBy":   nil,
		"CreatedDate": nil,
	}
}

func (c *Config) applyDefaults() {
	if c.Naming.Pattern == "" {
		c.Naming.Pattern = "{Project}-{Service}-{Actions}"
	}
	if c.Tags.Required == nil {
		c.Tags.Required = DefaultRequiredTags()
	}
	if c.Tags.Formats == nil {
		c.Tags.Formats = map[string]string{"CreatedDate": "date"}
	}
	if c.Encryption.MinTLS == "" {
		c.Encryption.MinTLS = "1.2"
	}
	if c.Environments == nil {
		c.Environments = map[string]Environment{
			"dev":  {TagValue: "development"},
			"prod": {Production: true, TagValue: "production"},
		}
	}
	if c.Approvals.Rules == nil {
		c.Approvals.Rules = DefaultApprovalRules()
	}
	if c.Approvals.TokenTTL.Duration == 0 {
		c.Approvals.TokenTTL.Duration = time.Hour
	}
	if c.Lint.FailOn == "" {
		c.Lint.FailOn = "error"
	}
	if c.Scan.FailOn == "" {
		// A gate that lets a public bucket, an admin grant or a hardcoded
		// key through is no gate: security findings fail scans and block
		// gate plans unless the configuration says otherwise.
		c.Scan.FailOn = "security"
	}
}

// Parse reads a configuration from YAML (JSON is YAML too). Unknown fields
// and wrong types are errors naming file:line:col.
func Parse(file string, data []byte) (*Config, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, ioEOF) {
			c := Default()
			c.File = file
			return c, nil
		}
		return nil, &Error{File: file, Line: lineOf(err.Error()), Column: 1, Msg: err.Error()}
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if err := checkKnownFields(file, doc, reflect.TypeOf(Config{})); err != nil {
		return nil, err
	}
	// Booleans whose default is true are set before decoding, so an
	// explicit false in the file still wins.
	c := Config{MFA: MFA{RequireForProduction: true}}
	if err := doc.Decode(&c); err != nil {
		return nil, &Error{File: file, Line: lineOf(err.Error()), Column: 1, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	c.File = file
	if err := c.validate(doc); err != nil {
		return nil, err
	}
	c.applyDefaults()
	return &c, nil
}

// Load reads the configuration file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Find returns the configuration for an input path: explicit when given,
// else the nearest iamguard.yaml in the input's directory or its parents
// (stopping at a directory holding .git), else Default().
func Find(explicit, input string) (*Config, error) {
	if explicit != "" {
		return Load(explicit)
	}
	dir := input
	if info, err := os.Stat(input); err == nil && !info.IsDir() {
		dir = filepath.Dir(input)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return Default(), nil
	}
	for {
		candidate := filepath.Join(dir, FileName)
		if _, err := os.Stat(candidate); err == nil {
			rel := candidate
			if wd, err := os.Getwd(); err == nil {
				if r, err := filepath.Rel(wd, candidate); err == nil && !strings.HasPrefix(r, "..") {
					rel = r
				}
			}
			return Load(rel)
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return Default(), nil
}
