package iac

import (
	"regexp"
	"strings"
	"sync"

	"github.com/iamguard/iamguard/node"
	"github.com/iamguard/iamguard/policy"
)

// Policy is an IAM policy document written inside a resource.
type Policy struct {
	// Doc is the document with unresolved intrinsics and references
	// replaced by readable stand-ins (see Template.Flatten), ready for
	// policy.Decode.
	Doc  *node.Node
	Kind policy.Kind
	// Name is the policy's name in the template (PolicyName,
	// ManagedPolicyName, name), else the resource's name.
	Name string
	// Path is the JSON path prefix of the document, ending in ".".
	Path     string
	Resource *Resource
}

type policySite struct {
	docPath  string // path to the document (Lookup syntax)
	namePath string // path to its name, relative to the document's parent
	kind     policy.Kind
}

// policySites lists where each type holds policy documents.
var policySites = map[string][]policySite{
	"AWS::IAM::Policy":                    {{"PolicyDocument", "PolicyName", policy.KindIdentity}},
	"AWS::IAM::ManagedPolicy":             {{"PolicyDocument", "ManagedPolicyName", policy.KindIdentity}},
	"AWS::IAM::RolePolicy":                {{"PolicyDocument", "PolicyName", policy.KindIdentity}},
	"AWS::IAM::UserPolicy":                {{"PolicyDocument", "PolicyName", policy.KindIdentity}},
	"AWS::IAM::GroupPolicy":               {{"PolicyDocument", "PolicyName", policy.KindIdentity}},
	"AWS::IAM::Role":                      {{"AssumeRolePolicyDocument", "RoleName", policy.KindTrust}, {"Policies[].PolicyDocument", "PolicyName", policy.KindIdentity}},
	"AWS::IAM::User":                      {{"Policies[].PolicyDocument", "PolicyName", policy.KindIdentity}},
	"AWS::IAM::Group":                     {{"Policies[].PolicyDocument", "PolicyName", policy.KindIdentity}},
	"AWS::S3::BucketPolicy":               {{"PolicyDocument", "", policy.KindResource}},
	"AWS::SQS::QueuePolicy":               {{"PolicyDocument", "", policy.KindResource}},
	"AWS::SNS::TopicPolicy":               {{"PolicyDocument", "", policy.KindResource}},
	"AWS::KMS::Key":                       {{"KeyPolicy", "", policy.KindResource}},
	"AWS::SecretsManager::ResourcePolicy": {{"ResourcePolicy", "", policy.KindResource}},
	"aws_iam_policy":                      {{"policy", "name", policy.KindIdentity}},
	"aws_iam_role":                        {{"assume_role_policy", "name", policy.KindTrust}, {"inline_policy[].policy", "name", policy.KindIdentity}},
	"aws_iam_role_policy":                 {{"policy", "name", policy.KindIdentity}},
	"aws_iam_user_policy":                 {{"policy", "name", policy.KindIdentity}},
	"aws_iam_group_policy":                {{"policy", "name", policy.KindIdentity}},
	"aws_s3_bucket_policy":                {{"policy", "", policy.KindResource}},
	"aws_sqs_queue_policy":                {{"policy", "", policy.KindResource}},
	"aws_sns_topic_policy":                {{"policy", "", policy.KindResource}},
	"aws_kms_key":                         {{"policy", "", policy.KindResource}},
	"aws_secretsmanager_secret_policy":    {{"policy", "", policy.KindResource}},
	"aws_s3_bucket":                       {{"policy", "", policy.KindResource}},
}

// Policies returns the IAM policy documents the resource holds. A bucket
// policy folded from an aws_s3_bucket_policy is returned by that
// resource, not again by the bucket.
func (r *Resource) Policies() []Policy {
	key := r.SourceType
	if r.Dialect() == DialectCFN {
		key = r.Type
	}
	sites := policySites[key]
	var out []Policy
	for _, site := range sites {
		if key == "aws_s3_bucket" && r.hasChild("aws_s3_bucket_policy") {
			continue
		}
		parent, leaf := splitLast(site.docPath)
		holders := []Match{{Node: r.Props, Path: r.Path}}
		if parent != "" {
			holders = r.Lookup(parent)
		}
		for _, h := range holders {
			f := h.Node.Field(leaf)
			if f == nil {
				continue
			}
			doc := PolicyDocument(f.Value)
			if doc == nil {
				continue
			}
			name := r.Name
			if site.namePath != "" {
				src := h.Node
				if site.kind == policy.KindTrust || parent == "" {
					src = r.Props
				}
				if s, ok := String(src.Get(site.namePath)); ok {
					name = s
				}
			}
			out = append(out, Policy{
				Doc:      r.Template.Flatten(doc),
				Kind:     site.kind,
				Name:     name,
				Path:     joinPath(h.Path, leaf) + ".",
				Resource: r,
			})
		}
	}
	return out
}

