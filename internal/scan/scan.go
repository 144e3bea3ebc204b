// Package scan is iamguard's one-pass security scan of a tree: the
// infrastructure code in it (CloudFormation, Terraform, plans, Cloud
// Control documents) is loaded once and checked by the resource rules,
// every IAM policy written inside it is linted with positions in the
// template, and every file is searched for hardcoded secrets. All three
// report the same findings, with inline and configured suppressions.
package scan

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/iac"
	"github.com/iamguard/iamguard/internal/report"
	"github.com/iamguard/iamguard/internal/scan/resource"
	"github.com/iamguard/iamguard/internal/scan/secret"
	"github.com/iamguard/iamguard/lint"
	"github.com/iamguard/iamguard/node"
	"github.com/iamguard/iamguard/policy"
)

// Options tune Scan.
type Options struct {
	// Config is the organisation's configuration; nil means config.Default().
	Config *config.Config
	// History also scans the git history of RepoDir for secrets.
	History bool
	// RepoDir is the repository directory on disk for History.
	RepoDir string
	// NoSecrets skips the secret scanner (infrastructure rules only).
	NoSecrets bool
}

// Result is what a scan found.
type Result struct {
	// Findings in reading order; suppressed findings are included, marked.
	Findings []finding.Finding
	// Resources is the number of infrastructure resources checked.
	Resources int
	// Files is the number of files examined.
	Files int
	// Errors are malformed inputs (file:line:col); they also appear as
	// JSON_SYNTAX_ERROR or IAC_SYNTAX_ERROR findings. The rest was scanned.
	Errors []error
}

// Codes of the findings the scanner itself reports for malformed inputs.
const (
	CodeJSONSyntax = "JSON_SYNTAX_ERROR"
	CodeIaCSyntax  = "IAC_SYNTAX_ERROR"
)

// Scanner holds the compiled engines for one configuration; it is
// immutable after New and safe for concurrent use.
type Scanner struct {
	cfg      *config.Config
	rules    *resource.Scanner
	linter   *lint.Linter
	secrets  *secret.Scanner
	severity map[string]finding.Severity
}

// New compiles the resource rules, the linter and the secret detectors once.
func New(cfg *config.Config) *Scanner {
	if cfg == nil {
		cfg = config.Default()
	}
	allow := make([]secret.AllowRule, len(cfg.Scan.AllowSecrets))
	for i, a := range cfg.Scan.AllowSecrets {
		allow[i] = secret.AllowRule{Path: a.Path, Fingerprint: a.Fingerprint, Code: a.Code, Reason: a.Reason}
	}
	s := &Scanner{
		cfg:      cfg,
		rules:    resource.New(cfg),
		linter:   lint.New(cfg),
		secrets:  secret.New(secret.Options{Allow: allow}),
		severity: map[string]finding.Severity{},
	}
	for code, sev := range cfg.Scan.Severity {
		if v, ok := finding.ParseSeverity(sev); ok {
			s.severity[code] = v
		}
	}
	return s
}

// Scan scans root in fsys with opts.Config (see Scanner.Scan).
func Scan(ctx context.Context, fsys fs.FS, root string, opts Options) (Result, error) {
	return New(opts.Config).Scan(ctx, fsys, root, opts)
}

// Scan loads the infrastructure code under root, runs the resource rules
// and lints every embedded IAM policy, scans every file for secrets, and
// applies suppressions. Paths matching scan.exclude are never read. The
// error is non-nil only when root cannot be walked or ctx ends; malformed
// files are in Result.Errors.
func (s *Scanner) Scan(ctx context.Context, fsys fs.FS, root string, opts Options) (Result, error) {
	fsys = excludeFS{FS: fsys, skip: s.skip}
	var res Result
	loaded, err := iac.Load(ctx, fsys, root, iac.Options{})
	if err != nil {
		return res, err
	}
	res.Resources = loaded.Resources()
	res.Errors = loaded.Errors
	var found []anchored
	for _, t := range loaded.Templates {
		found = append(found, s.template(t)...)
	}
	out := s.applyInline(fsys, found)
	for _, e := range loaded.Errors {
		out = append(out, s.errorFinding(e))
	}
	if !opts.NoSecrets {
		found, err := s.secrets.ScanFS(ctx, fsys, root)
		if err != nil {
			return res, err
		}
		out = append(out, s.tuneSecrets(found)...)
		if opts.History && opts.RepoDir != "" {
			hist, err := s.secrets.ScanHistory(ctx, opts.RepoDir)
			if err != nil {
				return res, fmt.Errorf("scanning git history: %w", err)
			}
			out = append(out, s.tuneSecrets(hist)...)
		}
	}
	res.Files, err = countFiles(ctx, fsys, root)
	if err != nil {
		return res, err
	}
	res.Findings = dedupe(out)
	return res, nil
}

