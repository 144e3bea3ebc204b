package fromcode

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/iamguard/iamguard/internal/generate/sdkmap"
)

// The typed path: where the tree is (or is inside) a Go module that builds,
// `go list -deps -export` gives every dependency's export data, the
// module's own packages are type-checked from source with go/types, and
// the same per-file analysis as the syntax path runs with the packages'
// types, so a method call is tied to its SDK client by the receiver's
// static type (a struct field, a parameter, a client from another package,
// an interface the client implements) rather than by a variable made in
// the same file. Only the standard library is used: no go/packages.

// defaultTypesTimeout bounds one module's `go list`: a cold build cache
// compiles the SDK, a missing module may wait on the network.
const defaultTypesTimeout = 60 * time.Second

// goModule is a Go module whose files the typed path reads.
type goModule struct {
	// dir is where `go list ./...` runs: the module's root, or the
	// analysed root when the module's go.mod is above it.
	dir string
	// goMod names the go.mod for warnings, relative to the analysed root.
	goMod string
	// files are the walk names of the module's Go files (tests excluded).
	files map[string]bool
}

// typedResult is what the typed path found: per-file results that replace
// the syntax path's, and one warning per module that fell back.
type typedResult struct {
	files    map[string]fileAnalysis
	warnings []Warning
}

type fileAnalysis struct {
	calls []Call
	warns []Warning
}

// analyzeGoTyped type-checks every module that holds some of goFiles and
// depends on the SDK. modDirs are the walk names of the directories with
// a go.mod. A module whose packages cannot be listed or built is left to
// the syntax path, with a warning; only ctx's end is an error.
func analyzeGoTyped(ctx context.Context, absRoot string, modDirs, goFiles []string, m *sdkmap.Map, timeout time.Duration) (typedResult, error) {
	res := typedResult{files: map[string]fileAnalysis{}}
	for _, mod := range goModules(absRoot, modDirs, goFiles) {
		files, err := typeCheckModule(ctx, mod, absRoot, m, timeout)
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if err != nil {
			res.warnings = append(res.warnings, Warning{File: mod.goMod, Line: 1,
				Msg: "Go types unavailable, calls in this module read from the syntax only: " + err.Error()})
			continue
		}
		for name, fa := range files {
			res.files[name] = fa
		}
	}
	return res, nil
}

// goModules groups the Go files by the module they belong to: the nearest
// go.mod at or above them. Modules that do not require the AWS SDK are
// left out: no call of theirs can resolve to it.
func goModules(absRoot string, modDirs, goFiles []string) []goModule {
	// Deepest first, so the first prefix that matches is the nearest.
	dirs := slices.Clone(modDirs)
	slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) })
	enclosing := ""
	if !slices.Contains(dirs, ".") {
		enclosing = goModAbove(absRoot)
	}
	mods := map[string]*goModule{}
	for _, name := range goFiles {
		dir := ""
		for _, d := range dirs {
			if d == "." || strings.HasPrefix(name, d+"/") {
				dir = d
				break
			}
		}
		key := dir
		if dir == "" {
			if enclosing == "" {
				continue // in no module: syntax only
			}
			key = "" // the module above the root
		}
		mod := mods[key]
		if mod == nil {
			mod = &goModule{files: map[string]bool{}}
			if key == "" {
				mod.dir = absRoot
				rel, err := filepath.Rel(absRoot, enclosing)
				if err != nil {
					rel = enclosing
				}
				mod.goMod = filepath.ToSlash(rel)
			} else {
				mod.dir = filepath.Join(absRoot, filepath.FromSlash(dir))
				mod.goMod = path.Join(dir, "go.mod")
			}
			mods[key] = mod
		}
		mod.files[name] = true
	}
	var out []goModule
	for _, mod := range mods {
		gomod := filepath.Join(absRoot, filepath.FromSlash(mod.goMod))
		if data, err := os.ReadFile(gomod); err == nil && bytes.Contains(data, []byte("github.com/aws/aws-sdk-go")) {
			out = append(out, *mod)
		}
	}
	slices.SortFunc(out, func(a, b goModule) int { return strings.Compare(a.dir, b.dir) })
	return out
}

