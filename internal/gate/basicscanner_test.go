package gate

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/iamguard/iamguard/finding"
)

// BasicScanner is a small, dependency-free stand-in for the real scanner
// (internal/service's changeScanner), for the gate's tests and benchmarks.
// It reports:
//   - WILDCARD_ACTION (error): an Allow statement granting "*"; (security)
//     one granting "service:*";
//   - S3_BUCKET_NOT_ENCRYPTED (error): an S3 bucket without BucketEncryption;
//   - RDS_NOT_ENCRYPTED (error): a DB instance without StorageEncrypted: true;
//   - HARDCODED_AWS_KEY (error): a string property holding an access key ID
//     (production secret detection is internal/scan/secret's).
type BasicScanner struct{}

var accessKeyID = regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`)

// ScanChange implements Scanner.
func (BasicScanner) ScanChange(_ context.Context, c *Change) ([]finding.Finding, error) {
	if c.Operation != Create && c.Operation != Update {
		return nil, nil
	}
	var out []finding.Finding
	add := func(code string, sev finding.Severity, path []any, msg, fix string) {
		pos := c.PosOf(path...)
		out = append(out, finding.Finding{
			Code: code, Severity: sev, Message: msg, Fix: fix,
			File: c.File, Line: pos.Line, Column: pos.Column, Path: jsonPath(path),
		})
	}
	props := c.Properties
	for _, docPath := range policyDocuments(props) {
		doc, _ := lookupPath(props, docPath).(map[string]any)
		stmts := doc["Statement"]
		list, ok := stmts.([]any)
		if !ok {
			list = []any{stmts}
		}
		for i, s := range list {
			st, ok := s.(map[string]any)
			if !ok || st["Effect"] != "Allow" {
				continue
			}
			actions := st["Action"]
			alist, ok := actions.([]any)
			if !ok {
				alist = []any{actions}
			}
			for j, a := range alist {
				name, _ := a.(string)
				p := append(append([]any{"properties"}, docPath...), "Statement")
				if _, isList := stmts.([]any); isList {
					p = append(p, i)
				}
				p = append(p, "Action")
				if _, isList := actions.([]any); isList {
					p = append(p, j)
				}
				switch {
				case name == "*":
					add("WILDCARD_ACTION", finding.Error, p, `the statement allows every action ("*")`, "list the actions the workload calls")
				case strings.HasSuffix(name, ":*"):
					add("WILDCARD_ACTION", finding.Security, p, fmt.Sprintf("the statement allows every %s action", strings.TrimSuffix(name, ":*")), "list the actions the workload calls")
				}
			}
		}
	}
	switch c.ResourceType {
	case "AWS::S3::Bucket":
		if props["BucketEncryption"] == nil {
			add("S3_BUCKET_NOT_ENCRYPTED", finding.Error, []any{"properties"}, "the bucket sets no default encryption", "add BucketEncryption with SSEAlgorithm aws:kms")
		}
	case "AWS::RDS::DBInstance":
		if !truthy(props["StorageEncrypted"]) {
			add("RDS_NOT_ENCRYPTED", finding.Error, []any{"properties"}, "the database storage is not encrypted", "set StorageEncrypted: true")
		}
	}
	walkStrings(props, []any{"properties"}, func(path []any, s string) {
		if accessKeyID.MatchString(s) {
			add("HARDCODED_AWS_KEY", finding.Error, path, "an AWS access key ID is written in the change", "use a role or Secrets Manager, never a key in the resource")
		}
	})
	finding.Sort(out)
	return out, nil
}

// policyDocuments are the property paths of IAM policy documents in a
// resource: PolicyDocument, AssumeRolePolicyDocument, Policies[i].PolicyDocument.
func policyDocuments(props map[string]any) [][]any {
	var out [][]any
	for _, k := range []string{"PolicyDocument", "AssumeRolePolicyDocument"} {
		if _, ok := props[k].(map[string]any); ok {
			out = append(out, []any{k})
		}
	}
	if pols, ok := props["Policies"].([]any); ok {
		for i, p := range pols {
			if m, ok := p.(map[string]any); ok {
				if _, ok := m["PolicyDocument"].(map[string]any); ok {
					out = append(out, []any{"Policies", i, "PolicyDocument"})
				}
			}
		}
	}
	return out
}

func lookupPath(v any, path []any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func walkStrings(v any, path []any, fn func([]any, string)) {
	switch t := v.(type) {
	case string:
		fn(path, t)
	case map[string]any:
		for k, x := range t {
			walkStrings(x, append(path[:len(path):len(path)], k), fn)
		}
	case []any:
		for i, x := range t {
			walkStrings(x, append(path[:len(path):len(path)], i), fn)
		}
	}
}

// jsonPath renders ["properties","Statement",0] as properties.Statement[0].
func jsonPath(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch k := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(k)
		case int:
			fmt.Fprintf(&b, "[%d]", k)
		}
	}
	return b.String()
}
