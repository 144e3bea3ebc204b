package iac

import (
	"fmt"
	"math/big"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/iamguard/iamguard/internal/iac/spec"
	"github.com/iamguard/iamguard/node"
)

// tfFunctions are the Terraform functions iamguard evaluates: the pure
// ones a tag map or policy commonly uses. Any other call is an unknown value.
var tfFunctions = sync.OnceValue(func() map[string]function.Function {
	return map[string]function.Function{
		"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"merge": stdlib.MergeFunc, "concat": stdlib.ConcatFunc, "lookup": stdlib.LookupFunc,
		"lower": stdlib.LowerFunc, "upper": stdlib.UpperFunc, "title": stdlib.TitleFunc,
		"format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc, "join": stdlib.JoinFunc,
		"split": stdlib.SplitFunc, "replace": stdlib.ReplaceFunc, "trimspace": stdlib.TrimSpaceFunc,
		"trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc, "substr": stdlib.SubstrFunc,
		"coalesce": stdlib.CoalesceFunc, "compact": stdlib.CompactFunc, "distinct": stdlib.DistinctFunc,
		"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "keys": stdlib.KeysFunc,
		"values": stdlib.ValuesFunc, "length": stdlib.LengthFunc, "contains": stdlib.ContainsFunc,
		"zipmap": stdlib.ZipmapFunc, "min": stdlib.MinFunc, "max": stdlib.MaxFunc,
		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"try": tryfunc.TryFunc, "can": tryfunc.CanFunc,
	}
})

// tfMeta are meta-arguments, not resource properties.
var tfMeta = map[string]bool{"count": true, "for_each": true, "provider": true, "depends_on": true, "lifecycle": true, "provisioner": true, "connection": true}

// tfFile is one parsed .tf file.
type tfFile struct {
	name string
	src  []byte
	body *hclsyntax.Body
}

// tfLoader evaluates one Terraform module directory.
type tfLoader struct {
	t     *Template
	files []*tfFile
	src   map[string][]byte
	ctx   *hcl.EvalContext
	docs  map[string]*node.Node // data.aws_iam_policy_document.NAME → document tree
	errs  []error
	// defaultTags are provider "aws" default_tags by provider alias ("" for the default provider).
	defaultTags map[string]Tags
}

