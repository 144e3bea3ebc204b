package fromcode

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"

	"github.com/iamguard/iamguard/internal/generate/sdkmap"
)

// goSDK says what an imported Go package is.
type goSDK struct {
	service string // IAM prefix
	helper  bool   // s3 manager / s3manager (transfer helpers)
}

// goPackage maps an import path to the SDK service package it is.
func goPackage(path string, m *sdkmap.Map) (goSDK, bool) {
	for _, root := range []string{"github.com/aws/aws-sdk-go-v2/service/", "github.com/aws/aws-sdk-go/service/"} {
		rest, ok := strings.CutPrefix(path, root)
		if !ok {
			continue
		}
		parts := strings.Split(rest, "/")
		if len(parts) == 2 && parts[1] == "s3manager" {
			return goSDK{service: "s3", helper: true}, true
		}
		if len(parts) != 1 {
			return goSDK{}, false // types, iface, …
		}
		p, ok := m.Prefix(parts[0])
		return goSDK{service: p}, ok
	}
	if path == "github.com/aws/aws-sdk-go-v2/feature/s3/manager" {
		return goSDK{service: "s3", helper: true}, true
	}
	return goSDK{}, false
}

// AnalyzeGo finds AWS SDK calls in Go source (aws-sdk-go-v2 and v1). The
// operation comes from the input type (&s3.PutObjectInput{…}) or, for
// inputs not written literally, from a method of a client made by
// s3.NewFromConfig / s3.New in the same file. It reads the syntax only:
// no type checking, so it works on code that does not build (the typed
// path, gotypes.go, runs the same analysis with the package's types).
func AnalyzeGo(file string, src []byte, m *sdkmap.Map) ([]Call, []Warning) {
	if !bytes.Contains(src, []byte("github.com/aws/aws-sdk-go")) {
		return nil, nil // no SDK import: nothing to tokenize
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
	if err != nil && f == nil {
		return nil, []Warning{{File: file, Line: 1, Msg: "not parsed: " + err.Error()}}
	}
	g := newGoAnalyzer(file, fset, f, m)
	if len(g.pkgs) == 0 {
		return nil, nil
	}
	g.collect(f)
	g.analyze()
	return g.results()
}

// newGoAnalyzer reads the file's SDK imports.
func newGoAnalyzer(file string, fset *token.FileSet, f *ast.File, m *sdkmap.Map) *goAnalyzer {
	g := &goAnalyzer{file: file, fset: fset, m: m, pkgs: map[string]goSDK{}, consts: map[string]string{},
		clients: map[string]string{}, consumed: map[*ast.CompositeLit]bool{}, literalOps: map[string]bool{}}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		sdk, ok := goPackage(path, m)
		if !ok {
			continue
		}
		name := path[strings.LastIndexByte(path, '/')+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		g.pkgs[name] = sdk
	}
	return g
}

// results gives the calls, with the file's region where a call has none.
func (g *goAnalyzer) results() ([]Call, []Warning) {
	for i := range g.calls {
		if g.calls[i].Region == "" {
			g.calls[i].Region = g.region
		}
	}
	return g.calls, g.warns
}

type goAnalyzer struct {
	file       string
	fset       *token.FileSet
	m          *sdkmap.Map
	pkgs       map[string]goSDK
	consts     map[string]string
	clients    map[string]string // variable → service
	region     string
	consumed   map[*ast.CompositeLit]bool
	literalOps map[string]bool // service:op with a literal input somewhere in the file
	nodes      []ast.Node      // calls and SDK input literals, in walk order
	// typed is the file's type information on the typed path, nil on
	// the syntax path.
	typed *typedFile
	calls []Call
	warns []Warning
}

func (g *goAnalyzer) line(p token.Pos) int { return g.fset.Position(p).Line }

// collect finds string constants, client variables, the region, the
// operations whose inputs are written literally, and the calls and input
// literals to analyse once all of that is known: one walk of the tree.
func (g *goAnalyzer) collect(f *ast.File) {
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if i < len(n.Values) {
					g.bindValue(name.Name, n.Values[i])
				}
			}
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i, l := range n.Lhs {
					if name := exprName(l); name != "" {
						g.bindValue(name, n.Rhs[i])
					}
				}
			}
		case *ast.CallExpr:
			g.nodes = append(g.nodes, n)
			// config.WithRegion("us-east-1"), aws.NewConfig().WithRegion("…")
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "WithRegion" && len(n.Args) == 1 {
				if v, ok := g.str(n.Args[0]); ok && g.region == "" && !strings.HasSuffix(v, "*") {
					g.region = v
				}
			}
		case *ast.KeyValueExpr:
			// aws.Config{Region: …}, s3.Options{Region: …}
			if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Region" {
				if v, ok := g.str(n.Value); ok && g.region == "" && !strings.HasSuffix(v, "*") {
					g.region = v
				}
			}
		case *ast.CompositeLit:
			if svc, op, ok := g.inputType(n); ok {
				g.literalOps[svc+":"+op] = true
				g.nodes = append(g.nodes, n)
			}
		}
		return true
	})
}

