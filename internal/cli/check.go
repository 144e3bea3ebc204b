package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/report"
	"github.com/iamguard/iamguard/internal/scan"
	"github.com/iamguard/iamguard/lint"
)

type checkParams struct {
	paths      []string
	configFile string
	kind       string
	format     string
	failOn     string
	history    bool
}

func newCheckCmd() *cobra.Command {
	var p checkParams
	cmd := &cobra.Command{
		Use:   "check PATH...",
		Short: "Lint every IAM policy and scan every template and source file under the paths",
		Long: `check is iamguard's main job: it runs lint over every IAM policy file and
scan over every infrastructure template and source file under the paths, and
reports one list of findings.

Each directory holding an iamguard.yaml is checked with that file (a
monorepo with several teams gets each team's rules); elsewhere the nearest
iamguard.yaml above the input applies, else the built-in defaults. --config
forces one file for everything.

Exit status: 0 clean; 1 findings at or above --fail-on (default: the
strictest failOn of the configurations in use, else error); 2 a file that is
not valid JSON, YAML or HCL (named with file:line:col; everything else is
still checked and reported) or bad usage.`,
		Example: `  iamguard check examples
  iamguard check . --format sarif > iamguard.sarif
  iamguard check infra policies --fail-on warning`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.paths = args
			return runCheck(cmd.Context(), p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.configFile, "config", "", "iamguard.yaml for every input (default: per directory, the nearest one)")
	cmd.Flags().StringVar(&p.kind, "type", "", "policy kind for every policy file: identity, resource, trust, scp, rcp, session, boundary (default: manifest, else detected)")
	cmd.Flags().StringVar(&p.format, "format", "text", "output format: text, json or sarif")
	cmd.Flags().StringVar(&p.failOn, "fail-on", "", "lowest severity that fails the run: error, security, warning, suggestion")
	cmd.Flags().BoolVar(&p.history, "history", false, "also scan the git history of each directory for secrets")
	return cmd
}

// checkRoot is one directory checked with one configuration; nested holds
// the subdirectories that have their own iamguard.yaml and are checked
// separately.
type checkRoot struct {
	path   string
	isFile bool
	nested []string
}

func runCheck(ctx context.Context, p checkParams, out io.Writer) error {
	rep, err := report.New(p.format)
	if err != nil {
		return inputErrorf("--format: %v", err)
	}
	lr := &lintRun{
		p:         lintParams{configFile: p.configFile},
		linters:   map[string]*lint.Linter{},
		manifests: map[string]*lint.Manifest{},
	}
	if p.kind != "" {
		k, err := lint.ParseKind(p.kind)
		if err != nil {
			return inputErrorf("--type: %v", err)
		}
		lr.kind = k
	}
	failOn, err := parseFailOn(p.failOn)
	if err != nil {
		return err
	}

	var roots []checkRoot
	for _, path := range p.paths {
		info, err := os.Stat(path)
		if err != nil {
			return asInputError(err)
		}
		if !info.IsDir() || p.configFile != "" {
			roots = append(roots, checkRoot{path: path, isFile: !info.IsDir()})
			continue
		}
		found, err := configRoots(path)
		if err != nil {
			return asInputError(err)
		}
		roots = append(roots, found...)
	}

	var all []finding.Finding
	var bad []error
	files := 0
	strictest := finding.Severity("")
	for _, root := range roots {
		explicit := p.configFile
		cfg, err := config.Find(explicit, root.path)
		if err != nil {
			return asInputError(err)
		}
		for _, fo := range []string{cfg.Lint.FailOn, cfg.Scan.FailOn} {
			if sev, ok := finding.ParseSeverity(fo); ok && (strictest == "" || sev.Rank() < strictest.Rank()) {
				strictest = sev
			}
		}

		if err := lintRoot(ctx, lr, cfg, root); err != nil {
			return err
		}

		// Scan templates and sources with the same configuration.
		res, err := scanRoot(ctx, cfg, root, p.history)
		if err != nil {
			return asInputError(err)
		}
		files += res.Files
		for _, f := range res.Findings {
			all = append(all, f)
			if f.Code == scan.CodeIaCSyntax || (f.Code == scan.CodeJSONSyntax && !lintedSyntaxError(lr.findings, f)) {
				bad = append(bad, fmt.Errorf("%s:%d:%d: %s", f.File, f.Line, f.Column, f.Message))
			}
		}
	}
	all = dedupeFindings(append(all, lr.findings...))
	bad = append(bad, lr.bad...)
	files = max(files, lr.files)
	if failOn == "" {
		failOn = strictest
		if failOn == "" {
			failOn = finding.Error
		}
	}
	res := report.Result{Findings: all, Rules: rulesFound(all), Files: files, ToolName: "iamguard", ToolVersion: Version()}
	if err := rep.Report(out, res); err != nil {
		return err
	}
	if len(bad) > 0 {
		return &inputError{err: &partialInputError{errs: dedupeErrors(bad)}}
	}
	if finding.AtOrAbove(all, failOn) {
		return errExitFindings
	}
	return nil
}

// configRoots splits a directory into the parts each iamguard.yaml governs:
// the directory itself, and every subdirectory holding its own iamguard.yaml.
func configRoots(dir string) ([]checkRoot, error) {
	var withConfig []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			if path != dir {
				if _, err := os.Stat(filepath.Join(path, config.FileName)); err == nil {
					withConfig = append(withConfig, path)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	all := append([]string{dir}, withConfig...)
	roots := make([]checkRoot, 0, len(all))
	for _, r := range all {
		root := checkRoot{path: r}
		for _, other := range withConfig {
			if other != r && isWithin(other, r) && !nestedInAnother(other, r, withConfig) {
				root.nested = append(root.nested, other)
			}
		}
		roots = append(roots, root)
	}
	return roots, nil
}

// nestedInAnother reports whether sub lies inside another configured
// directory that is itself inside root (that one handles sub's exclusion).
func nestedInAnother(sub, root string, configured []string) bool {
	for _, mid := range configured {
		if mid != sub && mid != root && isWithin(mid, root) && isWithin(sub, mid) {
			return true
		}
	}
	return false
}

func isWithin(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && !strings.HasPrefix(rel, "..")
}

func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor"
}

// lintRoot lints the policy files of one root with its configuration.
func lintRoot(ctx context.Context, lr *lintRun, cfg *config.Config, root checkRoot) error {
	l, ok := lr.linters[cfg.File]
	if !ok {
		l = lint.New(cfg)
		lr.linters[cfg.File] = l
	}
	if root.isFile {
		if !lint.IsPolicyFileName(root.path) {
			return nil
		}
		return lr.lintFile(l, root.path, false)
	}
	nested := map[string]bool{}
	for _, n := range root.nested {
		nested[filepath.Clean(n)] = true
	}
	return filepath.WalkDir(root.path, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return asInputError(err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if file != root.path && (skipDir(d.Name()) || nested[filepath.Clean(file)]) {
				return filepath.SkipDir
			}
			return nil
		}
		if !lint.IsPolicyFileName(file) {
			return nil
		}
		return lr.lintFile(l, file, false)
	})
}

// scanRoot scans one root; nested configured directories are excluded
// (they are scanned with their own configuration).
func scanRoot(ctx context.Context, cfg *config.Config, root checkRoot, history bool) (scan.Result, error) {
	dir, rel := root.path, "."
	if root.isFile {
		dir, rel = filepath.Dir(root.path), filepath.Base(root.path)
	}
	scoped := *cfg
	scoped.Scan.Exclude = append([]string(nil), cfg.Scan.Exclude...)
	for _, n := range root.nested {
		if r, err := filepath.Rel(dir, n); err == nil {
			scoped.Scan.Exclude = append(scoped.Scan.Exclude, filepath.ToSlash(r), filepath.ToSlash(r)+"/**")
		}
	}
	opts := scan.Options{Config: &scoped, History: history && !root.isFile, RepoDir: dir}
	res, err := scan.Scan(ctx, os.DirFS(dir), rel, opts)
	if err != nil {
		return res, err
	}
	display := filepath.ToSlash(dir)
	for i, f := range res.Findings {
		if f.File != "" && f.Commit == "" && !strings.Contains(f.File, "@") {
			res.Findings[i].File = joinDisplay(display, f.File)
		}
	}
	return res, nil
}

// lintedSyntaxError reports whether lint already reported the same syntax
// error (and its input error), so a broken policy file is counted once.
func lintedSyntaxError(lintFindings []finding.Finding, f finding.Finding) bool {
	for _, l := range lintFindings {
		if l.Code == f.Code && l.File == f.File && l.Line == f.Line {
			return true
		}
	}
	return false
}

// dedupeFindings drops exact repeats: a policy file can be both a policy
// and a file the secret scanner reads.
func dedupeFindings(fs []finding.Finding) []finding.Finding {
	type key struct {
		code, file, path string
		line, col        int
	}
	seen := map[key]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := key{f.Code, f.File, f.Path, f.Line, f.Column}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

func dedupeErrors(errs []error) []error {
	seen := map[string]bool{}
	var out []error
	for _, e := range errs {
		if !seen[e.Error()] {
			seen[e.Error()] = true
			out = append(out, e)
		}
	}
	return out
}
