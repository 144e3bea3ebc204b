// Package fromcode finds the AWS SDK calls a source tree makes: Go
// (aws-sdk-go-v2 and v1, with go/ast, and go/types where the module
// builds), TypeScript and JavaScript (SDK v3 commands and aggregated
// clients, v2 clients, DocumentClient, lib-storage) and Python (boto3
// clients and resources), each with small tokenizers of its own. A call is
// a service, an operation and the literal arguments that name its
// resources; package generate maps calls to IAM actions and ARNs.
package fromcode

import (
	"cmp"
	"context"
	"io/fs"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamguard/iamguard/internal/generate/sdkmap"
)

// Call is one SDK call found in source.
type Call struct {
	File string
	Line int
	// Service is the IAM service prefix ("s3", "secretsmanager").
	Service string
	// Operation is the SDK operation in PascalCase ("PutObject"), or a
	// helper the mapping knows ("Upload", "Get" of a DocumentClient).
	Operation string
	// Fields are the call's literal arguments by input field name; a value
	// ending in '*' is a prefix (a template or concatenation's fixed start).
	Fields sdkmap.Fields
	// NonLiteral lists resource-naming fields whose value is not a literal.
	NonLiteral []string
	// Region is the client's region when the code says it literally.
	Region string
	// Form says how the call was written, for the evidence ("new PutObjectCommand").
	Form string
}

// Warning is something the analysis could not resolve, at a place.
type Warning struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Msg  string `json:"message"`
}

// Result is every call and warning of a tree, in file then line order.
type Result struct {
	Calls    []Call
	Warnings []Warning
	Files    int
	Bytes    int64
}

// Options tune the walk.
type Options struct {
	// IncludeTests also reads test files (*_test.go, *.test.ts, test_*.py…),
	// which usually call mocks rather than AWS.
	IncludeTests bool
	// SourceDir is the directory on disk that the walked fs.FS shows
	// (os.DirFS(SourceDir)). Set, Go code inside a module that builds is
	// also read with its types (`go list` and go/types); unset (an
	// in-memory tree), Go is read from the syntax only.
	SourceDir string
	// NoTypes reads Go from the syntax only even with SourceDir set: no
	// go command runs (fast, offline).
	NoTypes bool
	// TypesTimeout bounds one module's `go list` (default 60s); past it
	// the module is read from the syntax only, with a warning.
	TypesTimeout time.Duration
}

// skipDirs are never walked: dependencies, build output, VCS data.
var skipDirs = map[string]bool{
	"node_modules": true, "vendor": true, ".git": true, "dist": true, "build": true, ".next": true,
	"__pycache__": true, ".venv": true, "venv": true, ".tox": true, "cdk.out": true, ".terraform": true,
	"coverage": true, ".serverless": true, ".aws-sam": true,
}

// Language is a source language the analyzers read.
type Language uint8

const (
	None Language = iota
	Go
	JavaScript // TypeScript too
	Python
)

// LanguageOf picks the analyzer for a file name.
func LanguageOf(name string) Language {
	switch path.Ext(name) {
	case ".go":
		return Go
	case ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts":
		if strings.HasSuffix(name, ".d.ts") {
			return None
		}
		return JavaScript
	case ".py":
		return Python
	}
	return None
}

func isTestFile(name string) bool {
	base := path.Base(name)
	switch {
	case strings.HasSuffix(base, "_test.go"):
		return true
	case strings.Contains(base, ".test.") || strings.Contains(base, ".spec."):
		return true
	case strings.HasPrefix(base, "test_") && strings.HasSuffix(base, ".py"), strings.HasSuffix(base, "_test.py"):
		return true
	}
	return false
}