// goModAbove finds the go.mod of the module dir is inside, above dir.
func goModAbove(dir string) string {
	for {
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return filepath.Join(dir, "go.mod")
		}
	}
}

// listedPackage is the part of `go list -json` the typed path reads.
type listedPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	CgoFiles   []string
	Export     string
	DepOnly    bool
	Imports    []string // after vendoring, as ImportMap maps them
	ImportMap  map[string]string
}

// goList runs `go list -deps -export ./...` in dir with the user's
// environment, bounded by timeout.
func goList(ctx context.Context, dir string, timeout time.Duration) ([]listedPackage, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return nil, errors.New("no go command")
	}
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(lctx, goCmd, "list", "-deps", "-export",
		"-json=ImportPath,Dir,GoFiles,CgoFiles,Export,DepOnly,Imports,ImportMap", "./...")
	cmd.Dir = dir
	// The compiler processes go list starts may outlive it when it is
	// killed; do not wait on their copies of the pipes.
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if lctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			// Usually a first build of the dependencies: what it
			// compiled stays in the build cache for the next run.
			return nil, fmt.Errorf("go list took longer than %s (a first build of the dependencies? what it compiled is cached for the next run)", timeout)
		}
		return nil, fmt.Errorf("go list failed: %s", firstLine(stderr.String(), err))
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(&stdout)
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// firstLine is the first non-empty line of a command's error output,
// shortened, or the error itself when there is none.
func firstLine(stderr string, err error) string {
	for line := range strings.Lines(stderr) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "# ") { // "# pkg" heads the compiler's errors
			continue
		}
		if len(line) > 240 {
			line = line[:240] + "…"
		}
		return line
	}
	return err.Error()
}

// typeCheckModule lists the module's packages, type-checks those with
// files in mod.files, and analyses those files with their types.
func typeCheckModule(ctx context.Context, mod goModule, absRoot string, m *sdkmap.Map, timeout time.Duration) (map[string]fileAnalysis, error) {
	pkgs, err := goList(ctx, mod.dir, timeout)
	if err != nil {
		return nil, err
	}
	exports := make(map[string]string, len(pkgs))
	// reachesSDK: the package is, or depends on, an AWS SDK package. One
	// that does not cannot hold an SDK value, so it is not type-checked.
	// -deps lists every package after its dependencies: one pass.
	reachesSDK := make(map[string]bool, len(pkgs))
	for _, p := range pkgs {
		if p.Export != "" {
			exports[p.ImportPath] = p.Export
		}
		reaches := strings.HasPrefix(p.ImportPath, "github.com/aws/aws-sdk-go")
		for _, imp := range p.Imports {
			reaches = reaches || reachesSDK[imp]
		}
		reachesSDK[p.ImportPath] = reaches
	}
	fset := token.NewFileSet()
	lookup := func(importPath string) (io.ReadCloser, error) {
		file, ok := exports[importPath]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", importPath)
		}
		return os.Open(file)
	}
	tm := &typedModule{
		importer:   importer.ForCompiler(fset, "gc", lookup),
		literalOps: map[string]bool{},
		implements: map[implementsKey]bool{},
	}
	walkName := walkNamer(absRoot)
	var analyzers []*goAnalyzer
	for _, p := range pkgs {
		if p.DepOnly || !reachesSDK[p.ImportPath] || ctx.Err() != nil {
			continue
		}
		var names []string // walk names, "" for a file outside the tree
		inTree := false
		for _, f := range slices.Concat(p.GoFiles, p.CgoFiles) {
			name := walkName(filepath.Join(p.Dir, f))
			inTree = inTree || mod.files[name]
			names = append(names, name)
		}
		if !inTree {
			continue
		}
		gs, err := tm.checkPackage(fset, p, names, m)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			if mod.files[g.file] {
				analyzers = append(analyzers, g)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Every literal input of the module is known before any call is
	// judged (see callExpr).
	for _, g := range analyzers {
		for op := range g.literalOps {
			tm.literalOps[op] = true
		}
	}
	out := make(map[string]fileAnalysis, len(analyzers))
	for _, g := range analyzers {
		g.analyze()
		calls, warns := g.results()
		out[g.file] = fileAnalysis{calls: calls, warns: warns}
	}
	return out, nil
}

// walkNamer maps a file on disk to its name in the walk (slash-separated,
// relative to the root), or "" when it is outside the root. go list may
// report directories through symbolic links resolved or not: both are
// tried.
func walkNamer(absRoot string) func(string) string {
	realRoot, err := filepath.EvalSymlinks(absRoot)
	if err != nil {
		realRoot = absRoot
	}
	within := func(root, file string) (string, bool) {
		rel, err := filepath.Rel(root, file)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", false
		}
		return filepath.ToSlash(rel), true
	}
	return func(file string) string {
		if name, ok := within(absRoot, file); ok {
			return name
		}
		if real, err := filepath.EvalSymlinks(file); err == nil {
			if name, ok := within(realRoot, real); ok {
				return name
			}
		}
		return ""
	}
}

