package iac

import (
	"path"
	"strings"

	"github.com/iamguard/iamguard/node"
)

// IsCloudControl reports whether a parsed document is a Cloud Control
// resource document: {"TypeName": "AWS::…", "DesiredState": {…}}.
func IsCloudControl(root *node.Node) bool {
	if root == nil || root.Kind != node.Object {
		return false
	}
	tn, ok := String(root.Get("TypeName"))
	return ok && strings.Contains(tn, "::") && root.Get("DesiredState") != nil
}

// LoadCloudControl builds a one-resource template from a Cloud Control
// document. DesiredState may be an object or, as the Cloud Control API
// takes it, a string holding JSON.
func LoadCloudControl(file string, root *node.Node) (*Template, []error) {
	t := &Template{Format: CloudControl, File: file, Files: []string{file}}
	tn, _ := String(root.Get("TypeName"))
	desired := root.Get("DesiredState")
	if desired != nil && desired.Kind == node.String {
		parsed, err := node.ParseJSON(file, []byte(desired.Text))
		if err != nil {
			return t, []error{&Error{Pos: desired.Pos, Msg: "DesiredState is not valid JSON: " + err.Error()}}
		}
		shift(parsed, desired.Pos.Line-1, desired.Pos.Column)
		desired = parsed
	}
	if desired == nil || desired.Kind != node.Object {
		pos := root.Pos
		if desired != nil {
			pos = desired.Pos
		}
		return t, []error{&Error{Pos: pos, Msg: "DesiredState must be an object of resource properties"}}
	}
	r := FromCloudControl(tn, desired, file)
	if id, ok := String(root.Get("Identifier")); ok {
		r.Name = id
	}
	t.add(&r)
	return t, nil
}

// FromCloudControl makes a resource from a Cloud Control type name and
// desired state (CloudFormation property names), as the change gate
// receives them. The resource is named after the file.
func FromCloudControl(typeName string, desired *node.Node, file string) Resource {
	if desired == nil || desired.Kind != node.Object {
		at := node.Pos{File: file, Line: 1, Column: 1}
		if desired != nil {
			at = desired.Pos
		}
		desired = &node.Node{Kind: node.Object, Pos: at, EndOffset: at.Offset}
	}
	r := Resource{
		Type:       typeName,
		SourceType: typeName,
		Name:       strings.TrimSuffix(path.Base(file), path.Ext(file)),
		Format:     CloudControl,
		Pos:        desired.Pos,
		Path:       "DesiredState",
		Props:      desired,
	}
	r.Tags = cfnTags(&r)
	return r
}