// Template runs the resource rules over a template and lints the IAM
// policies written inside it. Configured suppressions apply; inline
// comments are applied by Scan, which reads the files.
func (s *Scanner) Template(t *iac.Template) []finding.Finding {
	var out []finding.Finding
	for _, a := range s.template(t) {
		out = append(out, a.Finding)
	}
	return out
}

// anchored is a finding with the position of the resource it is about,
// where an inline suppression for the whole resource may be written.
type anchored struct {
	finding.Finding
	decl node.Pos
}

func (s *Scanner) template(t *iac.Template) []anchored {
	var out []anchored
	for _, f := range s.suppress(s.rules.Template(t)) {
		a := anchored{Finding: f}
		if r := t.Resource(f.Policy); r != nil {
			a.decl = r.Pos
		}
		out = append(out, a)
	}
	for _, r := range t.Resources {
		for _, f := range s.policies(r) {
			out = append(out, anchored{Finding: f, decl: r.Pos})
		}
	}
	return out
}

// Resource checks one resource, as the change gate does before creating
// it from a Cloud Control document (see iac.FromCloudControl).
func (s *Scanner) Resource(r *iac.Resource) []finding.Finding {
	out := s.suppress(s.rules.Resource(r))
	out = append(out, s.policies(r)...)
	finding.Sort(out)
	return out
}

// policies lints the resource's IAM policies where they are written.
func (s *Scanner) policies(r *iac.Resource) []finding.Finding {
	var out []finding.Finding
	for _, p := range r.Policies() {
		doc := policy.Decode(p.Doc, p.Doc.Pos.File, p.Path)
		doc.Name = p.Name
		out = append(out, s.linter.Policy(doc, p.Kind)...)
	}
	return out
}

func (s *Scanner) errorFinding(err error) finding.Finding {
	f := finding.Finding{Code: CodeIaCSyntax, Severity: finding.Error, Message: err.Error()}
	var se *node.SyntaxError
	var ie *iac.Error
	switch {
	case errors.As(err, &ie):
		f.Message, f.File, f.Line, f.Column = ie.Msg, ie.Pos.File, ie.Pos.Line, ie.Pos.Column
		f.Fix = "Fix the template's structure: Resources is an object of logical IDs, each with a Type string and a Properties object."
	case errors.As(err, &se):
		f.Message, f.File, f.Line, f.Column = se.Msg, se.Pos.File, se.Pos.Line, se.Pos.Column
		if strings.HasSuffix(se.Pos.File, ".tf") {
			f.Fix = "Fix the HCL syntax at this position (terraform fmt and terraform validate show it too)."
		} else if lf, ok := s.linter.SyntaxFinding(err); ok {
			return lf
		}
	}
	if sev, ok := s.severity[f.Code]; ok {
		f.Severity = sev
	}
	return f
}

// tuneSecrets applies scan.disable and scan.severity to secret findings
// (resource rules apply them in resource.New; the linter uses lint.*).
func (s *Scanner) tuneSecrets(fs []finding.Finding) []finding.Finding {
	out := fs[:0]
	for _, f := range fs {
		if slices.Contains(s.cfg.Scan.Disable, f.Code) {
			continue
		}
		if sev, ok := s.severity[f.Code]; ok {
			f.Severity = sev
		}
		out = append(out, f)
	}
	return out
}

// skip reports paths matched by scan.exclude.
func (s *Scanner) skip(p string, _ bool) bool {
	for _, g := range s.cfg.Scan.Exclude {
		if secret.MatchPath(g, p) {
			return true
		}
	}
	return false
}

// suppress applies the configuration's suppressions to resource findings.
func (s *Scanner) suppress(fs []finding.Finding) []finding.Finding {
	for i := range fs {
		f := &fs[i]
		for _, sup := range s.cfg.Suppressions {
			if sup.Code != f.Code || sup.Reason == "" {
				continue
			}
			if sup.Policy != "" && sup.Policy != f.Policy {
				continue
			}
			if sup.File != "" && !secret.MatchPath(sup.File, f.File) {
				continue
			}
			if sup.Path != "" && f.Path != sup.Path && !strings.HasPrefix(f.Path, sup.Path+".") && !strings.HasPrefix(f.Path, sup.Path+"[") {
				continue
			}
			f.Suppressed = sup.Reason
			break
		}
	}
	return fs
}

// ignoreDirective is the inline suppression: "iamguard:ignore CODE reason"
// in a comment on the finding's line or the line above (YAML and HCL #,
// HCL // and /* */).
const ignoreDirective = "iamguard:ignore"