// LoadTerraform loads one Terraform module: the .tf files of one
// directory (name → content). Variables with defaults, locals that can be
// computed from them and the pure functions in tfFunctions are evaluated;
// anything else (references to other resources, data sources,
// variables without defaults) is an unknown value. Files with syntax
// errors are reported and skipped; the others are still loaded.
func LoadTerraform(dir string, files map[string][]byte) (*Template, []error) {
	l := &tfLoader{
		t:           &Template{Format: Terraform, File: dir},
		src:         files,
		docs:        map[string]*node.Node{},
		defaultTags: map[string]Tags{},
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f, diags := hclsyntax.ParseConfig(files[name], name, hcl.InitialPos)
		if diags.HasErrors() {
			l.errs = append(l.errs, diagErrors(diags)...)
			continue
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		l.files = append(l.files, &tfFile{name: name, src: files[name], body: body})
		l.t.Files = append(l.t.Files, name)
	}
	l.buildContext()
	l.loadPolicyDocuments()
	l.loadProviders()
	l.loadResources()
	linkTF(l.t)
	return l.t, l.errs
}

func diagErrors(diags hcl.Diagnostics) []error {
	var out []error
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		pos := node.Pos{Line: 1, Column: 1}
		if d.Subject != nil {
			pos = hclPos(d.Subject.Filename, d.Subject.Start)
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		out = append(out, &node.SyntaxError{Pos: pos, Msg: "invalid HCL: " + msg})
	}
	return out
}

func hclPos(file string, p hcl.Pos) node.Pos {
	return node.Pos{File: file, Line: p.Line, Column: p.Column, Offset: p.Byte}
}

// blocks returns every top-level block of a type, in file order.
func (l *tfLoader) blocks(typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, f := range l.files {
		for _, b := range f.body.Blocks {
			if b.Type == typ {
				out = append(out, b)
			}
		}
	}
	return out
}

// buildContext makes the evaluation context: var.* from defaults, local.*
// computed in as many passes as locals refer to each other, and every
// resource and data source name bound to an unknown object so references
// evaluate to unknown instead of failing.
func (l *tfLoader) buildContext() {
	vars := map[string]cty.Value{}
	for _, b := range l.blocks("variable") {
		if len(b.Labels) != 1 {
			continue
		}
		v := cty.DynamicVal
		if def, ok := b.Body.Attributes["default"]; ok {
			if val, diags := def.Expr.Value(nil); !diags.HasErrors() {
				v = val
			}
		}
		vars[b.Labels[0]] = v
	}
	resources := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	for _, f := range l.files {
		for _, b := range f.body.Blocks {
			switch {
			case b.Type == "resource" && len(b.Labels) == 2:
				if resources[b.Labels[0]] == nil {
					resources[b.Labels[0]] = map[string]cty.Value{}
				}
				resources[b.Labels[0]][b.Labels[1]] = cty.DynamicVal
			case b.Type == "data" && len(b.Labels) == 2:
				if data[b.Labels[0]] == nil {
					data[b.Labels[0]] = map[string]cty.Value{}
				}
				data[b.Labels[0]][b.Labels[1]] = cty.DynamicVal
			}
		}
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: tfFunctions()}
	for typ, names := range resources {
		ctx.Variables[typ] = cty.ObjectVal(names)
	}
	dataObj := map[string]cty.Value{}
	for typ, names := range data {
		dataObj[typ] = cty.ObjectVal(names)
	}
	ctx.Variables["data"] = cty.ObjectVal(dataObj)
	ctx.Variables["var"] = cty.ObjectVal(vars)
	ctx.Variables["path"] = cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal("."), "root": cty.StringVal("."), "cwd": cty.StringVal(".")})
	ctx.Variables["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")})
	for _, name := range []string{"each", "count", "self", "module"} {
		ctx.Variables[name] = cty.DynamicVal
	}
	var localAttrs []*hclsyntax.Attribute
	for _, b := range l.blocks("locals") {
		localAttrs = append(localAttrs, sortedAttrs(b.Body)...)
	}
	locals := map[string]cty.Value{}
	for _, a := range localAttrs {
		locals[a.Name] = cty.DynamicVal
	}
	// Each pass resolves at least one more level of locals referring to locals.
	for pass := 0; pass <= len(localAttrs) && pass < 16; pass++ {
		ctx.Variables["local"] = cty.ObjectVal(locals)
		changed := false
		for _, a := range localAttrs {
			if locals[a.Name].IsWhollyKnown() {
				continue
			}
			v, diags := a.Expr.Value(ctx)
			if diags.HasErrors() || !v.IsWhollyKnown() {
				continue
			}
			locals[a.Name] = v
			changed = true
		}
		if !changed {
			break
		}
	}
	ctx.Variables["local"] = cty.ObjectVal(locals)
	l.ctx = ctx
}

func sortedAttrs(body *hclsyntax.Body) []*hclsyntax.Attribute {
	attrs := make([]*hclsyntax.Attribute, 0, len(body.Attributes))
	for _, a := range body.Attributes {
		attrs = append(attrs, a)
	}
	slices.SortFunc(attrs, func(a, b *hclsyntax.Attribute) int { return a.SrcRange.Start.Byte - b.SrcRange.Start.Byte })
	return attrs
}

// loadProviders reads default_tags of the aws providers.
func (l *tfLoader) loadProviders() {
	for _, b := range l.blocks("provider") {
		if len(b.Labels) != 1 || b.Labels[0] != "aws" {
			continue
		}
		alias := ""
		if a, ok := b.Body.Attributes["alias"]; ok {
			if v, diags := a.Expr.Value(l.ctx); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() {
				alias = v.AsString()
			}
		}
		for _, dt := range b.Body.Blocks {
			if dt.Type != "default_tags" {
				continue
			}
			a, ok := dt.Body.Attributes["tags"]
			if !ok {
				continue
			}
			tags := Tags{Known: true, Present: true, Pos: hclPos(a.SrcRange.Filename, a.SrcRange.Start), Path: "provider.aws.default_tags.tags"}
			readTagValue(&tags, l.expr(a.Expr))
			for i := range tags.List {
				tags.List[i].Default = true
			}
			l.defaultTags[alias] = tags
		}
	}
}