// exprName names an assignment target: x, or s.x (as "s.x" and matched by
// its last part).
func exprName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

func (g *goAnalyzer) bindValue(name string, v ast.Expr) {
	if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
		if s, err := strconv.Unquote(lit.Value); err == nil {
			g.consts[name] = s
		}
		return
	}
	// c := s3.NewFromConfig(cfg), svc := s3.New(sess)
	if call, ok := v.(*ast.CallExpr); ok {
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
			if pkg, ok := sel.X.(*ast.Ident); ok {
				if sdk, ok := g.pkgs[pkg.Name]; ok && !sdk.helper && (sel.Sel.Name == "NewFromConfig" || sel.Sel.Name == "New") {
					g.clients[name] = sdk.service
				}
			}
		}
	}
}

// str evaluates a string-valued expression: a literal, a constant,
// aws.String(x), a concatenation or fmt.Sprintf (their literal start + "*").
func (g *goAnalyzer) str(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		s, ok := g.consts[e.Name]
		return s, ok
	case *ast.UnaryExpr:
		return g.str(e.X)
	case *ast.ParenExpr:
		return g.str(e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		if s, ok := g.str(e.X); ok && s != "" {
			if r, ok := g.str(e.Y); ok {
				return s + r, true
			}
			return strings.TrimSuffix(s, "*") + "*", true
		}
	case *ast.CallExpr:
		sel, ok := e.Fun.(*ast.SelectorExpr)
		if !ok || len(e.Args) == 0 {
			return "", false
		}
		switch sel.Sel.Name {
		case "String", "StringPtr", "Ptr", "ToString":
			if len(e.Args) == 1 {
				return g.str(e.Args[0])
			}
		case "Sprintf":
			if s, ok := g.str(e.Args[0]); ok {
				if i := strings.IndexByte(s, '%'); i >= 0 {
					if i == 0 {
						return "", false
					}
					return s[:i] + "*", true
				}
				return s, true
			}
		}
	}
	return "", false
}

// inputType recognises s3.PutObjectInput{…} and s3manager.UploadInput{…}.
func (g *goAnalyzer) inputType(lit *ast.CompositeLit) (service, op string, ok bool) {
	sel, isSel := lit.Type.(*ast.SelectorExpr)
	if !isSel {
		return "", "", false
	}
	pkg, isIdent := sel.X.(*ast.Ident)
	if !isIdent {
		return "", "", false
	}
	sdk, known := g.pkgs[pkg.Name]
	name := sel.Sel.Name
	if !known || !strings.HasSuffix(name, "Input") || len(name) == len("Input") {
		return "", "", false
	}
	return sdk.service, strings.TrimSuffix(name, "Input"), true
}

func (g *goAnalyzer) fields(lit *ast.CompositeLit) (sdkmap.Fields, []string) {
	f := sdkmap.Fields{}
	var nonLit []string
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		k, ok := kv.Key.(*ast.Ident)
		if !ok {
			continue
		}
		if v, ok := g.str(kv.Value); ok && v != "" {
			f[k.Name] = v
		} else {
			nonLit = append(nonLit, k.Name)
		}
	}
	return f, nonLit
}

func compositeArg(e ast.Expr) *ast.CompositeLit {
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = u.X
	}
	lit, _ := e.(*ast.CompositeLit)
	return lit
}