// applyInline applies inline suppressions: a directive on the finding's
// line or the line above, or on the line that declares its resource or the
// line above that. A directive without a reason does not suppress; the
// finding says so.
func (s *Scanner) applyInline(fsys fs.FS, found []anchored) []finding.Finding {
	lines := map[string][][]byte{}
	out := make([]finding.Finding, 0, len(found))
	for _, a := range found {
		f := a.Finding
		if f.Suppressed == "" && f.File != "" && f.Line >= 1 {
			ls, ok := lines[f.File]
			if !ok {
				if data, err := fs.ReadFile(fsys, f.File); err == nil {
					ls = bytes.Split(data, []byte("\n"))
				}
				lines[f.File] = ls
			}
			candidates := []int{f.Line, f.Line - 1}
			if a.decl.File == f.File && a.decl.Line > 0 && a.decl.Line != f.Line {
				candidates = append(candidates, a.decl.Line, a.decl.Line-1)
			}
			for _, line := range candidates {
				if line < 1 || line > len(ls) {
					continue
				}
				reason, found := inlineReason(ls[line-1], f.Code)
				if !found {
					continue
				}
				if reason == "" {
					f.Message += fmt.Sprintf(" (the iamguard:ignore on line %d gives no reason, so it does not apply)", line)
					continue
				}
				f.Suppressed = reason
				break
			}
		}
		out = append(out, f)
	}
	return out
}

// inlineReason finds "iamguard:ignore CODE[,CODE…] reason" naming code.
func inlineReason(line []byte, code string) (string, bool) {
	text := string(line)
	for {
		i := strings.Index(text, ignoreDirective)
		if i < 0 {
			return "", false
		}
		text = text[i+len(ignoreDirective):]
		rest := strings.TrimLeft(text, " \t")
		codes, after, _ := strings.Cut(rest, " ")
		match := false
		for c := range strings.SplitSeq(codes, ",") {
			match = match || strings.TrimSpace(c) == code
		}
		if !match {
			continue
		}
		if k := strings.Index(after, ignoreDirective); k >= 0 {
			after = after[:k]
		}
		after = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(after), "*/"))
		return strings.Trim(after, " \t-:;"), true
	}
}

// dedupe drops repeated findings (a policy document referenced by two
// resources is linted twice at the same place) and sorts.
func dedupe(fs []finding.Finding) []finding.Finding {
	finding.Sort(fs)
	return slices.CompactFunc(fs, func(a, b finding.Finding) bool {
		return a.Code == b.Code && a.File == b.File && a.Line == b.Line && a.Column == b.Column && a.Message == b.Message
	})
}

func countFiles(ctx context.Context, fsys fs.FS, root string) (int, error) {
	n := 0
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" && p != root {
			return fs.SkipDir
		}
		if d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n, err
}

// Rules is the metadata of every code a scan can report: resource rules,
// linter checks, secret detectors (from their findings) and the syntax codes.
func Rules() []report.Rule {
	var out []report.Rule
	for _, r := range resource.Rules() {
		out = append(out, report.Rule{Code: r.Code, Severity: r.Severity, Why: r.Why, Fix: r.Fix})
	}
	for _, c := range lint.Checks() {
		out = append(out, report.Rule{Code: c.Code, Severity: c.Severity, Why: c.Why, Fix: c.Fix})
	}
	out = append(out, report.Rule{
		Code: CodeIaCSyntax, Severity: finding.Error,
		Why: "An infrastructure file that is not valid HCL, or a template whose structure is wrong, cannot be checked.",
		Fix: "Fix the file at the position shown; the other files are still scanned.",
	})
	slices.SortFunc(out, func(a, b report.Rule) int { return cmp.Compare(a.Code, b.Code) })
	return slices.CompactFunc(out, func(a, b report.Rule) bool { return a.Code == b.Code })
}

// excludeFS hides excluded paths from every reader.
type excludeFS struct {
	fs.FS
	skip func(p string, dir bool) bool
}

func (e excludeFS) Open(name string) (fs.File, error) {
	if name != "." && e.skip(name, false) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return e.FS.Open(name)
}

func (e excludeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(e.FS, name)
	if err != nil {
		return nil, err
	}
	out := entries[:0]
	for _, d := range entries {
		p := d.Name()
		if name != "." {
			p = name + "/" + d.Name()
		}
		if !e.skip(p, d.IsDir()) {
			out = append(out, d)
		}
	}
	return out, nil
}

func (e excludeFS) ReadFile(name string) ([]byte, error) {
	if name != "." && e.skip(name, false) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return fs.ReadFile(e.FS, name)
}