func (r *Resource) hasChild(sourceType string) bool {
	for _, c := range r.Children {
		if c.SourceType == sourceType {
			return true
		}
	}
	return false
}

func splitLast(p string) (string, string) {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return "", p
}

// PolicyDocument returns a policy document as an object tree: the value
// itself when it is an object, or the parsed JSON of a string that holds
// one (CloudFormation accepts both; Terraform plans keep policies as
// strings). Positions inside a parsed string are the string's own.
// It returns nil when the value is unknown or not a document.
func PolicyDocument(n *node.Node) *node.Node {
	if n == nil {
		return nil
	}
	if n.Kind == node.Object && IsKnown(n) {
		return n
	}
	s, ok := String(n)
	if !ok || n.Kind != node.String || !strings.HasPrefix(strings.TrimSpace(s), "{") {
		return nil
	}
	doc, err := node.ParseJSON(n.Pos.File, []byte(s))
	if err != nil || doc.Kind != node.Object {
		return nil
	}
	collapse(doc, n.Pos)
	return doc
}

// collapse moves every position of a tree parsed from a string to the
// string's own position: columns inside an escaped string mean nothing in
// the host file.
func collapse(n *node.Node, at node.Pos) {
	n.Pos, n.EndOffset = at, at.Offset
	for _, f := range n.Fields {
		f.KeyPos = at
		collapse(f.Value, at)
	}
	for _, item := range n.Items {
		collapse(item, at)
	}
}

// Flatten returns a copy of n in which unresolved CloudFormation intrinsics
// and unknown Terraform expressions become readable strings, so a policy
// linter sees strings where IAM expects them: a Ref to a resource becomes
// its physical name (or logical ID), Fn::GetAtt X.Arn becomes the ARN
// built from the type's ARN template, AWS::AccountId and AWS::Region
// become "*", and Fn::Sub and Terraform templates are expanded with the
// same stand-ins. Positions are kept.
func (t *Template) Flatten(n *node.Node) *node.Node {
	return t.flatten(n, 0)
}

func (t *Template) flatten(n *node.Node, depth int) *node.Node {
	if n == nil || depth > node.MaxDepth {
		return n
	}
	if !IsKnown(n) {
		s := t.standIn(n, depth)
		return &node.Node{Kind: node.String, Text: s, Pos: n.Pos, EndOffset: n.EndOffset}
	}
	switch n.Kind {
	case node.Object:
		out := *n
		out.Fields = make([]*node.Field, len(n.Fields))
		for i, f := range n.Fields {
			nf := *f
			nf.Value = t.flatten(f.Value, depth+1)
			out.Fields[i] = &nf
		}
		return &out
	case node.Array:
		out := *n
		out.Items = make([]*node.Node, len(n.Items))
		for i, item := range n.Items {
			out.Items[i] = t.flatten(item, depth+1)
		}
		return &out
	}
	return n
}

var tfInterpRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{([^}]*)\}`) })

// standIn renders an unknown value as a string.
func (t *Template) standIn(n *node.Node, depth int) string {
	if n.Tag == UnknownTag {
		text := n.Text
		if strings.HasPrefix(text, `"`) && strings.HasSuffix(text, `"`) && len(text) >= 2 {
			return tfInterpRE().ReplaceAllStringFunc(text[1:len(text)-1], func(m string) string {
				return t.tfRefStandIn(strings.TrimSpace(m[2 : len(m)-1]))
			})
		}
		return t.tfRefStandIn(text)
	}
	name, arg, ok := intrinsic(n)
	if !ok || depth > node.MaxDepth {
		return "*"
	}
	switch name {
	case "Ref":
		return t.refStandIn(arg.Text)
	case "Fn::GetAtt":
		res, attr, _ := getAttParts(arg)
		return t.getAttStandIn(res, attr)
	case "Fn::Sub":
		tmpl := arg
		var vars *node.Node
		if arg.Kind == node.Array && len(arg.Items) > 0 {
			tmpl = arg.Items[0]
			if len(arg.Items) > 1 {
				vars = arg.Items[1]
			}
		}
		return tfInterpRE().ReplaceAllStringFunc(tmpl.Text, func(m string) string {
			v := m[2 : len(m)-1]
			if lit, ok := strings.CutPrefix(v, "!"); ok {
				return "${" + lit + "}"
			}
			if vn := vars.Get(v); vn != nil {
				return t.scalarStandIn(vn, depth+1)
			}
			if res, attr, ok := strings.Cut(v, "."); ok {
				return t.getAttStandIn(res, attr)
			}
			return t.refStandIn(v)
		})
	case "Fn::Join":
		if arg.Kind == node.Array && len(arg.Items) == 2 && arg.Items[1].Kind == node.Array {
			delim, _ := String(arg.Items[0])
			parts := make([]string, len(arg.Items[1].Items))
			for i, p := range arg.Items[1].Items {
				parts[i] = t.scalarStandIn(p, depth+1)
			}
			return strings.Join(parts, delim)
		}
	case "Fn::If":
		if arg.Kind == node.Array && len(arg.Items) == 3 {
			return t.scalarStandIn(arg.Items[1], depth+1)
		}
	case "Fn::Select":
		if arg.Kind == node.Array && len(arg.Items) == 2 {
			idx, _ := Int(arg.Items[0])
			if l := arg.Items[1]; l.Kind == node.Array && idx >= 0 && idx < len(l.Items) {
				return t.scalarStandIn(l.Items[idx], depth+1)
			}
		}
	}
	return "*"
}

func (t *Template) scalarStandIn(n *node.Node, depth int) string {
	if s, ok := String(n); ok {
		return s
	}
	return t.standIn(n, depth)
}

func (t *Template) refStandIn(name string) string {
	switch name {
	case "AWS::Partition":
		return "aws"
	case "AWS::AccountId", "AWS::Region":
		return "*"
	case "AWS::URLSuffix":
		return "amazonaws.com"
	case "AWS::StackName", "AWS::StackId":
		return "stack"
	}
	if r := t.Resource(name); r != nil {
		return r.physicalName()
	}
	return name
}

func (t *Template) getAttStandIn(res, attr string) string {
	r := t.Resource(res)
	if r == nil {
		return res
	}
	if strings.EqualFold(attr, "Arn") {
		return r.arnStandIn()
	}
	return r.physicalName()
}

func (t *Template) tfRefStandIn(expr string) string {
	target, attr, ok := tfRefTarget(expr)
	if !ok {
		// var.x, local.y, each.value: the last name is the best stand-in.
		if i := strings.LastIndexByte(expr, '.'); i >= 0 {
			return expr[i+1:]
		}
		return expr
	}
	r := t.Resource(target)
	if r == nil {
		return "*"
	}
	if attr == "arn" {
		return r.arnStandIn()
	}
	return r.physicalName()
}

// physicalName is the resource's name property when known, else its
// logical name.
func (r *Resource) physicalName() string {
	if st := r.Spec(); st != nil && r.Dialect() == DialectCFN {
		for _, id := range st.Identifier {
			if s, ok := String(r.Props.Get(id)); ok {
				return s
			}
		}
	}
	for _, p := range nameProps {
		if s, ok := String(r.Props.Get(p)); ok {
			return s
		}
	}
	name := r.Name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

var arnPlaceholderRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`) })

// arnStandIn fills the type's ARN template: the partition is aws, region
// and account are "*", identifiers are the resource's physical name.
func (r *Resource) arnStandIn() string {
	st := r.Spec()
	if st == nil || st.ARNTemplate == "" {
		return "arn:aws:*:*:*:" + r.physicalName()
	}
	return arnPlaceholderRE().ReplaceAllStringFunc(st.ARNTemplate, func(m string) string {
		switch m[2 : len(m)-1] {
		case "Partition":
			return "aws"
		case "Region", "Account":
			return "*"
		}
		return r.physicalName()
	})
}