// loadPolicyDocuments turns data "aws_iam_policy_document" blocks into
// policy documents with positions in the HCL, so a policy written that
// way is linted like any other.
func (l *tfLoader) loadPolicyDocuments() {
	for _, b := range l.blocks("data") {
		if len(b.Labels) != 2 || b.Labels[0] != "aws_iam_policy_document" {
			continue
		}
		l.docs["data.aws_iam_policy_document."+b.Labels[1]] = l.policyDocument(b)
	}
}

func (l *tfLoader) policyDocument(b *hclsyntax.Block) *node.Node {
	at := hclPos(b.DefRange().Filename, b.DefRange().Start)
	doc := &node.Node{Kind: node.Object, Pos: at, EndOffset: at.Offset}
	version := "2012-10-17"
	var vpos node.Pos = at
	if a, ok := b.Body.Attributes["version"]; ok {
		if v, ok := String(l.expr(a.Expr)); ok {
			version = v
			vpos = hclPos(a.SrcRange.Filename, a.Expr.Range().Start)
		}
	}
	doc.Fields = append(doc.Fields, &node.Field{Key: "Version", KeyPos: vpos, Value: &node.Node{Kind: node.String, Text: version, Pos: vpos, EndOffset: vpos.Offset}})
	stmts := &node.Node{Kind: node.Array, Pos: at, EndOffset: at.Offset}
	for _, sb := range b.Body.Blocks {
		if sb.Type != "statement" {
			continue
		}
		spos := hclPos(sb.DefRange().Filename, sb.DefRange().Start)
		st := &node.Node{Kind: node.Object, Pos: spos, EndOffset: spos.Offset}
		add := func(key string, v *node.Node, pos node.Pos) {
			st.Fields = append(st.Fields, &node.Field{Key: key, KeyPos: pos, Value: v})
		}
		attrKeys := []struct{ tf, iam string }{
			{"sid", "Sid"}, {"effect", "Effect"}, {"actions", "Action"}, {"not_actions", "NotAction"},
			{"resources", "Resource"}, {"not_resources", "NotResource"},
		}
		hasEffect := false
		for _, k := range attrKeys {
			if a, ok := sb.Body.Attributes[k.tf]; ok {
				add(k.iam, l.expr(a.Expr), hclPos(a.SrcRange.Filename, a.SrcRange.Start))
				hasEffect = hasEffect || k.iam == "Effect"
			}
		}
		if !hasEffect {
			// The data source defaults effect to Allow.
			add("Effect", &node.Node{Kind: node.String, Text: "Allow", Pos: spos, EndOffset: spos.Offset}, spos)
		}
		for _, kind := range []struct{ tf, iam string }{{"principals", "Principal"}, {"not_principals", "NotPrincipal"}} {
			var pr *node.Node
			for _, pb := range sb.Body.Blocks {
				if pb.Type != kind.tf {
					continue
				}
				ppos := hclPos(pb.DefRange().Filename, pb.DefRange().Start)
				if pr == nil {
					pr = &node.Node{Kind: node.Object, Pos: ppos, EndOffset: ppos.Offset}
					add(kind.iam, pr, ppos)
				}
				typ, _ := String(l.attrNode(pb.Body, "type"))
				ids := l.attrNode(pb.Body, "identifiers")
				if ids == nil {
					continue
				}
				if typ == "*" {
					// principals { type = "*" identifiers = ["*"] } is Principal "*".
					*pr = node.Node{Kind: node.String, Text: "*", Pos: ppos, EndOffset: ppos.Offset}
					continue
				}
				pr.Fields = append(pr.Fields, &node.Field{Key: typ, KeyPos: ppos, Value: ids})
			}
		}
		var cond *node.Node
		for _, cb := range sb.Body.Blocks {
			if cb.Type != "condition" {
				continue
			}
			cpos := hclPos(cb.DefRange().Filename, cb.DefRange().Start)
			if cond == nil {
				cond = &node.Node{Kind: node.Object, Pos: cpos, EndOffset: cpos.Offset}
				add("Condition", cond, cpos)
			}
			test, ok1 := String(l.attrNode(cb.Body, "test"))
			variable, ok2 := String(l.attrNode(cb.Body, "variable"))
			values := l.attrNode(cb.Body, "values")
			if !ok1 || !ok2 || values == nil {
				continue
			}
			op := cond.Get(test)
			if op == nil {
				op = &node.Node{Kind: node.Object, Pos: cpos, EndOffset: cpos.Offset}
				cond.Fields = append(cond.Fields, &node.Field{Key: test, KeyPos: cpos, Value: op})
			}
			op.Fields = append(op.Fields, &node.Field{Key: variable, KeyPos: cpos, Value: values})
		}
		stmts.Items = append(stmts.Items, st)
	}
	doc.Fields = append(doc.Fields, &node.Field{Key: "Statement", KeyPos: at, Value: stmts})
	return doc
}

