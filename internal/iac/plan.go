package iac

import (
	"github.com/iamguard/iamguard/internal/iac/spec"
	"github.com/iamguard/iamguard/node"
)

// IsTerraformPlan reports whether a parsed document is the JSON output of
// `terraform show -json` for a plan: format_version plus planned_values
// or resource_changes.
func IsTerraformPlan(root *node.Node) bool {
	if root == nil || root.Kind != node.Object || root.Get("format_version") == nil {
		return false
	}
	return root.Get("planned_values") != nil || root.Get("resource_changes") != nil
}

// LoadTerraformPlan builds a template from a plan's planned_values (child
// modules included), or from resource_changes when a plan has no planned
// values. Attributes the plan marks "known after apply" are unknown values.
// Tags come from tags_all, which already holds the provider's default_tags.
func LoadTerraformPlan(file string, root *node.Node) (*Template, []error) {
	t := &Template{Format: TerraformPlan, File: file, Files: []string{file}}
	if root == nil || root.Kind != node.Object {
		return t, []error{&Error{Pos: node.Pos{File: file, Line: 1, Column: 1}, Msg: "plan must be a JSON object"}}
	}
	unknown := map[string]*node.Node{}
	changes := root.Get("resource_changes")
	if changes != nil && changes.Kind == node.Array {
		for _, c := range changes.Items {
			addr, _ := String(c.Get("address"))
			if after := c.Get("change").Get("after_unknown"); addr != "" && after != nil {
				unknown[addr] = after
			}
		}
	}
	refs := planConfigRefs(root.Get("configuration").Get("root_module"))
	var errs []error
	if pv := root.Get("planned_values"); pv != nil {
		walkPlanModule(t, pv.Get("root_module"), "planned_values.root_module", unknown, &errs, 0)
	} else if changes != nil && changes.Kind == node.Array {
		for i, c := range changes.Items {
			actions := c.Get("change").Get("actions")
			if actions != nil && len(actions.Items) == 1 && actions.Items[0].Text == "delete" {
				continue
			}
			after := c.Get("change").Get("after")
			addPlanResource(t, c, after, "resource_changes"+quoteIndex(i)+".change.after", unknown, &errs)
		}
	}
	linkPlan(t, refs)
	return t, errs
}

func walkPlanModule(t *Template, m *node.Node, path string, unknown map[string]*node.Node, errs *[]error, depth int) {
	if m == nil || m.Kind != node.Object || depth > 64 {
		return
	}
	if rs := m.Get("resources"); rs != nil && rs.Kind == node.Array {
		for i, r := range rs.Items {
			addPlanResource(t, r, r.Get("values"), path+".resources"+quoteIndex(i)+".values", unknown, errs)
		}
	}
	if cm := m.Get("child_modules"); cm != nil && cm.Kind == node.Array {
		for i, c := range cm.Items {
			walkPlanModule(t, c, path+".child_modules"+quoteIndex(i), unknown, errs, depth+1)
		}
	}
}

func addPlanResource(t *Template, r, values *node.Node, path string, unknown map[string]*node.Node, errs *[]error) {
	if r == nil || r.Kind != node.Object {
		return
	}
	if mode, _ := String(r.Get("mode")); mode == "data" {
		return
	}
	addr, ok1 := String(r.Get("address"))
	typ, ok2 := String(r.Get("type"))
	if !ok1 || !ok2 {
		*errs = append(*errs, &Error{Pos: r.Pos, Msg: "plan resource without address or type"})
		return
	}
	if values == nil || values.Kind != node.Object {
		values = &node.Node{Kind: node.Object, Pos: r.Pos, EndOffset: r.EndOffset}
	}
	if u := unknown[addr]; u != nil && u.Kind == node.Object {
		values = markUnknown(values, u, addr)
	}
	rsc := &Resource{SourceType: typ, Name: addr, Format: TerraformPlan, Pos: r.Pos, Path: path, Props: values}
	rsc.Type, _ = spec.FromTerraform(typ)
	rsc.Tags = planTags(rsc)
	t.add(rsc)
}

// markUnknown replaces top-level values the plan computes at apply time
// with unknown nodes, so rules do not read a null as "not set".
func markUnknown(values, afterUnknown *node.Node, addr string) *node.Node {
	var fields []*node.Field
	for _, f := range afterUnknown.Fields {
		if b, ok := Bool(f.Value); !ok || !b {
			continue
		}
		if cur := values.Field(f.Key); cur != nil && cur.Value.Kind != node.Null {
			continue
		}
		fields = append(fields, &node.Field{Key: f.Key, KeyPos: values.Pos, Value: &node.Node{Kind: node.String, Tag: UnknownTag, Text: addr + "." + f.Key, Pos: values.Pos, EndOffset: values.Pos.Offset}})
	}
	if fields == nil {
		return values
	}
	out := *values
	out.Fields = nil
	for _, f := range values.Fields {
		replaced := false
		for _, u := range fields {
			if u.Key == f.Key {
				replaced = true
			}
		}
		if !replaced {
			out.Fields = append(out.Fields, f)
		}
	}
	out.Fields = append(out.Fields, fields...)
	return &out
}

func planTags(r *Resource) Tags {
	tags := Tags{Known: true}
	st := r.Spec()
	tags.Taggable = st.Taggable() || set(r.Props.Get("tags")) || set(r.Props.Get("tags_all"))
	if !tags.Taggable {
		return tags
	}
	for _, key := range []string{"tags_all", "tags"} {
		f := r.Props.Field(key)
		if f == nil || f.Value.Kind == node.Null {
			continue
		}
		tags.Present = true
		tags.Pos = f.Value.Pos
		tags.Path = joinPath(r.Path, key)
		readTagValue(&tags, f.Value)
		break
	}
	return tags
}

func set(n *node.Node) bool { return n != nil && n.Kind != node.Null }

// planConfigRefs reads configuration.root_module.resources[].expressions:
// address → attribute → the first reference, for attributes that are
// known only after apply (a split resource's bucket = aws_s3_bucket.b.id).
func planConfigRefs(m *node.Node) map[string]map[string]string {
	out := map[string]map[string]string{}
	rs := m.Get("resources")
	if rs == nil || rs.Kind != node.Array {
		return out
	}
	for _, r := range rs.Items {
		addr, ok := String(r.Get("address"))
		exprs := r.Get("expressions")
		if !ok || exprs == nil || exprs.Kind != node.Object {
			continue
		}
		for _, f := range exprs.Fields {
			refs := f.Value.Get("references")
			if refs == nil || refs.Kind != node.Array || len(refs.Items) == 0 {
				continue
			}
			if s, ok := String(refs.Items[0]); ok {
				if out[addr] == nil {
					out[addr] = map[string]string{}
				}
				out[addr][f.Key] = s
			}
		}
	}
	return out
}

func linkPlan(t *Template, refs map[string]map[string]string) {
	for _, child := range t.Resources {
		attr := tfParentAttrs[child.SourceType]
		inline, split := tfSplits[child.SourceType]
		if split {
			attr = "bucket"
		}
		if attr == "" {
			continue
		}
		var parent *Resource
		if name, ok := String(child.Props.Get(attr)); ok {
			parent = t.Resource(findByName(t, name))
		}
		if parent == nil {
			if ref := refs[child.Name][attr]; ref != "" {
				if target, _, ok := tfRefTarget(ref); ok {
					parent = t.Resource(target)
				}
			}
		}
		if parent == nil || parent == child {
			continue
		}
		child.Parent = parent
		parent.Children = append(parent.Children, child)
		if split {
			foldSplit(parent, child, inline)
		}
	}
}
