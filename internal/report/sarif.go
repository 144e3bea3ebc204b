package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"

	"github.com/iamguard/iamguard/finding"
)

// SARIF writes a SARIF 2.1.0 log that code scanning accepts as is: one run,
// rule metadata with help, results with physical and logical locations,
// suppressions with their justification.
type SARIF struct{}

const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      sarifText         `json:"fullDescription"`
	Help                 sarifText         `json:"help"`
	HelpURI              string            `json:"helpUri,omitempty"`
	DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
	Properties           sarifRuleProperty `json:"properties"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProperty struct {
	Tags             []string `json:"tags"`
	SecuritySeverity string   `json:"security-severity,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

// SARIFLevel maps a severity to a SARIF result level.
func SARIFLevel(s finding.Severity) string {
	switch s {
	case finding.Error, finding.Security:
		return "error"
	case finding.Warning:
		return "warning"
	}
	return "note"
}

// securitySeverity is the 0–10 score code scanning uses to rank alerts.
func securitySeverity(s finding.Severity) string {
	switch s {
	case finding.Security:
		return "8.0"
	case finding.Error:
		return "7.0"
	case finding.Warning:
		return "5.0"
	}
	return "2.0"
}

// Report implements Reporter.
func (SARIF) Report(w io.Writer, r Result) error {
	fs := sortedCopy(r.Findings)
	rules := rulesByCode(r.Rules, fs)
	index := map[string]int{}
	driver := sarifDriver{
		Name:           orDefault(r.ToolName, "iamguard"),
		Version:        r.ToolVersion,
		InformationURI: "https://github.com/iamguard/iamguard",
		Rules:          make([]sarifRule, 0, len(rules)),
	}
	for i, rule := range rules {
		index[rule.Code] = i
		help := rule.Why
		if rule.Fix != "" {
			help += "\n\nFix: " + rule.Fix
		}
		driver.Rules = append(driver.Rules, sarifRule{
			ID:                   rule.Code,
			Name:                 ruleName(rule.Code),
			ShortDescription:     sarifText{Text: orDefault(rule.Why, rule.Code)},
			FullDescription:      sarifText{Text: orDefault(rule.Why, rule.Code)},
			Help:                 sarifText{Text: help, Markdown: "**Why:** " + rule.Why + "\n\n**Fix:** " + rule.Fix},
			HelpURI:              rule.HelpURI,
			DefaultConfiguration: sarifRuleConfig{Level: SARIFLevel(rule.Severity)},
			Properties:           sarifRuleProperty{Tags: []string{"security", string(rule.Severity)}, SecuritySeverity: securitySeverity(rule.Severity)},
		})
	}
	results := make([]sarifResult, 0, len(fs))
	for _, f := range fs {
		msg := f.Message
		if f.Fix != "" {
			msg += " Fix: " + f.Fix
		}
		res := sarifResult{
			RuleID:              f.Code,
			RuleIndex:           index[f.Code],
			Level:               SARIFLevel(f.Severity),
			Message:             sarifText{Text: msg},
			PartialFingerprints: map[string]string{"iamguardFinding/v1": fingerprint(f)},
		}
		loc := sarifLocation{}
		if f.File != "" {
			phys := &sarifPhysical{ArtifactLocation: sarifArtifact{URI: filepath.ToSlash(f.File)}}
			if f.Line > 0 {
				phys.Region = &sarifRegion{StartLine: f.Line, StartColumn: f.Column}
			}
			loc.PhysicalLocation = phys
		}
		if f.Path != "" {
			loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: f.Path, Kind: "member"}}
		}
		if loc.PhysicalLocation != nil || loc.LogicalLocations != nil {
			res.Locations = []sarifLocation{loc}
		}
		if f.Suppressed != "" {
			res.Suppressions = []sarifSuppression{{Kind: "external", Justification: f.Suppressed}}
		}
		results = append(results, res)
	}
	log := sarifLog{
		Schema:  sarifSchema,
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

// fingerprint is stable across runs and line moves: code, file, path and message.
func fingerprint(f finding.Finding) string {
	sum := sha256.Sum256([]byte(f.Code + "\x00" + filepath.ToSlash(f.File) + "\x00" + f.Path + "\x00" + f.Message))
	return hex.EncodeToString(sum[:8])
}

// ruleName turns SERVICE_WILDCARD into ServiceWildcard, as SARIF viewers expect.
func ruleName(code string) string {
	var b strings.Builder
	for _, part := range strings.Split(strings.ToLower(code), "_") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
