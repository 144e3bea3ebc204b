// Package render writes generated policies in the forms people deploy
// them with: IAM JSON, Terraform (aws_iam_policy over an
// aws_iam_policy_document data source), CloudFormation YAML
// (AWS::IAM::ManagedPolicy), the AWS CLI commands that create and attach
// the policy, and text for people.
package render

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/iamguard/iamguard/internal/generate/grant"
	"go.yaml.in/yaml/v3"
)

// Policy is one policy to render.
type Policy struct {
	Name        string
	Description string
	Document    *grant.Document
	// Explanation and Warnings are shown by the text renderer.
	Explanation []string
	Warnings    []string
	// Role is the role to attach the policy to (CLI); empty writes a
	// <ROLE_NAME> placeholder.
	Role string
	// Account is the account ID for the policy ARN (CLI); empty writes
	// <ACCOUNT_ID>.
	Account string
}

// Formats are the policy output formats besides the commands' JSON.
var Formats = []string{"terraform", "cloudformation", "cli", "text", "iam"}

// Write renders policies in a format: "iam" (the documents as IAM JSON),
// "terraform", "cloudformation", "cli" or "text".
func Write(w io.Writer, format string, ps []Policy) error {
	switch format {
	case "iam":
		return IAM(w, ps)
	case "terraform":
		return Terraform(w, ps)
	case "cloudformation":
		return CloudFormation(w, ps)
	case "cli":
		return CLI(w, ps)
	case "text":
		return Text(w, ps)
	}
	return fmt.Errorf("unknown format %q (want json, terraform, cloudformation, cli or text)", format)
}