func (l *tfLoader) attrNode(body *hclsyntax.Body, name string) *node.Node {
	if a, ok := body.Attributes[name]; ok {
		return l.expr(a.Expr)
	}
	return nil
}

// loadResources turns resource blocks into resources.
func (l *tfLoader) loadResources() {
	for _, f := range l.files {
		for _, b := range f.body.Blocks {
			if b.Type != "resource" || len(b.Labels) != 2 {
				continue
			}
			typ, name := b.Labels[0], b.Labels[1]
			if l.noInstances(b.Body) {
				continue // count = 0 or an empty for_each: Terraform creates nothing
			}
			addr := typ + "." + name
			r := &Resource{
				SourceType: typ,
				Name:       addr,
				Format:     Terraform,
				Pos:        hclPos(f.name, b.DefRange().Start),
				Path:       addr,
				Props:      l.body(b.Body),
			}
			r.Type, _ = spec.FromTerraform(typ)
			provider := ""
			if a, ok := b.Body.Attributes["provider"]; ok {
				if tr, diags := hcl.AbsTraversalForExpr(a.Expr); !diags.HasErrors() && len(tr) == 2 {
					if attr, ok := tr[1].(hcl.TraverseAttr); ok {
						provider = attr.Name
					}
				}
			}
			r.Tags = tfTags(r, l.defaultTags[provider])
			l.t.add(r)
		}
	}
}

// noInstances reports whether a resource's count or for_each is known to
// create no instance: count = 0 (a feature switched off, as in
// `count = var.enabled ? 1 : 0`), or an empty map or set. A value that
// cannot be worked out offline counts as creating one: the block is
// checked, as before.
func (l *tfLoader) noInstances(body *hclsyntax.Body) bool {
	if a, ok := body.Attributes["count"]; ok {
		v, diags := a.Expr.Value(l.ctx)
		if !diags.HasErrors() && v.IsWhollyKnown() && !v.IsNull() && v.Type() == cty.Number {
			n, _ := v.AsBigFloat().Int64()
			return n <= 0
		}
		return false
	}
	if a, ok := body.Attributes["for_each"]; ok {
		v, diags := a.Expr.Value(l.ctx)
		if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
			return false
		}
		t := v.Type()
		if t.IsMapType() || t.IsSetType() || t.IsObjectType() || t.IsListType() || t.IsTupleType() {
			return v.LengthInt() == 0
		}
	}
	return false
}