// v1Suffixes are the v1 method variants of one operation.
var v1Suffixes = []string{"PagesWithContext", "WithContext", "Pages", "Request"}

// analyze visits the collected calls and input literals in source order
// (a call comes before the literals inside it, which it consumes).
func (g *goAnalyzer) analyze() {
	for _, n := range g.nodes {
		switch n := n.(type) {
		case *ast.CallExpr:
			g.callExpr(n)
		case *ast.CompositeLit:
			if g.consumed[n] {
				continue
			}
			if svc, op, ok := g.inputType(n); ok {
				fields, nonLit := g.fields(n)
				g.add(n.Pos(), svc, op, fields, nonLit, inputText(n, svc, op))
			}
		}
	}
}

// inputText is an input literal's type as the source writes it
// ("cloudcontrol.CreateResourceInput"), for the evidence; the IAM prefix
// may differ from the package name.
func inputText(lit *ast.CompositeLit, svc, op string) string {
	if t := exprText(lit.Type); t != "" {
		return t
	}
	return svc + "." + op + "Input"
}

func (g *goAnalyzer) callExpr(call *ast.CallExpr) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return
	}
	method := sel.Sel.Name
	// A literal input passed to the call: the call's line is the evidence.
	for _, arg := range call.Args {
		lit := compositeArg(arg)
		if lit == nil {
			continue
		}
		svc, op, ok := g.inputType(lit)
		if !ok {
			continue
		}
		g.consumed[lit] = true
		fields, nonLit := g.fields(lit)
		form := exprText(sel) + "(&" + inputText(lit, svc, op) + "{…})"
		// Transfer helpers: uploader.Upload(ctx, &s3.PutObjectInput{…}).
		if (method == "Upload" || method == "UploadWithContext") && op == "PutObject" {
			op = "Upload"
		}
		if (method == "Download" || method == "DownloadWithContext") && op == "GetObject" {
			op = "Download"
		}
		g.add(call.Pos(), svc, op, fields, nonLit, form)
		return
	}
	// client.GetObject(ctx, in) with a client made in this file and an
	// input not written literally anywhere in it.
	recv := exprName(sel.X)
	svc, syntaxSees := g.clients[recv]
	if g.typed != nil {
		// The receiver's static type decides, wherever the value came
		// from; the syntax guess stands only where types say nothing.
		if tsvc, top, decided := g.typed.resolve(sel, g.m); decided {
			if tsvc == "" || g.literalOps[tsvc+":"+top] {
				return
			}
			// A call the syntax path does not see is left out where the
			// module writes the operation's input literally: that
			// literal, where it is written, already names the resources.
			if (!syntaxSees || svc != tsvc) && g.typed.module.literalOps[tsvc+":"+top] {
				return
			}
			g.add(call.Pos(), tsvc, top, sdkmap.Fields{}, []string{"(input not literal)"}, exprText(sel)+"(…)")
			return
		}
	}
	if !syntaxSees {
		return
	}
	op := trimV1Suffixes(method)
	if g.literalOps[svc+":"+op] || !g.m.HasOperation(svc, op) {
		return
	}
	g.add(call.Pos(), svc, op, sdkmap.Fields{}, []string{"(input not literal)"}, exprText(sel)+"(…)")
}

// trimV1Suffixes turns a v1 method variant into its operation:
// GetObjectWithContext → GetObject.
func trimV1Suffixes(method string) string {
	for _, s := range v1Suffixes {
		method = strings.TrimSuffix(method, s)
	}
	return method
}

func exprText(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprText(e.X) + "." + e.Sel.Name
	case *ast.CallExpr:
		return exprText(e.Fun) + "()"
	}
	return "…"
}

func (g *goAnalyzer) add(pos token.Pos, service, op string, f sdkmap.Fields, nonLit []string, form string) {
	line := g.line(pos)
	if !g.m.HasOperation(service, op) {
		g.warns = append(g.warns, Warning{File: g.file, Line: line, Msg: fmt.Sprintf("%s: no IAM action is known for %s operation %s", form, service, op)})
		return
	}
	g.calls = append(g.calls, Call{File: g.file, Line: line, Service: service, Operation: op, Fields: f, NonLiteral: nonLit, Form: form})
}
