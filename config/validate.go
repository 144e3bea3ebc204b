package config

import (
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

var ioEOF = io.EOF

var lineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+)`) })

// lineOf pulls the first "line N" out of a yaml error message.
func lineOf(msg string) int {
	if m := lineRE().FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return n
		}
	}
	return 1
}

// checkKnownFields walks the YAML tree beside the Go type and reports the
// first mapping key that names no field, with its exact position: a typo in
// a security configuration must never be silently ignored.
func checkKnownFields(file string, n *yaml.Node, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == reflect.TypeOf(Duration{}) {
			return nil
		}
		if n.Kind != yaml.MappingNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return nil
			}
			return &Error{File: file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("expected a mapping, found %s", kindName(n))}
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			fields[name] = f.Type
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				return &Error{File: file, Line: k.Line, Column: k.Column, Msg: fmt.Sprintf("unknown field %q%s", k.Value, suggestField(k.Value, fields))}
			}
			if seen[k.Value] {
				return &Error{File: file, Line: k.Line, Column: k.Column, Msg: fmt.Sprintf("duplicate field %q", k.Value)}
			}
			seen[k.Value] = true
			if err := checkKnownFields(file, v, ft); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if t == reflect.TypeOf(AllowedValues{}) {
			return nil
		}
		if n.Kind == yaml.SequenceNode {
			for _, item := range n.Content {
				if err := checkKnownFields(file, item, t.Elem()); err != nil {
					return err
				}
			}
		}
	case reflect.Map:
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if err := checkKnownFields(file, n.Content[i+1], t.Elem()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func suggestField(name string, fields map[string]reflect.Type) string {
	for f := range fields {
		if strings.EqualFold(f, name) {
			return fmt.Sprintf(" (did you mean %q?)", f)
		}
	}
	return ""
}

// validate checks values the YAML types cannot: severities, formats, rules.
func (c *Config) validate(doc *yaml.Node) error {
	at := func(path ...string) (int, int) {
		n := doc
		for _, p := range path {
			next := (*yaml.Node)(nil)
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == p {
						next = n.Content[i+1]
					}
				}
			}
			if next == nil {
				break
			}
			n = next
		}
		return n.Line, n.Column
	}
	bad := func(msg string, path ...string) error {
		l, col := at(path...)
		return &Error{File: c.File, Line: l, Column: col, Msg: msg}
	}
	for _, fo := range []struct{ v, name string }{{c.Lint.FailOn, "lint"}, {c.Scan.FailOn, "scan"}} {
		if fo.v != "" && !validSeverity(fo.v) {
			return bad(fmt.Sprintf("failOn %q is not one of error, security, warning, suggestion", fo.v), fo.name, "failOn")
		}
	}
	for code, sev := range c.Lint.Severity {
		if !validSeverity(sev) {
			return bad(fmt.Sprintf("severity %q for %s is not one of error, security, warning, suggestion", sev, code), "lint", "severity")
		}
	}
	for code, sev := range c.Scan.Severity {
		if !validSeverity(sev) {
			return bad(fmt.Sprintf("severity %q for %s is not one of error, security, warning, suggestion", sev, code), "scan", "severity")
		}
	}
	for i, s := range c.Suppressions {
		if s.Code == "" {
			return bad(fmt.Sprintf("suppressions[%d] needs a code", i), "suppressions")
		}
		if strings.TrimSpace(s.Reason) == "" {
			return bad(fmt.Sprintf("suppressions[%d] (%s) needs a reason: a suppression without one is refused", i, s.Code), "suppressions")
		}
	}
	for i, a := range c.Scan.AllowSecrets {
		if strings.TrimSpace(a.Reason) == "" {
			return bad(fmt.Sprintf("scan.allowSecrets[%d] needs a reason", i), "scan", "allowSecrets")
		}
		if a.Path == "" && a.Fingerprint == "" {
			return bad(fmt.Sprintf("scan.allowSecrets[%d] needs a path or a fingerprint", i), "scan", "allowSecrets")
		}
	}
	for key, f := range c.Tags.Formats {
		if f == "date" || f == "url" {
			continue
		}
		if _, err := regexp.Compile(f); err != nil {
			return bad(fmt.Sprintf("tags.formats.%s: not \"date\", \"url\" or a valid regular expression: %v", key, err), "tags", "formats")
		}
	}
	for i, r := range c.Approvals.Rules {
		switch r.Operation {
		case "", "create", "read", "update", "delete":
		default:
			return bad(fmt.Sprintf("approvals.rules[%d].operation %q is not create, read, update or delete", i, r.Operation), "approvals", "rules")
		}
	}
	if !strings.Contains(c.Naming.Pattern, "{") && c.Naming.Pattern != "" {
		return bad("naming.pattern needs at least one of {Project}, {Service}, {Actions}", "naming", "pattern")
	}
	return nil
}

func validSeverity(s string) bool {
	switch s {
	case "error", "security", "warning", "suggestion":
		return true
	}
	return false
}
