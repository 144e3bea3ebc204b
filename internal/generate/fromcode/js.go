package fromcode

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/iamguard/iamguard/internal/generate/sdkmap"
)

// jsBinding is what an imported name refers to.
type jsBinding struct {
	module string // module specifier, e.g. "@aws-sdk/client-s3"
	name   string // exported name; "*" for a namespace, "default" for a default import
}

// jsClient is a variable holding an SDK client.
type jsClient struct {
	service string
	doc     bool // a DynamoDB DocumentClient (v2) or DynamoDBDocumentClient (v3)
}

type jsAnalyzer struct {
	file    string
	toks    []tok
	m       *sdkmap.Map
	imports map[string]jsBinding
	consts  map[string]string
	clients map[string]jsClient
	regions map[string]string
	calls   []Call
	warns   []Warning
	ops     opMemo // service + " " + operation → known
	// objects are the object literals assigned to names, by token index,
	// so that an input built apart (const params = {…}) is read too.
	objects map[string][]int
}

// argObject reads a call's first argument: an object literal, or a name
// assigned one earlier in the file (the last such assignment before the call).
func (a *jsAnalyzer) argObject(i int) *jsObject {
	if t := a.tok(i); t.Kind == tIdent && (a.is(i+1, ")") || a.is(i+1, ",")) {
		best := -1
		for _, at := range a.objects[t.Text] {
			if at < i {
				best = at
			}
		}
		if best >= 0 {
			obj, _ := a.object(best, 0)
			return obj
		}
	}
	obj, _ := a.object(i, 0)
	return obj
}

func (a *jsAnalyzer) hasOp(service, op string) bool { return a.ops.has(a.m, service, op) }

// AnalyzeJS finds SDK calls in TypeScript or JavaScript source.
func AnalyzeJS(file string, src []byte, m *sdkmap.Map) ([]Call, []Warning) {
	if !bytes.Contains(src, []byte("aws-sdk")) {
		return nil, nil // no SDK import: nothing to tokenize
	}
	a := &jsAnalyzer{file: file, toks: TokenizeJS(src), m: m,
		imports: map[string]jsBinding{}, consts: map[string]string{}, clients: map[string]jsClient{}, regions: map[string]string{}, ops: opMemo{}, objects: map[string][]int{}}
	a.declarations()
	if len(a.imports) == 0 {
		return nil, nil // no SDK import, no SDK call
	}
	a.calls_()
	for i := range a.calls {
		if a.calls[i].Region == "" {
			a.calls[i].Region = a.regions[a.calls[i].Service]
		}
	}
	return a.calls, a.warns
}

func (a *jsAnalyzer) tok(i int) tok {
	if i < 0 || i >= len(a.toks) {
		return tok{Kind: tPunct, Text: ""}
	}
	return a.toks[i]
}

func (a *jsAnalyzer) is(i int, text string) bool {
	t := a.tok(i)
	return (t.Kind == tPunct || t.Kind == tIdent) && t.Text == text
}

// sdkModule reports whether a module specifier is an AWS SDK module.
func sdkModule(mod string) bool {
	return strings.HasPrefix(mod, "@aws-sdk/") || mod == "aws-sdk" || strings.HasPrefix(mod, "aws-sdk/")
}

// moduleService maps an SDK module to its IAM prefix, and says whether it
// is the DynamoDB document client library.
func (a *jsAnalyzer) moduleService(mod string) (string, bool, bool) {
	switch {
	case mod == "@aws-sdk/lib-dynamodb":
		return "dynamodb", true, true
	case mod == "@aws-sdk/lib-storage":
		return "s3", false, true
	case strings.HasPrefix(mod, "@aws-sdk/client-"):
		p, ok := a.m.Prefix(strings.TrimPrefix(mod, "@aws-sdk/client-"))
		return p, false, ok
	case strings.HasPrefix(mod, "aws-sdk/clients/"):
		p, ok := a.m.Prefix(strings.TrimPrefix(mod, "aws-sdk/clients/"))
		return p, false, ok
	}
	return "", false, false
}

