package fromcode

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// analyzeDir runs AnalyzeFS on a directory on disk, the way the CLI does.
func analyzeDir(t testing.TB, dir string, opts Options) *Result {
	t.Helper()
	opts.SourceDir = dir
	res, err := AnalyzeFS(context.Background(), os.DirFS(dir), ".", opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func callKeys(calls []Call) []string {
	keys := make([]string, 0, len(calls))
	for _, c := range calls {
		keys = append(keys, fmt.Sprintf("%s:%d %s:%s %s", c.File, c.Line, c.Service, c.Operation, c.Form))
	}
	return keys
}

// typesUnavailable is the typed path's fallback warning, if any.
func typesUnavailable(res *Result) []Warning {
	var out []Warning
	for _, w := range res.Warnings {
		if strings.Contains(w.Msg, "Go types unavailable") {
			out = append(out, w)
		}
	}
	return out
}

// typedOrSkip runs the typed path on a fixture module and skips the test
// when the fixture cannot be built here (no go command, modules missing
// from the cache and no proxy): the fallback tests cover that case.
func typedOrSkip(t *testing.T, dir string, opts Options) *Result {
	t.Helper()
	// A fresh machine's empty build cache takes about a minute to build
	// the fixture's export data (the standard library's crypto and
	// net/http, the SDK): longer than the command's default budget, and
	// these tests must run there rather than skip.
	if opts.TypesTimeout == 0 {
		opts.TypesTimeout = 10 * time.Minute
	}
	res := analyzeDir(t, dir, opts)
	if ws := typesUnavailable(res); len(ws) > 0 {
		t.Skipf("the fixture module does not build here: %s", ws[0].Msg)
	}
	return res
}

func TestGoTypedFindsWhatSyntaxMisses(t *testing.T) {
	t.Parallel()
	typed := typedOrSkip(t, "testdata/typed", Options{})
	syntax := analyzeDir(t, "testdata/typed", Options{NoTypes: true})
	want := []string{
		"both.go:23 iam:DeleteRole client.DeleteRole(&iam.DeleteRoleInput{…})",
		"both.go:26 iam:TagRole iam.TagRoleInput",
		"both.go:30 iam:ListAccountAliases client.ListAccountAliases(…)",
		"both.go:34 sts:GetAccessKeyInfo tokens.GetAccessKeyInfo(&sts.GetAccessKeyInfoInput{…})",
		// A client in a struct field declared in app.go, an input built by
		// a helper in input.go.
		"handler.go:7 iam:GetRole h.iam.GetRole(…)",
		// Through the Identity interface, which *sts.Client implements.
		"handler.go:17 sts:GetCallerIdentity h.who.GetCallerIdentity(…)",
		"jobs/jobs.go:15 iam:ListRoles clients.IAM().ListRoles(…)",
		"users.go:15 iam:ListUsers c.ListUsers(…)",
		"users.go:18 iam:GetUser c.GetUser(&iam.GetUserInput{…})",
		// A client returned by another package's constructor.
		"users.go:25 iam:ListPolicies pc.ListPolicies(…)",
		// The SDK call inside the project's wrapper (its callers at
		// users.go:39 are not SDK calls), and not handler.go:26, an
		// interface the client does not implement.
		"users.go:34 iam:GetRole w.api.GetRole(…)",
	}
	if got := callKeys(typed.Calls); !slices.Equal(got, want) {
		t.Errorf("typed calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(typed.Warnings) != 0 {
		t.Errorf("typed warnings: %+v", typed.Warnings)
	}
	// The syntax path misses the calls above that need types, and takes
	// users.go:52's store for the IAM client of users.go:14 (same name).
	wantSyntax := []string{
		"both.go:23 iam:DeleteRole client.DeleteRole(&iam.DeleteRoleInput{…})",
		"both.go:26 iam:TagRole iam.TagRoleInput",
		"both.go:30 iam:ListAccountAliases client.ListAccountAliases(…)",
		"both.go:34 sts:GetAccessKeyInfo tokens.GetAccessKeyInfo(&sts.GetAccessKeyInfoInput{…})",
		"users.go:15 iam:ListUsers c.ListUsers(…)",
		"users.go:18 iam:GetUser c.GetUser(&iam.GetUserInput{…})",
		"users.go:52 iam:ListUsers c.ListUsers(…)",
	}
	if got := callKeys(syntax.Calls); !slices.Equal(got, wantSyntax) {
		t.Errorf("syntax calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantSyntax, "\n"))
	}
	// Where both paths see a call they agree on all of it: fields,
	// non-literal names, region, form.
	byPlace := map[string]Call{}
	for _, c := range typed.Calls {
		byPlace[fmt.Sprintf("%s:%d", c.File, c.Line)] = c
	}
	for _, c := range syntax.Calls {
		place := fmt.Sprintf("%s:%d", c.File, c.Line)
		if place == "users.go:52" {
			continue
		}
		if tc := byPlace[place]; !reflect.DeepEqual(tc, c) {
			t.Errorf("%s: typed %+v, syntax %+v", place, tc, c)
		}
	}
	if c := byPlace["both.go:23"]; c.Region != "eu-west-1" || c.Fields["RoleName"] != "app-*" {
		t.Errorf("both.go:23 = %+v, want region eu-west-1 and RoleName app-*", c)
	}
}

// A tree inside a module (go.mod above the directory analysed): the
// module is listed from that directory, names stay relative to it.
func TestGoTypedRootInsideModule(t *testing.T) {
	t.Parallel()
	res := typedOrSkip(t, "testdata/typed/jobs", Options{})
	want := []string{"jobs.go:15 iam:ListRoles clients.IAM().ListRoles(…)"}
	if got := callKeys(res.Calls); !slices.Equal(got, want) || len(res.Warnings) != 0 {
		t.Errorf("calls %q, warnings %+v; want %q and none", got, res.Warnings, want)
	}
}

// The v1 forms, against a stand-in SDK module (testdata/fakesdkv1) the
// fixture replaces aws-sdk-go with: the SDK's own interface, method
// variants, the transfer manager.
func TestGoTypedV1(t *testing.T) {
	t.Parallel()
	res := typedOrSkip(t, "testdata/typedv1", Options{})
	want := []string{
		"store.go:21 s3:GetObject s.api.GetObjectWithContext(…)",
		"store.go:27 s3:ListObjects s.raw.ListObjectsPages(…)",
		"store.go:32 s3:PutObject s.raw.PutObjectRequest(…)",
		"store.go:38 s3:Upload s.up.Upload(…)",
	}
	if got := callKeys(res.Calls); !slices.Equal(got, want) {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if syntax := analyzeDir(t, "testdata/typedv1", Options{NoTypes: true}); len(syntax.Calls) != 0 {
		t.Errorf("syntax path found %q", callKeys(syntax.Calls))
	}
}

// fallsBack checks the fallback contract: the syntax path's calls and
// exactly one warning, on the module's go.mod, whose message contains want.
func fallsBack(t *testing.T, dir string, opts Options, want string) Warning {
	t.Helper()
	res := analyzeDir(t, dir, opts)
	syntax := analyzeDir(t, dir, Options{NoTypes: true})
	if !reflect.DeepEqual(res.Calls, syntax.Calls) {
		t.Errorf("calls %q, want the syntax path's %q", callKeys(res.Calls), callKeys(syntax.Calls))
	}
	ws := typesUnavailable(res)
	if len(ws) != 1 || len(res.Warnings) != len(syntax.Warnings)+1 {
		t.Fatalf("warnings %+v, want one fallback warning more than the syntax path's", res.Warnings)
	}
	if ws[0].File != "go.mod" || ws[0].Line != 1 || !strings.Contains(ws[0].Msg, want) {
		t.Errorf("warning %+v, want go.mod:1 and %q", ws[0], want)
	}
	return ws[0]
}

func TestGoTypedFallbackModuleDoesNotBuild(t *testing.T) {
	t.Parallel()
	// The compile error surfaces once the dependencies are built: allow a
	// cold build cache the time (see typedOrSkip).
	w := fallsBack(t, "testdata/broken", Options{TypesTimeout: 10 * time.Minute}, "go list failed: ")
	if !strings.Contains(w.Msg, "undefined: notDeclared") {
		// Without the SDK in the module cache and no proxy, go list
		// fails before compiling: a fallback all the same.
		t.Skipf("the dependencies are not available here: %s", w.Msg)
	}
	if res := analyzeDir(t, "testdata/broken", Options{TypesTimeout: 10 * time.Minute}); len(res.Calls) != 1 || res.Calls[0].Line != 14 {
		t.Errorf("calls %q, want broken.go:14's GetRole", callKeys(res.Calls))
	}
}

func TestGoTypedFallbackTimeout(t *testing.T) {
	t.Parallel()
	fallsBack(t, "testdata/typed", Options{TypesTimeout: time.Nanosecond}, "go list took longer than 1ns (a first build")
}

func TestGoTypedFallbackNoGoCommand(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	fallsBack(t, "testdata/typed", Options{}, "no go command")
}

// --no-types, or a tree not on disk: no go command runs, the result is
// the syntax path's.
func TestGoTypedOff(t *testing.T) {
	t.Parallel()
	noTypes := analyzeDir(t, "testdata/broken", Options{NoTypes: true})
	inMemory, err := AnalyzeFS(context.Background(), os.DirFS("testdata/broken"), ".", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(noTypes, inMemory) || len(noTypes.Warnings) != 0 || len(noTypes.Calls) != 1 {
		t.Errorf("--no-types %+v, in memory %+v", noTypes, inMemory)
	}
}

// A module that does not require the SDK is not listed: no go command
// runs, so no warning even where it could not build.
func TestGoTypedSkipsModulesWithoutSDK(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":  "module example.com/nosdk\n\ngo 1.26.0\n",
		"main.go": "package main\n\n// github.com/aws/aws-sdk-go in a comment only\nfunc main() { notDeclared() }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if res := analyzeDir(t, dir, Options{}); len(res.Calls) != 0 || len(res.Warnings) != 0 {
		t.Errorf("calls %q, warnings %+v", callKeys(res.Calls), res.Warnings)
	}
}

func TestGoTypedCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := AnalyzeFS(ctx, os.DirFS("testdata/typed"), ".", Options{SourceDir: "testdata/typed"}); err == nil {
		t.Error("a cancelled analysis returned no error")
	}
}