// body converts a block body: attributes become properties, nested blocks
// become arrays of objects (blocks may repeat), dynamic blocks are unknown.
func (l *tfLoader) body(body *hclsyntax.Body) *node.Node {
	start := hclPos(body.SrcRange.Filename, body.SrcRange.Start)
	n := &node.Node{Kind: node.Object, Pos: start, EndOffset: hclPos(body.SrcRange.Filename, body.SrcRange.End).Offset}
	type item struct {
		off   int
		field *node.Field
	}
	var items []item
	for _, a := range body.Attributes {
		if tfMeta[a.Name] {
			continue
		}
		items = append(items, item{a.SrcRange.Start.Byte, &node.Field{Key: a.Name, KeyPos: hclPos(a.SrcRange.Filename, a.NameRange.Start), Value: l.expr(a.Expr)}})
	}
	byType := map[string]*node.Node{}
	for _, b := range body.Blocks {
		if tfMeta[b.Type] {
			continue
		}
		key, child := b.Type, l.body(b.Body)
		if b.Type == "dynamic" && len(b.Labels) == 1 {
			key = b.Labels[0]
			child = &node.Node{Kind: node.String, Tag: UnknownTag, Text: "dynamic " + key, Pos: hclPos(b.TypeRange.Filename, b.TypeRange.Start)}
		}
		arr, ok := byType[key]
		if !ok {
			arr = &node.Node{Kind: node.Array, Pos: hclPos(b.TypeRange.Filename, b.TypeRange.Start), EndOffset: child.EndOffset}
			byType[key] = arr
			items = append(items, item{b.TypeRange.Start.Byte, &node.Field{Key: key, KeyPos: arr.Pos, Value: arr}})
		}
		arr.Items = append(arr.Items, child)
		arr.EndOffset = child.EndOffset
	}
	slices.SortFunc(items, func(a, b item) int { return a.off - b.off })
	for _, it := range items {
		n.Fields = append(n.Fields, it.field)
	}
	return n
}

// policyAttrs are attributes that hold IAM policy JSON.
var policyAttrs = map[string]bool{"policy": true, "assume_role_policy": true, "access_policies": true}

// expr converts an expression into a positioned tree: object and tuple
// constructors keep each member's position, jsonencode(x) is x itself,
// a reference to an aws_iam_policy_document is that document, and
// anything else is evaluated (unknown when it cannot be).
func (l *tfLoader) expr(e hclsyntax.Expression) *node.Node {
	rng := e.Range()
	pos := hclPos(rng.Filename, rng.Start)
	end := hclPos(rng.Filename, rng.End)
	switch x := e.(type) {
	case *hclsyntax.ObjectConsExpr:
		n := &node.Node{Kind: node.Object, Pos: pos, EndOffset: end.Offset}
		for _, it := range x.Items {
			key := hcl.ExprAsKeyword(it.KeyExpr)
			if key == "" {
				kv, diags := it.KeyExpr.Value(l.ctx)
				if diags.HasErrors() || !kv.IsKnown() || kv.IsNull() || kv.Type() != cty.String {
					// A key computed at apply time: the whole object is unknown.
					return l.unknown(e)
				}
				key = kv.AsString()
			}
			kr := it.KeyExpr.Range()
			n.Fields = append(n.Fields, &node.Field{Key: key, KeyPos: hclPos(kr.Filename, kr.Start), Value: l.expr(it.ValueExpr)})
		}
		return n
	case *hclsyntax.TupleConsExpr:
		n := &node.Node{Kind: node.Array, Pos: pos, EndOffset: end.Offset}
		for _, item := range x.Exprs {
			n.Items = append(n.Items, l.expr(item))
		}
		return n
	case *hclsyntax.FunctionCallExpr:
		if x.Name == "jsonencode" && len(x.Args) == 1 && !x.ExpandFinal {
			return l.expr(x.Args[0])
		}
	case *hclsyntax.ScopeTraversalExpr:
		text := traversalText(x.Traversal)
		if target, attr, ok := tfRefTarget(text); ok && attr == "json" {
			if doc, ok := l.docs[target]; ok {
				return doc
			}
		}
	case *hclsyntax.ParenthesesExpr:
		return l.expr(x.Expression)
	}
	v, diags := e.Value(l.ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return l.unknown(e)
	}
	n := ctyNode(v, pos, end, 0)
	if n.Kind == node.String {
		n = l.maybeJSON(n, e)
	}
	return n
}