// IAM writes each document as indented IAM JSON.
func IAM(w io.Writer, ps []Policy) error {
	var b bytes.Buffer
	for _, p := range ps {
		if p.Document == nil {
			continue
		}
		b.Write(p.Document.Indented())
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Text writes each policy for people: the name, the document, why, and
// what to look at.
func Text(w io.Writer, ps []Policy) error {
	var b bytes.Buffer
	for i, p := range ps {
		if i > 0 {
			b.WriteString("\n")
		}
		if p.Document == nil {
			fmt.Fprintf(&b, "No policy needed: %s\n", or(p.Description, "nothing is missing"))
		} else {
			fmt.Fprintf(&b, "Policy %s\n\n", p.Name)
			b.Write(p.Document.Indented())
		}
		if len(p.Explanation) > 0 {
			b.WriteString("\nWhy:\n")
			for _, l := range p.Explanation {
				if w, ok := strings.CutPrefix(l, "Warning: "); ok && slices.Contains(p.Warnings, w) {
					continue // listed under Warnings
				}
				fmt.Fprintf(&b, "  - %s\n", l)
			}
		}
		if len(p.Warnings) > 0 {
			b.WriteString("\nWarnings:\n")
			for _, l := range p.Warnings {
				fmt.Fprintf(&b, "  - %s\n", l)
			}
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

var nonIdent = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9_]+`) })

// terraformName turns a policy name into a Terraform identifier:
// "SynthCoreAI-S3-FileUpload" → "synthcoreai_s3_fileupload".
func terraformName(name string) string {
	id := strings.Trim(nonIdent().ReplaceAllString(strings.ToLower(name), "_"), "_")
	if id == "" || id[0] >= '0' && id[0] <= '9' {
		id = "policy_" + id
	}
	return id
}

// hclString quotes s for HCL: escapes, and "$${" / "%%{" so that policy
// variables such as ${aws:username} are not read as interpolation.
func hclString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case (c == '$' || c == '%') && i+1 < len(s) && s[i+1] == '{':
			b.WriteByte(c)
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func hclList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = hclString(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// Terraform writes an aws_iam_policy_document data source and the
// aws_iam_policy that uses it, per policy.
func Terraform(w io.Writer, ps []Policy) error {
	var b bytes.Buffer
	for i, p := range ps {
		if p.Document == nil {
			continue
		}
		if i > 0 {
			b.WriteString("\n")
		}
		id := terraformName(p.Name)
		fmt.Fprintf(&b, "data \"aws_iam_policy_document\" %s {\n", hclString(id))
		for j, s := range p.Document.Statement {
			if j > 0 {
				b.WriteString("\n")
			}
			b.WriteString("  statement {\n")
			fmt.Fprintf(&b, "    effect    = %s\n", hclString(s.Effect))
			fmt.Fprintf(&b, "    actions   = %s\n", hclList(s.Action))
			fmt.Fprintf(&b, "    resources = %s\n", hclList(s.Resource))
			for _, c := range s.Conditions {
				b.WriteString("\n    condition {\n")
				fmt.Fprintf(&b, "      test     = %s\n", hclString(c.Operator))
				fmt.Fprintf(&b, "      variable = %s\n", hclString(c.Key))
				fmt.Fprintf(&b, "      values   = %s\n", hclList(c.Values))
				b.WriteString("    }\n")
			}
			b.WriteString("  }\n")
		}
		b.WriteString("}\n\n")
		fmt.Fprintf(&b, "resource \"aws_iam_policy\" %s {\n", hclString(id))
		fmt.Fprintf(&b, "  name        = %s\n", hclString(p.Name))
		if p.Description != "" {
			fmt.Fprintf(&b, "  description = %s\n", hclString(p.Description))
		}
		fmt.Fprintf(&b, "  policy      = data.aws_iam_policy_document.%s.json\n", id)
		b.WriteString("}\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// logicalID turns a policy name into a CloudFormation logical ID (letters
// and digits only).
func logicalID(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 || name[0] >= '0' && name[0] <= '9' {
		return "Policy" + b.String()
	}
	return b.String()
}

func str(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		v, ok := kv[i+1].(*yaml.Node)
		if !ok {
			v = str(kv[i+1].(string))
		}
		n.Content = append(n.Content, str(kv[i].(string)), v)
	}
	return n
}

func seq(vs []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	for _, v := range vs {
		n.Content = append(n.Content, str(v))
	}
	return n
}

// stringOrSeq writes one value as a scalar, several as a sequence, like
// the JSON form.
func stringOrSeq(vs []string, alwaysSeq bool) *yaml.Node {
	if len(vs) == 1 && !alwaysSeq {
		return str(vs[0])
	}
	return seq(vs)
}

// CloudFormation writes a template with one AWS::IAM::ManagedPolicy per policy.
func CloudFormation(w io.Writer, ps []Policy) error {
	resources := &yaml.Node{Kind: yaml.MappingNode}
	for _, p := range ps {
		if p.Document == nil {
			continue
		}
		stmts := &yaml.Node{Kind: yaml.SequenceNode}
		for _, s := range p.Document.Statement {
			st := mapping("Effect", s.Effect, "Action", stringOrSeq(s.Action, true), "Resource", stringOrSeq(s.Resource, false))
			if len(s.Conditions) > 0 {
				cond := &yaml.Node{Kind: yaml.MappingNode}
				for _, blk := range grant.ConditionMap(s.Conditions) {
					keys := &yaml.Node{Kind: yaml.MappingNode}
					for _, c := range blk.Keys {
						keys.Content = append(keys.Content, str(c.Key), stringOrSeq(c.Values, false))
					}
					cond.Content = append(cond.Content, str(blk.Operator), keys)
				}
				st.Content = append(st.Content, str("Condition"), cond)
			}
			stmts.Content = append(stmts.Content, st)
		}
		props := mapping("ManagedPolicyName", p.Name)
		if p.Description != "" {
			props.Content = append(props.Content, str("Description"), str(p.Description))
		}
		props.Content = append(props.Content, str("PolicyDocument"), mapping("Version", p.Document.Version, "Statement", stmts))
		resources.Content = append(resources.Content, str(logicalID(p.Name)), mapping("Type", "AWS::IAM::ManagedPolicy", "Properties", props))
	}
	root := mapping("AWSTemplateFormatVersion", "2010-09-09", "Resources", resources)
	if len(ps) == 1 && ps[0].Description != "" {
		root = mapping("AWSTemplateFormatVersion", "2010-09-09", "Description", ps[0].Description, "Resources", resources)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

var shellSafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9+=,.@_/:<>-]+$`) })

func shellQuote(s string) string {
	if shellSafe().MatchString(s) && !strings.ContainsAny(s, "<>") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CLI writes the AWS CLI commands that save each document, create the
// managed policy and attach it to a role, as seed 000's setup
// instructions do.
func CLI(w io.Writer, ps []Policy) error {
	var b bytes.Buffer
	for i, p := range ps {
		if p.Document == nil {
			continue
		}
		if i > 0 {
			b.WriteString("\n")
		}
		file := fileName(p.Name)
		fmt.Fprintf(&b, "# %s\n", p.Name)
		if p.Description != "" {
			fmt.Fprintf(&b, "# %s\n", strings.ReplaceAll(p.Description, "\n", " "))
		}
		fmt.Fprintf(&b, "cat > %s <<'EOF'\n", shellQuote(file))
		b.Write(p.Document.Indented())
		b.WriteString("EOF\n\n")
		fmt.Fprintf(&b, "aws iam create-policy \\\n  --policy-name %s \\\n  --policy-document file://%s\n\n", shellQuote(p.Name), file)
		role := p.Role
		roleArg := "<ROLE_NAME>"
		if role != "" {
			roleArg = shellQuote(role)
		}
		// Placeholders stay bare, as in seed 000's instructions, to be replaced.
		policyARN := "arn:aws:iam::" + or(p.Account, "<ACCOUNT_ID>") + ":policy/" + p.Name
		if !shellSafe().MatchString(policyARN) {
			policyARN = shellQuote(policyARN)
		}
		fmt.Fprintf(&b, "aws iam attach-role-policy \\\n  --role-name %s \\\n  --policy-arn %s\n", roleArg, policyARN)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// fileName is a safe file name for the policy document.
func fileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return or(b.String(), "policy") + ".json"
}
