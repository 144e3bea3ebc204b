// Package iac loads infrastructure code — CloudFormation templates (JSON and
// YAML, short-form intrinsics included), Terraform configurations (HCL),
// Terraform plans (`terraform show -json`) and Cloud Control documents —
// into one provider-neutral model of resources whose every property keeps
// its file, line and column. Rules then read one model, whatever the format.
//
// Properties stay a *node.Node tree. CloudFormation and Cloud Control
// resources keep CloudFormation property names; Terraform configurations
// and plans keep the provider's attribute names, with nested blocks as
// arrays of objects. Terraform AWS provider v4+ split resources (bucket
// encryption, public access block, ACL and policy) are folded into their
// bucket under the v3 inline names, so a rule reads one place.
package iac

import (
	"strconv"
	"strings"

	"github.com/iamguard/iamguard/internal/iac/spec"
	"github.com/iamguard/iamguard/node"
)

// Format is the kind of document a resource came from.
type Format string

const (
	CloudFormation Format = "cloudformation"
	Terraform      Format = "terraform"
	TerraformPlan  Format = "terraform-plan"
	CloudControl   Format = "cloudcontrol"
)

// Dialect is the property naming a resource uses.
type Dialect uint8

const (
	// DialectCFN: CloudFormation property names (CloudFormation, Cloud Control).
	DialectCFN Dialect = iota
	// DialectTF: Terraform attribute names (Terraform HCL and plans).
	DialectTF
)

// Dialect returns the property naming of the format.
func (f Format) Dialect() Dialect {
	if f == Terraform || f == TerraformPlan {
		return DialectTF
	}
	return DialectCFN
}

// Tags on intrinsic and unknown values.
const (
	// UnknownTag marks a value that cannot be known before deployment: a
	// Terraform reference or expression, a parameter without a default.
	// Text holds the expression as written.
	UnknownTag = "!iamguard.unknown"
)

// Error is infrastructure code that parses as JSON or YAML but is not a
// well-formed template (Resources that is not an object, a resource
// without a Type string, DesiredState that is not JSON). Text that is not
// JSON, YAML or HCL at all is a *node.SyntaxError instead.
type Error struct {
	Pos node.Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Template is one loaded unit: a CloudFormation file, a Terraform module
// directory, a plan or a Cloud Control document.
type Template struct {
	Format Format
	// File is the file loaded, or the directory of a Terraform module.
	File      string
	Files     []string // files that contributed resources
	Resources []*Resource
	byName    map[string]*Resource
	// Params are CloudFormation parameters (name → default, nil without one).
	Params map[string]*node.Node
	// mappings are CloudFormation Mappings, for Fn::FindInMap.
	mappings *node.Node
}

// Resource returns the resource with the given logical ID or Terraform
// address, or nil.
func (t *Template) Resource(name string) *Resource {
	if t == nil {
		return nil
	}
	return t.byName[name]
}

func (t *Template) add(r *Resource) {
	if t.byName == nil {
		t.byName = map[string]*Resource{}
	}
	r.Template = t
	t.Resources = append(t.Resources, r)
	t.byName[r.Name] = r
}

// Resource is one resource, whatever the format it came from.
type Resource struct {
	// Type is the CloudFormation type ("AWS::S3::Bucket"); for Terraform
	// it is mapped from SourceType and empty when the type is unmapped or
	// only configures another resource.
	Type string
	// SourceType is the type as written ("aws_s3_bucket" in Terraform).
	SourceType string
	// Name is the logical ID (CloudFormation) or address (Terraform,
	// "aws_s3_bucket.uploads"; data sources start with "data.").
	Name   string
	Format Format
	// Pos is where the resource is declared.
	Pos node.Pos
	// Path is the JSON path of the resource's properties in its document
	// ("Resources.Uploads.Properties", "aws_s3_bucket.uploads").
	Path string
	// Props are the properties: an Object, never nil.
	Props *node.Node
	// Tags are the resource's tags, Terraform default_tags included.
	Tags Tags
	// Parent is the resource a split or attachment resource configures
	// (an aws_s3_bucket_policy's bucket); nil otherwise.
	Parent *Resource
	// Children are the resources that configure this one.
	Children []*Resource
	// Template is the unit the resource was loaded from.
	Template *Template
}

// Spec returns the registry knowledge of the resource's type, or nil.
func (r *Resource) Spec() *spec.Type {
	if r.Type == "" {
		return nil
	}
	t, _ := spec.Lookup(r.Type)
	return t
}

// Dialect is the property naming of the resource's format.
func (r *Resource) Dialect() Dialect { return r.Format.Dialect() }

// Tag is one tag key and value with their positions.
type Tag struct {
	Key      string
	Value    string
	KeyPos   node.Pos
	ValuePos node.Pos
	// ValueKnown is false when the value is an expression resolved only
	// at deployment (a reference, a parameter without a default).
	ValueKnown bool
	// Default is true for tags inherited from provider default_tags.
	Default bool
}

// Tags are a resource's tags.
type Tags struct {
	// Taggable is true when the type accepts tags.
	Taggable bool
	// Present is true when the resource writes a tag property.
	Present bool
	// Known is false when the tag property is an expression that could
	// not be resolved, so missing keys cannot be told.
	Known bool
	// Pos is where the tag property is written (invalid when absent).
	Pos  node.Pos
	Path string
	List []Tag
}

// Get returns the tag with key, or nil.
func (t *Tags) Get(key string) *Tag {
	for i := range t.List {
		if t.List[i].Key == key {
			return &t.List[i]
		}
	}
	return nil
}

// Match is a property found by Resource.Lookup.
type Match struct {
	Node *node.Node
	Path string
}

// Lookup returns the properties at path, a dotted list of keys in which a
// key ending in "[]" steps into every element of an array (a single
// object is taken as an array of one, since Terraform blocks and
// CloudFormation lists are written both ways). Unknown values met on the
// way end that branch.
func (r *Resource) Lookup(path string) []Match {
	return lookup(r.Props, r.Path, path)
}

// Get returns the first property at path, or nil.
func (r *Resource) Get(path string) *node.Node {
	if m := r.Lookup(path); len(m) > 0 {
		return m[0].Node
	}
	return nil
}

// lookup walks n along path; prefix is n's own JSON path.
func lookup(n *node.Node, prefix, path string) []Match {
	out := []Match{{Node: n, Path: prefix}}
	if path == "" {
		return out
	}
	for step := range strings.SplitSeq(path, ".") {
		key, each := strings.CutSuffix(step, "[]")
		var next []Match
		for _, m := range out {
			v := m.Node.Field(key)
			if v == nil {
				continue
			}
			p := joinPath(m.Path, key)
			if !each {
				next = append(next, Match{Node: v.Value, Path: p})
				continue
			}
			switch v.Value.Kind {
			case node.Array:
				for i, item := range v.Value.Items {
					next = append(next, Match{Node: item, Path: p + "[" + strconv.Itoa(i) + "]"})
				}
			case node.Object:
				if IsKnown(v.Value) {
					next = append(next, Match{Node: v.Value, Path: p})
				}
			}
		}
		out = next
		if len(out) == 0 {
			return nil
		}
	}
	return out
}

func joinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// IsKnown reports whether n is a plain value: not an unresolved
// CloudFormation intrinsic function and not an unknown Terraform expression.
func IsKnown(n *node.Node) bool {
	if n == nil {
		return false
	}
	if n.Tag != "" {
		return false
	}
	if n.Kind == node.Object && len(n.Fields) == 1 {
		k := n.Fields[0].Key
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return false
		}
	}
	return true
}

