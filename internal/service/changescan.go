package service

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/gate"
	"github.com/iamguard/iamguard/internal/iac"
	"github.com/iamguard/iamguard/node"
)

// changeScanner is the gate's real scanner: the change's desired state
// becomes a Cloud Control resource (iac.LoadCloudControl) checked by the
// resource rules, with every IAM policy in it linted where it is written;
// and every string property is searched for hardcoded secrets. Findings
// point into the change document ("properties.PolicyDocument.Statement[0]").
type changeScanner struct{ s *Service }

// ScanChange implements gate.Scanner.
func (cs changeScanner) ScanChange(ctx context.Context, c *gate.Change) ([]finding.Finding, error) {
	if c.Operation != gate.Create && c.Operation != gate.Update {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The gate scans after injecting tags into Properties; the document
	// keeps the positions of what the requester wrote. Build the desired
	// state from the first with the positions of the second.
	var orig *node.Node
	if c.Doc != nil {
		orig = c.PropertiesNode()
	}
	at := node.Pos{File: c.File, Line: 1, Column: 1}
	if c.Doc != nil {
		at = c.Doc.Pos
	}
	props := valueNode(c.Properties, orig, at)
	if props.Kind != node.Object {
		props = &node.Node{Kind: node.Object, Pos: at, EndOffset: at.Offset}
	}
	root := &node.Node{Kind: node.Object, Pos: at, Fields: []*node.Field{
		{Key: "TypeName", KeyPos: at, Value: &node.Node{Kind: node.String, Text: c.ResourceType, Pos: at}},
		{Key: "DesiredState", KeyPos: at, Value: props},
	}}
	t, errs := iac.LoadCloudControl(c.File, root)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	var out []finding.Finding
	for _, r := range t.Resources {
		r.Name = cmp.Or(c.Identifier, r.Name)
		out = append(out, cs.s.scanner.Resource(r)...)
	}
	// The gate checks required tags itself, after injecting the ones it
	// sets; the resource rules' tag checks would report them twice.
	out = slices.DeleteFunc(out, func(f finding.Finding) bool { return gateTagCode(f.Code) })
	for i := range out {
		out[i].Path = changePath(out[i].Path)
		if companionRule(out[i].Code) {
			// One Cloud Control resource cannot carry the resource this rule
			// looks for; it is a reminder, not a reason to block the change.
			out[i].Severity = finding.Warning
			out[i].Message += " (a single change cannot carry it: plan the AWS::S3::BucketPolicy as its own change)"
		}
	}
	out = append(out, cs.secrets(c, props)...)
	finding.Sort(out)
	return out, nil
}

// companionRule reports rules that look for a second resource beside the
// one being changed (a bucket's TLS-only policy is an AWS::S3::BucketPolicy).
func companionRule(code string) bool { return code == "S3_TLS_NOT_ENFORCED" }

// gateTagCodes are the resource rules' tag codes the gate reports as
// REQUIRED_TAG_MISSING and REQUIRED_TAG_INVALID.
func gateTagCode(code string) bool {
	return code == "MISSING_REQUIRED_TAGS" || code == "TAG_VALUE_NOT_ALLOWED"
}

// changePath turns the Cloud Control path of a finding into the change
// document's: DesiredState.X → properties.X.
func changePath(p string) string {
	for _, prefix := range []string{"DesiredState.", "DesiredState["} {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			return "properties" + prefix[len("DesiredState"):] + rest
		}
	}
	if p == "DesiredState" {
		return "properties"
	}
	return p
}

// secrets scans every string property for hardcoded secrets, each as a
// one-line "key: value" snippet, and reports it at the property.
func (cs changeScanner) secrets(c *gate.Change, props *node.Node) []finding.Finding {
	var out []finding.Finding
	var walk func(n *node.Node, path, key string)
	walk = func(n *node.Node, path, key string) {
		switch n.Kind {
		case node.String:
			for _, f := range cs.s.secrets.ScanBytes(c.File, []byte(key+": "+strconv.Quote(n.Text)+"\n")) {
				f.File, f.Line, f.Column, f.Path = c.File, n.Pos.Line, n.Pos.Column, path
				out = append(out, f)
			}
		case node.Object:
			for _, f := range n.Fields {
				walk(f.Value, path+"."+f.Key, f.Key)
			}
		case node.Array:
			for i, it := range n.Items {
				walk(it, fmt.Sprintf("%s[%d]", path, i), key)
			}
		}
	}
	walk(props, "properties", "properties")
	return cs.s.tuneSecrets(out)
}

// valueNode converts a plain value to a document node, taking positions
// from orig (the node the value was read from) where it has them; values
// the gate added get their container's position.
func valueNode(v any, orig *node.Node, at node.Pos) *node.Node {
	pos, end := at, at.Offset
	if orig != nil {
		pos, end = orig.Pos, orig.EndOffset
	}
	n := &node.Node{Pos: pos, EndOffset: end}
	switch t := v.(type) {
	case nil:
		n.Kind, n.Text = node.Null, "null"
	case bool:
		n.Kind, n.Text = node.Bool, strconv.FormatBool(t)
	case string:
		n.Kind, n.Text = node.String, t
	case json.Number:
		n.Kind, n.Text = node.Number, t.String()
	case float64:
		n.Kind, n.Text = node.Number, strconv.FormatFloat(t, 'g', -1, 64)
	case int:
		n.Kind, n.Text = node.Number, strconv.Itoa(t)
	case []any:
		n.Kind = node.Array
		for i, it := range t {
			var o *node.Node
			if orig != nil && orig.Kind == node.Array && i < len(orig.Items) {
				o = orig.Items[i]
			}
			n.Items = append(n.Items, valueNode(it, o, pos))
		}
	case map[string]any:
		n.Kind = node.Object
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		// The requester's order first, then what the gate added, sorted.
		order := map[string]int{}
		if orig != nil && orig.Kind == node.Object {
			for i, f := range orig.Fields {
				if _, dup := order[f.Key]; !dup {
					order[f.Key] = i
				}
			}
		}
		slices.SortFunc(keys, func(a, b string) int {
			ia, oka := order[a]
			ib, okb := order[b]
			switch {
			case oka && okb:
				return ia - ib
			case oka:
				return -1
			case okb:
				return 1
			}
			return strings.Compare(a, b)
		})
		for _, k := range keys {
			var o *node.Node
			keyPos := pos
			if orig != nil && orig.Kind == node.Object {
				if f := orig.Field(k); f != nil {
					o, keyPos = f.Value, f.KeyPos
				}
			}
			n.Fields = append(n.Fields, &node.Field{Key: k, KeyPos: keyPos, Value: valueNode(t[k], o, pos)})
		}
	default:
		n.Kind, n.Text = node.String, fmt.Sprint(t)
	}
	return n
}