// declarations collects imports, requires and string constants. Only
// top-level constants count: a function's own "const key = …" says nothing
// about another function's key.
func (a *jsAnalyzer) declarations() {
	depth := 0
	for i := 0; i < len(a.toks); i++ {
		t := a.toks[i]
		if t.Kind == tPunct {
			switch t.Text {
			case "{", "${":
				depth++
			case "}", "}$":
				depth--
			}
			continue
		}
		if t.Kind != tIdent {
			continue
		}
		switch t.Text {
		case "import":
			a.importDecl(i)
		case "const", "let", "var":
			a.varDecl(i, depth <= 0)
			// const params = { Bucket: 'x', Key: k }; … new PutObjectCommand(params)
			if n := a.tok(i + 1); n.Kind == tIdent && a.is(i+2, "=") && a.is(i+3, "{") {
				a.objects[n.Text] = append(a.objects[n.Text], i+3)
			}
		}
	}
}

// importDecl reads `import D, { A, B as C } from 'm'`, `import * as N from 'm'`
// and TypeScript's `import X = require('m')`.
func (a *jsAnalyzer) importDecl(i int) {
	j := i + 1
	if a.is(j, "type") && !a.is(j+1, "from") && !a.is(j+1, ",") {
		j++
	}
	var names [][2]string // local, exported
	for steps := 0; j < len(a.toks) && steps < 10000; steps++ {
		t := a.tok(j)
		switch {
		case t.Kind == tIdent && t.Text == "from":
			if m := a.tok(j + 1); m.Kind == tString {
				a.bind(m.Text, names)
			}
			return
		case t.Kind == tString: // import 'side-effect'
			return
		case t.Kind == tIdent && a.is(j+1, "=") && a.is(j+2, "require") && a.is(j+3, "("):
			if m := a.tok(j + 4); m.Kind == tString {
				a.bind(m.Text, [][2]string{{t.Text, "*"}})
			}
			return
		case t.Kind == tIdent:
			names = append(names, [2]string{t.Text, "default"})
			j++
		case t.Text == "*" && a.is(j+1, "as"):
			names = append(names, [2]string{a.tok(j + 2).Text, "*"})
			j += 3
		case t.Text == "{":
			var list [][2]string
			j = a.nameList(j, &list)
			names = append(names, list...)
		case t.Text == ",":
			j++
		default:
			return
		}
	}
}

// nameList reads `{ A, B as C, type D }` (imports) or `{ A, B: C }`
// (destructuring) starting at '{' and returns the index after '}'.
func (a *jsAnalyzer) nameList(j int, out *[][2]string) int {
	j++
	for j < len(a.toks) && !a.is(j, "}") {
		t := a.tok(j)
		if t.Kind == tIdent && t.Text == "type" && a.tok(j+1).Kind == tIdent {
			j++
			t = a.tok(j)
		}
		if t.Kind == tIdent || t.Kind == tString {
			exported, local := t.Text, t.Text
			if (a.is(j+1, "as") || a.is(j+1, ":")) && a.tok(j+2).Kind == tIdent {
				local = a.tok(j + 2).Text
				j += 2
			}
			*out = append(*out, [2]string{local, exported})
		}
		j++
	}
	return j + 1
}

func (a *jsAnalyzer) bind(mod string, names [][2]string) {
	if !sdkModule(mod) {
		return
	}
	for _, n := range names {
		a.imports[n[0]] = jsBinding{module: mod, name: n[1]}
	}
}