// String returns n's text when it is a known scalar.
func String(n *node.Node) (string, bool) {
	if n == nil || !IsKnown(n) {
		return "", false
	}
	switch n.Kind {
	case node.String, node.Number, node.Bool:
		return n.Text, true
	}
	return "", false
}

// Bool returns n as a boolean when it is a known true/false (CloudFormation
// also accepts the strings "true" and "false", in any case).
func Bool(n *node.Node) (value, ok bool) {
	s, ok := String(n)
	if !ok {
		return false, false
	}
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// Int returns n as an integer when it is a known number or numeric string.
func Int(n *node.Node) (int, bool) {
	s, ok := String(n)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			return 0, false
		}
		return int(f), true
	}
	return v, true
}

// RefTarget returns the resource a value refers to: the logical ID of a
// CloudFormation Ref or Fn::GetAtt, or the address of a Terraform
// reference ("aws_s3_bucket.uploads" for aws_s3_bucket.uploads.id), and
// the attribute referenced ("" for a plain Ref).
func RefTarget(n *node.Node) (target, attr string, ok bool) {
	if n == nil {
		return "", "", false
	}
	switch n.Tag {
	case "!Ref":
		return n.Text, "", n.Kind == node.String
	case "!GetAtt":
		return getAttParts(n)
	case UnknownTag:
		return tfRefTarget(n.Text)
	}
	if n.Kind == node.Object && len(n.Fields) == 1 {
		v := n.Fields[0].Value
		switch n.Fields[0].Key {
		case "Ref":
			if v.Kind == node.String {
				return v.Text, "", true
			}
		case "Fn::GetAtt":
			return getAttParts(v)
		}
	}
	return "", "", false
}

func getAttParts(v *node.Node) (string, string, bool) {
	switch v.Kind {
	case node.String:
		res, attr, ok := strings.Cut(v.Text, ".")
		return res, attr, ok
	case node.Array:
		if len(v.Items) == 2 && v.Items[0].Kind == node.String && v.Items[1].Kind == node.String {
			return v.Items[0].Text, v.Items[1].Text, true
		}
	}
	return "", "", false
}

// tfRefTarget splits "aws_s3_bucket.b.id" or "data.x.y.json" into the
// address and the attribute; "var.x" and other non-resource references
// yield ok false.
func tfRefTarget(expr string) (string, string, bool) {
	parts := strings.Split(expr, ".")
	if len(parts) < 2 {
		return "", "", false
	}
	if parts[0] == "data" {
		if len(parts) < 3 {
			return "", "", false
		}
		attr := strings.Join(parts[3:], ".")
		return strings.Join(parts[:3], "."), attr, true
	}
	if !strings.HasPrefix(parts[0], "aws_") {
		return "", "", false
	}
	// Drop an index such as aws_s3_bucket.b[0].id.
	name, _, _ := strings.Cut(parts[1], "[")
	return parts[0] + "." + name, strings.Join(parts[2:], "."), true
}
