package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/report"
	"github.com/iamguard/iamguard/internal/scan"
)

type scanParams struct {
	paths      []string
	configFile string
	format     string
	failOn     string
	history    bool
	// workDir is the directory relative paths start from ("" is the
	// process's); tests set it to render stable paths.
	workDir string
}

func newScanCmd() *cobra.Command {
	var p scanParams
	cmd := &cobra.Command{
		Use:   "scan PATH...",
		Short: "Scan infrastructure code and source for security issues and secrets",
		Long: `scan checks a tree in one pass: CloudFormation templates (JSON and YAML),
Terraform configurations and plans (terraform show -json), and Cloud Control
documents are loaded into one resource model and checked for encryption at
rest and in transit, required tags, exposure to the internet and IAM users;
every IAM policy written inside them is linted where it is written; and every
file is searched for hardcoded secrets. JSON and YAML files that are not
infrastructure code are skipped.

Suppress a finding where it is accepted with a comment on its line or the
line above: "# iamguard:ignore CODE reason" (YAML, HCL; also // and /* */ in
HCL and source code). A directive without a reason does not suppress.
Suppressed findings are still reported, with their reason.

Exit status: 0 clean; 1 findings at or above --fail-on; 2 a malformed file
(named with file:line:col; the other files are still scanned) or bad usage.
Every rule is documented in docs/scan.md.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.paths = args
			return runScan(cmd.Context(), p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.configFile, "config", "", "iamguard.yaml to use (default: the nearest one beside the input)")
	cmd.Flags().StringVar(&p.format, "format", "text", "output format: text, json or sarif")
	cmd.Flags().StringVar(&p.failOn, "fail-on", "", "lowest severity that fails the run: error, security, warning, suggestion (default: scan.failOn from iamguard.yaml, else error)")
	cmd.Flags().BoolVar(&p.history, "history", false, "also scan the git history of each PATH for secrets")
	return cmd
}

func runScan(ctx context.Context, p scanParams, out io.Writer) error {
	failOn, err := parseFailOn(p.failOn)
	if err != nil {
		return err
	}
	var rep report.Reporter
	if p.format == "" || p.format == "text" {
		// Excerpts read the files through the same working directory.
		rep = report.Text{ReadFile: func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(p.workDir, name)) }}
	} else {
		r, err := report.New(p.format)
		if err != nil {
			return inputErrorf("--format: %v", err)
		}
		rep = r
	}
	var all []finding.Finding
	var bad []error
	files := 0
	for _, path := range p.paths {
		onDisk := path
		if p.workDir != "" && !filepath.IsAbs(path) {
			onDisk = filepath.Join(p.workDir, path)
		}
		info, err := os.Stat(onDisk)
		if err != nil {
			return asInputError(err)
		}
		explicit := p.configFile
		if explicit != "" && p.workDir != "" && !filepath.IsAbs(explicit) {
			explicit = filepath.Join(p.workDir, explicit)
		}
		cfg, err := config.Find(explicit, onDisk)
		if err != nil {
			return asInputError(err)
		}
		if failOn == "" {
			if sev, ok := finding.ParseSeverity(cfg.Scan.FailOn); ok {
				failOn = sev
			}
		}
		dir, root := onDisk, "."
		if !info.IsDir() {
			dir, root = filepath.Dir(onDisk), filepath.Base(onDisk)
		}
		opts := scan.Options{Config: cfg, History: p.history && info.IsDir(), RepoDir: dir}
		res, err := scan.Scan(ctx, os.DirFS(dir), root, opts)
		if err != nil {
			return asInputError(err)
		}
		files += res.Files
		// Findings name files as the user wrote the path.
		display := filepath.ToSlash(path)
		if !info.IsDir() {
			display = filepath.ToSlash(filepath.Dir(path))
		}
		for _, f := range res.Findings {
			if f.File != "" && !strings.Contains(f.File, "@") { // history findings name commit@file
				f.File = joinDisplay(display, f.File)
			}
			all = append(all, f)
			if f.Code == scan.CodeIaCSyntax || f.Code == scan.CodeJSONSyntax {
				bad = append(bad, fmt.Errorf("%s:%d:%d: %s", f.File, f.Line, f.Column, f.Message))
			}
		}
	}
	if failOn == "" {
		failOn = finding.Error
	}
	res := report.Result{Findings: all, Rules: rulesFound(all), Files: files, ToolName: "iamguard", ToolVersion: Version()}
	if err := rep.Report(out, res); err != nil {
		return err
	}
	if len(bad) > 0 {
		return &inputError{err: &partialInputError{errs: bad}}
	}
	if finding.AtOrAbove(all, failOn) {
		return errExitFindings
	}
	return nil
}

func joinDisplay(dir, file string) string {
	if dir == "." || dir == "" {
		return file
	}
	return strings.TrimSuffix(dir, "/") + "/" + file
}

// rulesFound is the metadata of the codes that were reported (scan.Rules
// covers resource rules, linter checks and secret codes): SARIF needs a rule
// for each result, and listing every check would bloat the log.
func rulesFound(fs []finding.Finding) []report.Rule {
	codes := map[string]bool{}
	for _, f := range fs {
		codes[f.Code] = true
	}
	var out []report.Rule
	for _, r := range scan.Rules() {
		if codes[r.Code] {
			out = append(out, r)
		}
	}
	return out
}