// varDecl reads `const X = require('m')`, `const { A } = require('m')` and
// `const X = 'literal'`.
func (a *jsAnalyzer) varDecl(i int, topLevel bool) {
	j := i + 1
	switch t := a.tok(j); {
	case t.Kind == tIdent && a.is(j+1, "=") && a.is(j+2, "require") && a.is(j+3, "("):
		if m := a.tok(j + 4); m.Kind == tString {
			name := "*"
			if a.is(j+5, ")") && a.is(j+6, ".") && a.tok(j+7).Kind == tIdent {
				name = a.tok(j + 7).Text
			}
			a.bind(m.Text, [][2]string{{t.Text, name}})
		}
	case t.Kind == tIdent && a.is(j+1, "=") && a.tok(j+2).Kind == tString && topLevel:
		v, end := a.stringValue(j + 2)
		if v != "" && (a.is(end, ";") || a.tok(end).Line != a.tok(j+2).Line || end >= len(a.toks)) {
			a.consts[t.Text] = v
		}
	case t.Text == "{" && t.Kind == tPunct:
		var list [][2]string
		k := a.nameList(j, &list)
		if a.is(k, "=") && a.is(k+1, "require") && a.is(k+2, "(") {
			if m := a.tok(k + 3); m.Kind == tString {
				a.bind(m.Text, list)
			}
		}
	}
}

// stringValue reads a string expression at i: a literal, a template (its
// prefix + "*"), or a literal followed by '+' (prefix + "*"). It returns ""
// when only an empty prefix is known, and the index after the expression's
// first part.
func (a *jsAnalyzer) stringValue(i int) (string, int) {
	t := a.tok(i)
	end := i + 1
	if t.Partial {
		end = a.skipInterpolations(end)
		if t.Text == "" {
			return "", end
		}
		return t.Text + "*", end
	}
	if a.is(end, "+") {
		if t.Text == "" {
			return "", end
		}
		return t.Text + "*", end
	}
	return t.Text, end
}

// skipInterpolations skips the ${ … }$ groups the tokenizer placed after a
// template string.
func (a *jsAnalyzer) skipInterpolations(j int) int {
	for a.is(j, "${") {
		depth := 0
		for j < len(a.toks) {
			if a.is(j, "${") {
				depth++
			} else if a.is(j, "}$") {
				depth--
				if depth == 0 {
					j++
					break
				}
			}
			j++
		}
	}
	return j
}

// skipBalanced returns the index after the bracket group opening at i.
func (a *jsAnalyzer) skipBalanced(i int) int {
	depth := 0
	for j := i; j < len(a.toks); j++ {
		t := a.toks[j]
		if t.Kind != tPunct {
			continue
		}
		switch t.Text {
		case "(", "[", "{", "${":
			depth++
		case ")", "]", "}", "}$":
			depth--
			if depth <= 0 {
				return j + 1
			}
		}
	}
	return len(a.toks)
}

// jsObject is an object literal's string-valued members.
type jsObject struct {
	fields     sdkmap.Fields
	nonLiteral []string
	nested     map[string]*jsObject
}

const maxObjectDepth = 16

// object reads the object literal opening at i ('{').
func (a *jsAnalyzer) object(i, depth int) (*jsObject, int) {
	o := &jsObject{fields: sdkmap.Fields{}}
	if !a.is(i, "{") {
		return o, i
	}
	end := a.skipBalanced(i)
	j := i + 1
	for j < end-1 {
		t := a.tok(j)
		if a.is(j, "...") || a.is(j, "[") || !(t.Kind == tIdent || t.Kind == tString || t.Kind == tNumber) {
			j = a.nextMember(j, end)
			continue
		}
		key := t.Text
		switch {
		case a.is(j+1, ",") || a.is(j+1, "}"): // shorthand { Bucket }
			if v, ok := a.consts[key]; ok {
				o.fields[key] = v
			} else {
				o.nonLiteral = append(o.nonLiteral, key)
			}
			j += 2
			continue
		case !a.is(j+1, ":"):
			j = a.nextMember(j, end) // a method or getter
			continue
		}
		v := j + 2
		vt := a.tok(v)
		switch {
		case vt.Kind == tString:
			s, after := a.stringValue(v)
			if s != "" && (a.is(after, ",") || a.is(after, "}") || a.is(after, "+")) {
				o.fields[key] = s
			} else {
				o.nonLiteral = append(o.nonLiteral, key)
			}
		case vt.Kind == tIdent && (a.is(v+1, ",") || a.is(v+1, "}")):
			if s, ok := a.consts[vt.Text]; ok {
				o.fields[key] = s
			} else {
				o.nonLiteral = append(o.nonLiteral, key)
			}
		case a.is(v, "{") && depth < maxObjectDepth:
			if o.nested == nil {
				o.nested = map[string]*jsObject{}
			}
			o.nested[key], _ = a.object(v, depth+1)
		default:
			o.nonLiteral = append(o.nonLiteral, key)
		}
		j = a.nextMember(v, end)
	}
	return o, end
}

