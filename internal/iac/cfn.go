package iac

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/iamguard/iamguard/node"
)

// IsCloudFormation reports whether a parsed document is a CloudFormation
// template: it declares AWSTemplateFormatVersion, or its Resources hold at
// least one entry whose Type looks like a CloudFormation type.
func IsCloudFormation(root *node.Node) bool {
	if root == nil || root.Kind != node.Object {
		return false
	}
	if root.Get("AWSTemplateFormatVersion") != nil {
		return true
	}
	res := root.Get("Resources")
	if res == nil || res.Kind != node.Object {
		return false
	}
	for _, f := range res.Fields {
		if t := f.Value.Get("Type"); t != nil && t.Kind == node.String && strings.Contains(t.Text, "::") {
			return true
		}
	}
	return false
}

// LoadCloudFormation builds a template from a parsed CloudFormation
// document. Parameter defaults, Mappings and the partition are resolved
// inside Ref, Fn::Sub, Fn::Join, Fn::FindInMap and Fn::Select where every
// input is known; conditions stay unresolved. Structural problems (a
// resource that is not an object, a Type that is not a string) are
// returned as positioned errors; the other resources are still loaded.
func LoadCloudFormation(file string, root *node.Node) (*Template, []error) {
	t := &Template{Format: CloudFormation, File: file, Files: []string{file}, Params: map[string]*node.Node{}}
	var errs []error
	if root == nil || root.Kind != node.Object {
		pos := node.Pos{File: file, Line: 1, Column: 1}
		if root != nil {
			pos = root.Pos
		}
		return t, []error{&Error{Pos: pos, Msg: "CloudFormation template must be an object"}}
	}
	if params := root.Get("Parameters"); params != nil && params.Kind == node.Object {
		for _, f := range params.Fields {
			t.Params[f.Key] = f.Value.Get("Default")
		}
	}
	t.mappings = root.Get("Mappings")
	res := root.Field("Resources")
	if res == nil {
		return t, nil
	}
	if res.Value.Kind != node.Object {
		return t, []error{&Error{Pos: res.Value.Pos, Msg: "Resources must be an object of logical IDs to resources, found " + res.Value.Kind.String()}}
	}
	r := resolver{t: t}
	for _, f := range res.Value.Fields {
		decl := f.Value
		path := "Resources." + f.Key
		if decl.Kind != node.Object {
			errs = append(errs, &Error{Pos: decl.Pos, Msg: fmt.Sprintf("%s: a resource must be an object, found %s", path, decl.Kind)})
			continue
		}
		typ := decl.Get("Type")
		if typ == nil || typ.Kind != node.String || typ.Tag != "" {
			pos := decl.Pos
			if typ != nil {
				pos = typ.Pos
			}
			errs = append(errs, &Error{Pos: pos, Msg: path + ": Type must be a string such as AWS::S3::Bucket"})
			continue
		}
		props := decl.Get("Properties")
		switch {
		case props == nil:
			props = &node.Node{Kind: node.Object, Pos: f.KeyPos, EndOffset: f.KeyPos.Offset}
		case props.Kind != node.Object:
			errs = append(errs, &Error{Pos: props.Pos, Msg: path + ".Properties must be an object, found " + props.Kind.String()})
			continue
		default:
			props = r.resolve(props, 0)
		}
		rsc := &Resource{
			Type:       typ.Text,
			SourceType: typ.Text,
			Name:       f.Key,
			Format:     CloudFormation,
			Pos:        f.KeyPos,
			Path:       path + ".Properties",
			Props:      props,
		}
		rsc.Tags = cfnTags(rsc)
		t.add(rsc)
	}
	linkCFN(t)
	return t, errs
}

// cfnParents names, per child type, the property that refers to the
// resource the child configures.
var cfnParents = map[string]string{
	"AWS::S3::BucketPolicy":         "Bucket",
	"AWS::SQS::QueuePolicy":         "Queues[]",
	"AWS::SNS::TopicPolicy":         "Topics[]",
	"AWS::IAM::AccessKey":           "UserName",
	"AWS::IAM::VirtualMFADevice":    "Users[]",
	"AWS::IAM::UserToGroupAddition": "Users[]",
}

func linkCFN(t *Template) {
	for _, child := range t.Resources {
		prop, ok := cfnParents[child.Type]
		if !ok {
			continue
		}
		for _, m := range child.Lookup(prop) {
			target, _, ok := RefTarget(m.Node)
			if !ok {
				// A literal name: find the resource whose name property matches.
				name, known := String(m.Node)
				if !known {
					continue
				}
				target = findByName(t, name)
			}
			if parent := t.Resource(target); parent != nil && parent != child {
				if child.Parent == nil {
					child.Parent = parent
				}
				parent.Children = append(parent.Children, child)
			}
		}
	}
}

