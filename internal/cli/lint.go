package cli

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/report"
	"github.com/iamguard/iamguard/lint"
	"github.com/iamguard/iamguard/policy"
)

type lintParams struct {
	paths      []string
	configFile string
	kind       string
	format     string
	failOn     string
}

func newLintCmd() *cobra.Command {
	var p lintParams
	cmd := &cobra.Command{
		Use:   "lint PATH...",
		Short: "Check IAM policies for errors, security risks and least privilege",
		Long: `lint checks IAM policy files (JSON or YAML) offline against the embedded
Service Authorization Reference: grammar errors IAM would reject, unknown
actions, resources and condition keys, grants that let a principal escalate
or expose data, least-privilege warnings, and the organisation's rules from
iamguard.yaml (naming, scopes, forbidden actions, suppressions).

A directory is searched for *.json, *.yaml and *.yml files that look like
policies: a top-level Statement, Version or PolicyDocument, a name containing
"policy", or a .json file that is not valid JSON. Hidden directories and
node_modules are skipped. Files named on the command line are always linted.

Policy names come from iamguard-policies.yaml beside the files (or in a
parent directory), from a {"PolicyName", "PolicyDocument"} wrapper, or from
the file name. The kind comes from --type, the manifest, or the content.

Exit status: 0 clean; 1 findings at or above --fail-on; 2 a file that is not
JSON or YAML (reported with file:line:col, and as JSON_SYNTAX_ERROR), or bad
usage. Every check is documented in docs/lint.md.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.paths = args
			return runLint(cmd.Context(), p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.configFile, "config", "", "iamguard.yaml to use (default: the nearest one beside the input)")
	cmd.Flags().StringVar(&p.kind, "type", "", "policy kind for every file: identity, resource, trust, scp, rcp, session, boundary (default: from the manifest, else detected)")
	cmd.Flags().StringVar(&p.format, "format", "text", "output format: text, json or sarif")
	cmd.Flags().StringVar(&p.failOn, "fail-on", "", "lowest severity that fails the run: error, security, warning, suggestion (default: lint.failOn from iamguard.yaml, else error)")
	return cmd
}

// lintRun carries one invocation's caches: linters by configuration file,
// manifests by directory.
type lintRun struct {
	p         lintParams
	kind      policy.Kind
	linters   map[string]*lint.Linter
	manifests map[string]*lint.Manifest
	findings  []finding.Finding
	files     int
	bad       []error
	failOn    finding.Severity
}

func runLint(ctx context.Context, p lintParams, out io.Writer) error {
	r := &lintRun{p: p, linters: map[string]*lint.Linter{}, manifests: map[string]*lint.Manifest{}}
	if p.kind != "" {
		k, err := lint.ParseKind(p.kind)
		if err != nil {
			return inputErrorf("--type: %v", err)
		}
		r.kind = k
	}
	rep, err := report.New(p.format)
	if err != nil {
		return inputErrorf("--format: %v", err)
	}
	if r.failOn, err = parseFailOn(p.failOn); err != nil {
		return err
	}
	for _, path := range p.paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.lintPath(ctx, path); err != nil {
			return err
		}
	}
	res := report.Result{Findings: r.findings, Rules: lintRules(), Files: r.files, ToolName: "iamguard", ToolVersion: Version()}
	if err := rep.Report(out, res); err != nil {
		return err
	}
	if len(r.bad) > 0 {
		return &inputError{err: &partialInputError{errs: r.bad}}
	}
	if finding.AtOrAbove(r.findings, r.failOn) {
		return errExitFindings
	}
	return nil
}

// lintRules is the SARIF rule metadata of every check.
func lintRules() []report.Rule {
	checks := lint.Checks()
	rules := make([]report.Rule, len(checks))
	for i, c := range checks {
		rules[i] = report.Rule{Code: c.Code, Severity: c.Severity, Why: c.Why, Fix: c.Fix}
	}
	return rules
}

func (r *lintRun) linterFor(path string) (*lint.Linter, error) {
	cfg, err := config.Find(r.p.configFile, path)
	if err != nil {
		return nil, asInputError(err)
	}
	if l, ok := r.linters[cfg.File]; ok {
		return l, nil
	}
	l := lint.New(cfg)
	r.linters[cfg.File] = l
	if r.failOn == "" {
		if sev, ok := finding.ParseSeverity(cfg.Lint.FailOn); ok {
			r.failOn = sev
		} else {
			r.failOn = finding.Error
		}
	}
	return l, nil
}

func (r *lintRun) manifestFor(file string) (*lint.Manifest, error) {
	dir := filepath.Dir(file)
	if m, ok := r.manifests[dir]; ok {
		return m, nil
	}
	m, err := lint.FindManifest(dir)
	if err != nil {
		return nil, asInputError(err)
	}
	r.manifests[dir] = m
	return m, nil
}

func (r *lintRun) lintPath(ctx context.Context, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return asInputError(err)
	}
	l, err := r.linterFor(path)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return r.lintFile(l, path, true)
	}
	return filepath.WalkDir(path, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return asInputError(err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if file != path && (strings.HasPrefix(name, ".") || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !lint.IsPolicyFileName(file) {
			return nil
		}
		return r.lintFile(l, file, false)
	})
}

func (r *lintRun) lintFile(l *lint.Linter, file string, explicit bool) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return asInputError(err)
	}
	m, err := r.manifestFor(file)
	if err != nil {
		return err
	}
	entry, listed := m.Lookup(file)
	if !explicit && !listed && !lint.LooksLikePolicy(file, data) {
		return nil
	}
	r.files++
	pol, err := lint.ParseFile(file, data)
	if err != nil {
		if f, ok := l.SyntaxFinding(err); ok {
			r.findings = append(r.findings, f)
		}
		r.bad = append(r.bad, err)
		return nil
	}
	if entry.Name != "" {
		pol.Name = entry.Name
	}
	kind := r.kind
	if kind == policy.KindUnknown {
		kind = entry.Kind
	}
	r.findings = append(r.findings, l.Policy(pol, kind)...)
	return nil
}