// maybeJSON parses a string that holds a JSON object (a heredoc or quoted
// policy) so its statements keep positions: lines are exact for heredocs,
// where the text starts on the line after the opening marker.
func (l *tfLoader) maybeJSON(n *node.Node, e hclsyntax.Expression) *node.Node {
	s := strings.TrimSpace(n.Text)
	if !strings.HasPrefix(s, "{") || !strings.Contains(s, "Statement") {
		return n
	}
	doc, err := node.ParseJSON(n.Pos.File, []byte(n.Text))
	if err != nil {
		return n
	}
	lineShift, colShift := n.Pos.Line-1, 0
	if t, ok := e.(*hclsyntax.TemplateExpr); ok && isHeredoc(l.src[n.Pos.File], t) {
		lineShift = n.Pos.Line
	} else {
		colShift = n.Pos.Column
	}
	shift(doc, lineShift, colShift)
	return doc
}

func isHeredoc(src []byte, t *hclsyntax.TemplateExpr) bool {
	r := t.Range()
	return r.Start.Byte+2 <= len(src) && string(src[r.Start.Byte:r.Start.Byte+2]) == "<<"
}

func shift(n *node.Node, lines, cols int) {
	move := func(p *node.Pos) {
		if p.Line == 1 {
			p.Column += cols
		}
		p.Line += lines
	}
	move(&n.Pos)
	for _, f := range n.Fields {
		move(&f.KeyPos)
		shift(f.Value, lines, cols)
	}
	for _, item := range n.Items {
		shift(item, lines, cols)
	}
}

func (l *tfLoader) unknown(e hclsyntax.Expression) *node.Node {
	rng := e.Range()
	text := ""
	if src := l.src[rng.Filename]; rng.End.Byte <= len(src) && rng.Start.Byte <= rng.End.Byte {
		text = string(src[rng.Start.Byte:rng.End.Byte])
	}
	if st, ok := e.(*hclsyntax.ScopeTraversalExpr); ok {
		text = traversalText(st.Traversal)
	}
	return &node.Node{Kind: node.String, Tag: UnknownTag, Text: text, Pos: hclPos(rng.Filename, rng.Start), EndOffset: hclPos(rng.Filename, rng.End).Offset}
}

func traversalText(tr hcl.Traversal) string {
	var b strings.Builder
	for i, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type() == cty.String && s.Key.IsKnown() {
				fmt.Fprintf(&b, "[%q]", s.Key.AsString())
			} else if s.Key.Type() == cty.Number && s.Key.IsKnown() {
				fmt.Fprintf(&b, "[%s]", s.Key.AsBigFloat().Text('f', -1))
			} else {
				b.WriteString("[?]")
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		default:
			_ = i
		}
	}
	return b.String()
}

// ctyNode converts a known value; every node takes the expression's position.
func ctyNode(v cty.Value, pos, end node.Pos, depth int) *node.Node {
	n := &node.Node{Pos: pos, EndOffset: end.Offset}
	if depth > node.MaxDepth {
		n.Kind, n.Tag, n.Text = node.String, UnknownTag, "(too deep)"
		return n
	}
	if v.IsNull() {
		n.Kind, n.Text = node.Null, "null"
		return n
	}
	if !v.IsKnown() {
		n.Kind, n.Tag = node.String, UnknownTag
		return n
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		n.Kind, n.Text = node.String, v.AsString()
	case ty == cty.Number:
		n.Kind, n.Text = node.Number, v.AsBigFloat().Text('f', -1)
		if bf := v.AsBigFloat(); bf.IsInt() {
			i, _ := bf.Int(new(big.Int))
			n.Text = i.String()
		}
	case ty == cty.Bool:
		n.Kind, n.Text = node.Bool, "false"
		if v.True() {
			n.Text = "true"
		}
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		n.Kind = node.Array
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			n.Items = append(n.Items, ctyNode(ev, pos, end, depth+1))
		}
	case ty.IsMapType() || ty.IsObjectType():
		n.Kind = node.Object
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			n.Fields = append(n.Fields, &node.Field{Key: k.AsString(), KeyPos: pos, Value: ctyNode(ev, pos, end, depth+1)})
		}
	default:
		n.Kind, n.Tag = node.String, UnknownTag
	}
	return n
}