// nameProps are the properties that hold a resource's physical name.
var nameProps = []string{"BucketName", "UserName", "RoleName", "QueueName", "TopicName", "bucket", "name"}

func findByName(t *Template, name string) string {
	for _, r := range t.Resources {
		for _, p := range nameProps {
			if v, ok := String(r.Props.Get(p)); ok && v == name {
				return r.Name
			}
		}
	}
	return ""
}

// intrinsic returns the function name and argument of a CloudFormation
// intrinsic function in either form: {"Fn::Sub": …} or YAML's !Sub ….
func intrinsic(n *node.Node) (string, *node.Node, bool) {
	if n == nil {
		return "", nil, false
	}
	if n.Tag != "" && n.Tag != UnknownTag {
		arg := *n
		arg.Tag = ""
		switch n.Tag {
		case "!Ref":
			return "Ref", &arg, true
		case "!Condition":
			return "Condition", &arg, true
		}
		return "Fn::" + strings.TrimPrefix(n.Tag, "!"), &arg, true
	}
	if n.Kind == node.Object && len(n.Fields) == 1 {
		k := n.Fields[0].Key
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, n.Fields[0].Value, true
		}
	}
	return "", nil, false
}

// resolver resolves intrinsic functions whose inputs are all known.
type resolver struct{ t *Template }

// maxResolveDepth bounds recursion through parameters and nested values;
// the parsers already bound document depth, this bounds Ref chains.
const maxResolveDepth = 200

// resolve returns n with resolvable intrinsics replaced by their values
// (positioned where the intrinsic was written). Unchanged subtrees are
// shared, not copied.
func (r resolver) resolve(n *node.Node, depth int) *node.Node {
	if n == nil || depth > maxResolveDepth {
		return n
	}
	if name, arg, ok := intrinsic(n); ok {
		if v := r.call(name, arg, depth+1); v != nil {
			out := *v
			out.Pos, out.EndOffset = n.Pos, n.EndOffset
			return &out
		}
		return n
	}
	switch n.Kind {
	case node.Object:
		var fields []*node.Field
		for i, f := range n.Fields {
			v := r.resolve(f.Value, depth+1)
			if v != f.Value && fields == nil {
				fields = make([]*node.Field, len(n.Fields))
				copy(fields, n.Fields[:i])
			}
			if fields != nil {
				nf := *f
				nf.Value = v
				fields[i] = &nf
			}
		}
		if fields != nil {
			out := *n
			out.Fields = fields
			return &out
		}
	case node.Array:
		var items []*node.Node
		for i, item := range n.Items {
			v := r.resolve(item, depth+1)
			if v != item && items == nil {
				items = make([]*node.Node, len(n.Items))
				copy(items, n.Items[:i])
			}
			if items != nil {
				items[i] = v
			}
		}
		if items != nil {
			out := *n
			out.Items = items
			return &out
		}
	}
	return n
}

func str(s string, at *node.Node) *node.Node {
	return &node.Node{Kind: node.String, Text: s, Pos: at.Pos, EndOffset: at.EndOffset}
}

// call evaluates one intrinsic; nil means "not resolvable here".
func (r resolver) call(name string, arg *node.Node, depth int) *node.Node {
	switch name {
	case "Ref":
		if arg.Kind != node.String {
			return nil
		}
		return r.ref(arg.Text, arg, depth)
	case "Fn::Sub":
		return r.sub(arg, depth)
	case "Fn::Join":
		if arg.Kind != node.Array || len(arg.Items) != 2 {
			return nil
		}
		delim, ok := String(r.resolve(arg.Items[0], depth))
		list := r.resolve(arg.Items[1], depth)
		if !ok || list.Kind != node.Array {
			return nil
		}
		parts := make([]string, 0, len(list.Items))
		for _, item := range list.Items {
			s, ok := String(r.resolve(item, depth))
			if !ok {
				return nil
			}
			parts = append(parts, s)
		}
		return str(strings.Join(parts, delim), arg)
	case "Fn::FindInMap":
		if arg.Kind != node.Array || len(arg.Items) < 3 || r.t.mappings == nil {
			return nil
		}
		cur := r.t.mappings
		for _, k := range arg.Items[:3] {
			key, ok := String(r.resolve(k, depth))
			if !ok {
				return nil
			}
			cur = cur.Get(key)
			if cur == nil {
				return nil
			}
		}
		return r.resolve(cur, depth)
	case "Fn::Select":
		if arg.Kind != node.Array || len(arg.Items) != 2 {
			return nil
		}
		idx, ok := Int(r.resolve(arg.Items[0], depth))
		list := r.resolve(arg.Items[1], depth)
		if !ok || list.Kind != node.Array || idx < 0 || idx >= len(list.Items) {
			return nil
		}
		if v := list.Items[idx]; IsKnown(v) {
			return v
		}
	case "Fn::If":
		// Conditions stay unresolved; both branches agreeing is still a known value.
		if arg.Kind != node.Array || len(arg.Items) != 3 {
			return nil
		}
		a, b := r.resolve(arg.Items[1], depth), r.resolve(arg.Items[2], depth)
		if sa, ok := String(a); ok {
			if sb, ok := String(b); ok && sa == sb {
				return a
			}
		}
	}
	return nil
}