// nextMember returns the index after the ',' that ends the member at j.
func (a *jsAnalyzer) nextMember(j, end int) int {
	for j < end-1 {
		t := a.tok(j)
		if t.Kind == tPunct {
			switch t.Text {
			case "(", "[", "{", "${":
				j = a.skipBalanced(j)
				continue
			case ",":
				return j + 1
			}
		}
		j++
	}
	return end
}

// assignee names what the expression starting at i is assigned to:
// `const x =`, `x =`, `this.x =`, `x: Type =`, or "".
func (a *jsAnalyzer) assignee(i int) string {
	j := i - 1
	if a.is(j, "await") {
		j--
	}
	if !a.is(j, "=") {
		return ""
	}
	j--
	if a.tok(j).Kind == tIdent && a.is(j-1, ":") && a.tok(j-2).Kind == tIdent {
		j -= 2 // a type annotation
	}
	if a.tok(j).Kind != tIdent {
		return ""
	}
	name := a.tok(j).Text
	if a.is(j-1, ".") && a.is(j-2, "this") {
		return "this." + name
	}
	return name
}

// calls_ walks the tokens for client constructions and SDK calls.
func (a *jsAnalyzer) calls_() {
	for i := 0; i < len(a.toks); i++ {
		t := a.toks[i]
		if t.Kind != tIdent {
			continue
		}
		switch {
		case t.Text == "new":
			a.newExpr(i)
		case a.is(i+1, ".") && a.tok(i+2).Kind == tIdent && a.is(i+3, "(") && !a.is(i-1, "."):
			a.methodCall(t.Text, i+2)
		case t.Text == "this" && a.is(i+1, ".") && a.tok(i+2).Kind == tIdent && a.is(i+3, ".") && a.tok(i+4).Kind == tIdent && a.is(i+5, "("):
			a.methodCall("this."+a.tok(i+2).Text, i+4)
			i += 4
		case a.is(i+1, "(") && !a.is(i-1, "."):
			a.functionCall(i)
		}
	}
}

// newExpr handles `new X(…)` and `new A.B.C(…)`.
func (a *jsAnalyzer) newExpr(i int) {
	j := i + 1
	var chain []string
	for a.tok(j).Kind == tIdent {
		chain = append(chain, a.tok(j).Text)
		if !a.is(j+1, ".") {
			break
		}
		j += 2
	}
	if len(chain) == 0 || !a.is(j+1, "(") {
		return
	}
	open := j + 1
	b, ok := a.imports[chain[0]]
	if !ok {
		return
	}
	name := chain[len(chain)-1]
	var service string
	var doc bool
	switch {
	case b.module == "aws-sdk": // v2: new AWS.S3(), new AWS.DynamoDB.DocumentClient()
		svcName := b.name // const { S3 } = require('aws-sdk'): new S3()
		if b.name == "*" || b.name == "default" {
			if len(chain) < 2 {
				return
			}
			svcName = chain[1]
		}
		p, ok := a.m.Prefix(svcName)
		if !ok {
			return
		}
		a.client(i, open, p, name == "DocumentClient")
		return
	default:
		p, isDoc, ok := a.moduleService(b.module)
		if !ok {
			return
		}
		service, doc = p, isDoc
	}
	exported := name
	if len(chain) == 1 && b.name != "*" && b.name != "default" {
		exported = b.name
	}
	switch {
	case strings.HasSuffix(exported, "Command") && len(exported) > len("Command"):
		op := strings.TrimSuffix(exported, "Command")
		obj := a.argObject(open + 1)
		a.addCall(a.toks[i].Line, service, op, obj, "new "+exported)
	case b.module == "@aws-sdk/lib-storage" && exported == "Upload":
		obj, _ := a.object(open+1, 0)
		params := obj.nested["params"]
		if params == nil {
			params = &jsObject{fields: sdkmap.Fields{}}
		}
		a.addCall(a.toks[i].Line, "s3", "Upload", params, "new Upload (lib-storage)")
	default: // a client: new S3Client({...}), new S3({...}), import S3 from 'aws-sdk/clients/s3'
		a.client(i, open, service, doc || exported == "DocumentClient")
	}
}