// checkPackage parses and type-checks one package from source, its
// imports from export data, and returns an analyzer per file with the
// constants, clients and literal inputs collected. A type error does not
// stop it: go list built the package, so errors here come from what
// go/types does not model (cgo), and the types it did find still count.
func (tm *typedModule) checkPackage(fset *token.FileSet, p listedPackage, names []string, m *sdkmap.Map) ([]*goAnalyzer, error) {
	files := make([]*ast.File, 0, len(names))
	for i, f := range slices.Concat(p.GoFiles, p.CgoFiles) {
		full := filepath.Join(p.Dir, f)
		src, err := os.ReadFile(full)
		if err != nil {
			return nil, err
		}
		name := names[i]
		if name == "" {
			name = full // outside the tree: type-checked, not analysed
		}
		af, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, af)
	}
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}}
	conf := types.Config{
		Importer: importerFunc(func(importPath string) (*types.Package, error) {
			if mapped, ok := p.ImportMap[importPath]; ok {
				importPath = mapped // vendored
			}
			return tm.importer.Import(importPath)
		}),
		FakeImportC: true,
		Error:       func(error) {},
	}
	_, _ = conf.Check(p.ImportPath, fset, files, info) // errors tolerated, see above
	tf := &typedFile{info: info, module: tm}
	gs := make([]*goAnalyzer, 0, len(files))
	for i, af := range files {
		if names[i] == "" {
			continue
		}
		g := newGoAnalyzer(names[i], fset, af, m)
		g.typed = tf
		g.collect(af)
		gs = append(gs, g)
	}
	return gs, nil
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// typedModule is what the analysis of one module's files shares.
type typedModule struct {
	importer types.Importer
	// literalOps are the operations ("s3:GetObject") whose input the
	// module writes literally somewhere.
	literalOps map[string]bool
	implements map[implementsKey]bool
}

type implementsKey struct {
	iface   types.Type
	service string // the SDK package's path
}

// typedFile is one package's type information, shared by its files.
type typedFile struct {
	info   *types.Info
	module *typedModule
}