func (r resolver) ref(name string, at *node.Node, depth int) *node.Node {
	switch name {
	case "AWS::Partition":
		return str("aws", at)
	case "AWS::URLSuffix":
		return str("amazonaws.com", at)
	}
	def, ok := r.t.Params[name]
	if !ok || def == nil {
		return nil
	}
	v := r.resolve(def, depth)
	if !IsKnown(v) {
		return nil
	}
	return v
}

// sub expands ${Name} references; ${!Literal} stays as ${Literal}.
func (r resolver) sub(arg *node.Node, depth int) *node.Node {
	tmpl := arg
	var vars *node.Node
	if arg.Kind == node.Array {
		if len(arg.Items) == 0 || len(arg.Items) > 2 {
			return nil
		}
		tmpl = arg.Items[0]
		if len(arg.Items) == 2 {
			vars = arg.Items[1]
		}
	}
	if tmpl.Kind != node.String || tmpl.Tag != "" {
		return nil
	}
	s := tmpl.Text
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			b.WriteString(s[i:])
			break
		}
		name := s[i+2 : i+end]
		s = s[i+end+1:]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			b.WriteString("${" + lit + "}")
			continue
		}
		var v *node.Node
		if vars != nil {
			if vn := vars.Get(name); vn != nil {
				v = r.resolve(vn, depth)
			}
		}
		if v == nil {
			v = r.ref(name, arg, depth)
		}
		val, ok := String(v)
		if !ok {
			return nil
		}
		b.WriteString(val)
	}
	return str(b.String(), arg)
}

// cfnTags reads a CloudFormation resource's tags through its type's tag property.
func cfnTags(r *Resource) Tags {
	st := r.Spec()
	tags := Tags{Known: true}
	if st == nil || !st.Taggable() {
		return tags
	}
	tags.Taggable = true
	f := r.Props.Field(st.TagProperty)
	if f == nil {
		return tags
	}
	tags.Present = true
	tags.Pos = f.KeyPos
	tags.Path = joinPath(r.Path, st.TagProperty)
	readTagValue(&tags, f.Value)
	return tags
}

// readTagValue accepts both shapes: [{Key, Value}] and {key: value}.
func readTagValue(tags *Tags, v *node.Node) {
	if !IsKnown(v) {
		tags.Known = false
		return
	}
	switch v.Kind {
	case node.Array:
		for _, item := range v.Items {
			if !IsKnown(item) || item.Kind != node.Object {
				tags.Known = false
				continue
			}
			kf, vf := findField(item, "Key", "key"), findField(item, "Value", "value")
			key, ok := String(fieldValue(kf))
			if !ok {
				tags.Known = false
				continue
			}
			tag := Tag{Key: key, KeyPos: kf.Value.Pos}
			if vf != nil {
				tag.ValuePos = vf.Value.Pos
				tag.Value, tag.ValueKnown = String(vf.Value)
			} else {
				tag.ValuePos = kf.Value.Pos
				tag.ValueKnown = true
			}
			tags.List = append(tags.List, tag)
		}
	case node.Object:
		for _, f := range v.Fields {
			tag := Tag{Key: f.Key, KeyPos: f.KeyPos, ValuePos: f.Value.Pos}
			tag.Value, tag.ValueKnown = String(f.Value)
			tags.List = append(tags.List, tag)
		}
	default:
		tags.Known = false
	}
}

func findField(n *node.Node, keys ...string) *node.Field {
	for _, k := range keys {
		if f := n.Field(k); f != nil {
			return f
		}
	}
	return nil
}

func fieldValue(f *node.Field) *node.Node {
	if f == nil {
		return nil
	}
	return f.Value
}

// quoteIndex renders an array index for paths.
func quoteIndex(i int) string { return "[" + strconv.Itoa(i) + "]" }