// tfTags reads tags = {…} (or the Auto Scaling group's tag blocks) and
// adds the provider's default_tags under keys the resource does not set.
func tfTags(r *Resource, defaults Tags) Tags {
	tags := Tags{Known: true}
	st := r.Spec()
	tagsNode := r.Props.Field("tags")
	// The provider tags some types CloudFormation does not (aws_iam_policy):
	// a resource written with tags accepts them.
	tags.Taggable = st.Taggable() || tagsNode != nil
	if !tags.Taggable {
		return tags
	}
	if tagsNode != nil {
		tags.Present = true
		tags.Pos = tagsNode.KeyPos
		tags.Path = joinPath(r.Path, "tags")
		readTagValue(&tags, tagsNode.Value)
	} else if r.SourceType == "aws_autoscaling_group" {
		for _, f := range []string{"tag", "tags"} {
			if tf := r.Props.Field(f); tf != nil && tf.Value.Kind == node.Array {
				tags.Present = true
				tags.Pos = tf.KeyPos
				tags.Path = joinPath(r.Path, f)
				readTagValue(&tags, tf.Value)
			}
		}
	}
	if defaults.Present {
		if !defaults.Known {
			tags.Known = false
		}
		for _, d := range defaults.List {
			if tags.Get(d.Key) == nil {
				tags.List = append(tags.List, d)
			}
		}
	}
	return tags
}

// tfSplits are Terraform AWS provider v4+ resources that configure a
// bucket, and the inline (v3) name under which they are folded into it.
var tfSplits = map[string]string{
	"aws_s3_bucket_server_side_encryption_configuration": "server_side_encryption_configuration",
	"aws_s3_bucket_public_access_block":                  "public_access_block",
	"aws_s3_bucket_acl":                                  "acl",
	"aws_s3_bucket_policy":                               "policy",
	"aws_s3_bucket_versioning":                           "versioning",
	"aws_s3_bucket_logging":                              "logging",
}

// tfParentAttrs names the attribute of a child type that refers to the
// resource it configures.
var tfParentAttrs = map[string]string{
	"aws_iam_access_key":             "user",
	"aws_iam_user_policy":            "user",
	"aws_iam_user_policy_attachment": "user",
	"aws_iam_role_policy":            "role",
	"aws_iam_role_policy_attachment": "role",
	"aws_sqs_queue_policy":           "queue_url",
	"aws_sns_topic_policy":           "arn",
}

// linkTF attaches split and attachment resources to their parents; split
// S3 resources are also folded into the bucket's properties.
func linkTF(t *Template) {
	for _, child := range t.Resources {
		attr := tfParentAttrs[child.SourceType]
		inline, split := tfSplits[child.SourceType]
		if split {
			attr = "bucket"
		}
		if attr == "" {
			continue
		}
		ref := child.Props.Get(attr)
		var parent *Resource
		if target, _, ok := RefTarget(ref); ok {
			parent = t.Resource(target)
		} else if name, ok := String(ref); ok {
			parent = t.Resource(findByName(t, name))
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

// foldSplit adds a split resource's settings to its bucket under the v3
// inline name; values keep their own positions in the split resource.
func foldSplit(bucket, child *Resource, inline string) {
	var v *node.Node
	switch inline {
	case "acl", "policy":
		v = child.Props.Get(inline)
		if inline == "acl" && v == nil {
			v = child.Props.Get("access_control_policy")
			inline = "access_control_policy"
		}
	default:
		body := &node.Node{Kind: node.Object, Pos: child.Props.Pos, EndOffset: child.Props.EndOffset}
		for _, f := range child.Props.Fields {
			if f.Key != "bucket" && f.Key != "expected_bucket_owner" {
				body.Fields = append(body.Fields, f)
			}
		}
		v = &node.Node{Kind: node.Array, Pos: child.Pos, EndOffset: child.Props.EndOffset, Items: []*node.Node{body}}
	}
	if v == nil || bucket.Props.Field(inline) != nil {
		return
	}
	props := *bucket.Props
	props.Fields = append(slices.Clip(props.Fields), &node.Field{Key: inline, KeyPos: child.Pos, Value: v})
	bucket.Props = &props
}

// isTerraformFile reports whether a path is Terraform configuration.
func isTerraformFile(p string) bool {
	return path.Ext(p) == ".tf"
}