// resolve says which SDK operation a method call is, from types: decided
// is false when the types say nothing of sel (not a method call, or a
// receiver the checker could not type), and service is "" when they say
// it is no SDK operation.
func (t *typedFile) resolve(sel *ast.SelectorExpr, m *sdkmap.Map) (service, op string, decided bool) {
	s, ok := t.info.Selections[sel]
	if !ok || s.Kind() != types.MethodVal {
		return "", "", false
	}
	fn, ok := s.Obj().(*types.Func)
	if !ok || fn.Pkg() == nil {
		return "", "", true
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return "", "", true
	}
	// Transfer helpers: their methods take the operation's input but are
	// operations of their own (Upload is PutObject and the multipart ones).
	if sdk, ok := goPackage(fn.Pkg().Path(), m); ok && sdk.helper {
		switch fn.Name() {
		case "Upload", "UploadWithContext":
			return sdk.service, "Upload", true
		case "Download", "DownloadWithContext":
			return sdk.service, "Download", true
		}
		return "", "", true
	}
	in, service, inputOp := sdkInputParam(sig, m)
	if in == nil {
		return "", "", true
	}
	// The method must be that input's operation: GetObject,
	// GetObjectWithContext, ListObjectsPages, PresignGetObject.
	name := trimV1Suffixes(fn.Name())
	if name != inputOp && strings.TrimPrefix(name, "Presign") != inputOp {
		return "", "", true
	}
	recv := sig.Recv().Type()
	if iface, ok := recv.Underlying().(*types.Interface); ok {
		// An interface the SDK's client implements (s3iface.S3API, or
		// the project's own narrowing of the client): whatever satisfies
		// it at run time, the operation is the client's.
		if !t.module.clientImplements(iface, recv, in) {
			return "", "", true
		}
		return service, inputOp, true
	}
	// A concrete type: the SDK's own (the client, the presign client),
	// not the project's wrapper, whose body holds the real call.
	if ptr, ok := recv.(*types.Pointer); ok {
		recv = ptr.Elem()
	}
	named, ok := recv.(*types.Named)
	if !ok || named.Obj().Pkg() != in {
		return "", "", true
	}
	return service, inputOp, true
}

// sdkInputParam finds the parameter of type *P.XInput, with P an SDK
// service package: it names the service and the operation X.
func sdkInputParam(sig *types.Signature, m *sdkmap.Map) (pkg *types.Package, service, op string) {
	params := sig.Params()
	for i := range params.Len() {
		ptr, ok := params.At(i).Type().(*types.Pointer)
		if !ok {
			continue
		}
		named, ok := ptr.Elem().(*types.Named)
		if !ok || named.Obj().Pkg() == nil {
			continue
		}
		name := named.Obj().Name()
		if !strings.HasSuffix(name, "Input") || len(name) == len("Input") {
			continue
		}
		sdk, ok := goPackage(named.Obj().Pkg().Path(), m)
		if !ok || sdk.helper {
			continue
		}
		return named.Obj().Pkg(), sdk.service, strings.TrimSuffix(name, "Input")
	}
	return nil, "", ""
}

// clientImplements reports whether the client type of SDK package pkg
// (what its New returns: *s3.Client in v2, *s3.S3 in v1) implements
// iface, memoised per interface and package.
func (tm *typedModule) clientImplements(iface *types.Interface, ifaceType types.Type, pkg *types.Package) bool {
	key := implementsKey{iface: ifaceType, service: pkg.Path()}
	if ok, seen := tm.implements[key]; seen {
		return ok
	}
	client := sdkClientType(pkg)
	if client == nil && !pkg.Complete() {
		// Seen only through another package's export data, which holds
		// just what that package used: read the package's own.
		if full, err := tm.importer.Import(pkg.Path()); err == nil {
			client = sdkClientType(full)
		}
	}
	ok := client != nil && types.Implements(client, iface)
	tm.implements[key] = ok
	return ok
}

// sdkClientType is the type the package's New function returns.
func sdkClientType(pkg *types.Package) types.Type {
	fn, ok := pkg.Scope().Lookup("New").(*types.Func)
	if !ok {
		return nil
	}
	results := fn.Type().(*types.Signature).Results()
	if results.Len() == 0 {
		return nil
	}
	return results.At(0).Type()
}

type typedOutcome struct {
	typedResult
	err error
}