// AnalyzeFS reads every source file under root in fsys.
func AnalyzeFS(ctx context.Context, fsys fs.FS, root string, opts Options) (*Result, error) {
	m := sdkmap.Default()
	// The walk only lists the files; they are read and analysed by one
	// worker per CPU (parsing is the cost, and files are independent), and
	// the results are put back in walk order so the output does not depend
	// on scheduling.
	type source struct {
		path, name string
		lang       Language
	}
	var files []source
	var modDirs []string // walk names of the directories with a go.mod
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() {
			if p != root && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return fs.SkipDir
			}
			return nil
		}
		name := p
		if root != "." && root != "" {
			name = strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		}
		if d.Name() == "go.mod" {
			modDirs = append(modDirs, path.Dir(name))
		}
		lang := LanguageOf(p)
		if lang == None || (!opts.IncludeTests && isTestFile(p)) {
			return nil
		}
		files = append(files, source{path: p, name: name, lang: lang})
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The typed path's `go list` runs beside the syntax workers; its
	// results replace theirs file by file.
	var typedDone chan typedOutcome
	if opts.SourceDir != "" && !opts.NoTypes {
		var goFiles []string
		for _, f := range files {
			if f.lang == Go && !isTestFile(f.name) {
				goFiles = append(goFiles, f.name)
			}
		}
		if len(goFiles) > 0 {
			absRoot, err := filepath.Abs(filepath.Join(opts.SourceDir, filepath.FromSlash(root)))
			if err != nil {
				return nil, err
			}
			timeout := cmp.Or(opts.TypesTimeout, defaultTypesTimeout)
			typedDone = make(chan typedOutcome, 1)
			go func() {
				r, err := analyzeGoTyped(ctx, absRoot, modDirs, goFiles, m, timeout)
				typedDone <- typedOutcome{r, err}
			}()
		}
	}
	type fileResult struct {
		calls []Call
		warns []Warning
		size  int64
		err   error
	}
	results := make([]fileResult, len(files))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) || ctx.Err() != nil {
					return
				}
				f := files[i]
				src, err := fs.ReadFile(fsys, f.path)
				if err != nil {
					results[i].err = err
					continue
				}
				results[i].calls, results[i].warns = Analyze(f.name, src, f.lang, m)
				results[i].size = int64(len(src))
			}
		}()
	}
	wg.Wait()
	res := &Result{}
	if typedDone != nil {
		typed := <-typedDone
		if typed.err != nil {
			return nil, typed.err
		}
		for i, f := range files {
			if fa, ok := typed.files[f.name]; ok && results[i].err == nil {
				results[i].calls, results[i].warns = fa.calls, fa.warns
			}
		}
		res.Warnings = typed.warnings
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, r := range results {
		if r.err != nil {
			return nil, r.err // the first failure in walk order
		}
		res.Calls = append(res.Calls, r.calls...)
		res.Warnings = append(res.Warnings, r.warns...)
		res.Files++
		res.Bytes += r.size
	}
	slices.SortStableFunc(res.Calls, func(a, b Call) int {
		if a.File != b.File {
			return strings.Compare(a.File, b.File)
		}
		return a.Line - b.Line
	})
	return res, nil
}

// opMemo memoises sdkmap.Map.HasOperation for one file: a file calls the
// same few operations many times.
type opMemo map[string]bool

func (o opMemo) has(m *sdkmap.Map, service, op string) bool {
	k := service + " " + op
	known, ok := o[k]
	if !ok {
		known = m.HasOperation(service, op)
		o[k] = known
	}
	return known
}

// Analyze reads one file.
func Analyze(name string, src []byte, lang Language, m *sdkmap.Map) ([]Call, []Warning) {
	switch lang {
	case Go:
		return AnalyzeGo(name, src, m)
	case JavaScript:
		return AnalyzeJS(name, src, m)
	case Python:
		return AnalyzePython(name, src, m)
	}
	return nil, nil
}

// pascal turns camelCase or snake_case into PascalCase: "putObject",
// "put_object" → "PutObject".
func pascal(s string) string {
	var b strings.Builder
	up := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		b.WriteByte(c)
	}
	return b.String()
}