// client records a client construction: its variable and region.
func (a *jsAnalyzer) client(newAt, open int, service string, doc bool) {
	if v := a.assignee(newAt); v != "" {
		a.clients[v] = jsClient{service: service, doc: doc}
	}
	obj, _ := a.object(open+1, 0)
	if r, ok := obj.fields.Get("region"); ok && !strings.HasSuffix(r, "*") {
		if _, seen := a.regions[service]; !seen {
			a.regions[service] = r
		}
	}
}

// ignoredMethods are client methods that are not operations.
var ignoredMethods = map[string]bool{"send": true, "promise": true, "destroy": true, "config": true, "middlewareStack": true, "on": true, "then": true, "catch": true, "from": true}

// methodCall handles `client.op(…)`, `client.getSignedUrl('op', …)` and
// `DynamoDBDocumentClient.from(…)`.
func (a *jsAnalyzer) methodCall(recv string, at int) {
	method := a.tok(at).Text
	open := at + 1
	if b, ok := a.imports[recv]; ok && method == "from" && b.module == "@aws-sdk/lib-dynamodb" {
		if v := a.assignee(at - 2); v != "" {
			a.clients[v] = jsClient{service: "dynamodb", doc: true}
		}
		return
	}
	c, ok := a.clients[recv]
	if !ok {
		if i := strings.LastIndexByte(recv, '.'); i >= 0 {
			c, ok = a.clients[recv[i+1:]]
		}
		if !ok {
			return
		}
	}
	if method == "getSignedUrl" || method == "getSignedUrlPromise" {
		if s := a.tok(open + 1); s.Kind == tString && a.is(open+2, ",") {
			obj, _ := a.object(open+3, 0)
			a.addCall(a.tok(at).Line, c.service, pascal(s.Text), obj, recv+"."+method+"('"+s.Text+"')")
		}
		return
	}
	if ignoredMethods[method] {
		return
	}
	op := pascal(method)
	if !a.hasOp(c.service, op) {
		return
	}
	obj := a.argObject(open + 1)
	a.addCall(a.tok(at).Line, c.service, op, obj, recv+"."+method+"()")
}

// functionCall handles v3 paginators: paginateListObjectsV2({ client }, { Bucket }).
func (a *jsAnalyzer) functionCall(i int) {
	name := a.toks[i].Text
	b, ok := a.imports[name]
	if !ok || !strings.HasPrefix(b.name, "paginate") {
		return
	}
	service, _, ok := a.moduleService(b.module)
	if !ok {
		return
	}
	first := i + 2
	second := a.skipBalanced(first)
	if !a.is(second, ",") {
		return
	}
	obj, _ := a.object(second+1, 0)
	a.addCall(a.toks[i].Line, service, strings.TrimPrefix(b.name, "paginate"), obj, name+"()")
}

func (a *jsAnalyzer) addCall(line32 int32, service, op string, obj *jsObject, form string) {
	line := int(line32)
	if !a.hasOp(service, op) {
		a.warns = append(a.warns, Warning{File: a.file, Line: line, Msg: fmt.Sprintf("%s: no IAM action is known for %s operation %s", form, service, op)})
		return
	}
	a.calls = append(a.calls, Call{File: a.file, Line: line, Service: service, Operation: op, Fields: obj.fields, NonLiteral: obj.nonLiteral, Form: form})
}
