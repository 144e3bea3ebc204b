package service

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/internal/scan"
	"github.com/iamguard/iamguard/internal/scan/secret"
)

// ScanRequest names what to scan: files sent inline, or a directory under
// the server's --root. Exactly one of them.
type ScanRequest struct {
	Files []File `json:"files,omitempty" jsonschema:"the files to scan, inline: CloudFormation templates (JSON/YAML), Terraform (.tf), terraform show -json plans, Cloud Control documents ({TypeName, DesiredState}), or any source file for secrets"`
	Path  string `json:"path,omitempty" jsonschema:"instead of files: a directory or file relative to the root directory the server was started with (--root); refused when the server has no root"`
}

// ScanResourcesResponse is what the resource rules found.
type ScanResourcesResponse struct {
	Findings  []finding.Finding `json:"findings"`
	Summary   Summary           `json:"summary"`
	Passed    bool              `json:"passed"`
	FailOn    string            `json:"failOn"`
	Resources int               `json:"resources" jsonschema:"infrastructure resources checked"`
	Files     int               `json:"files" jsonschema:"files examined"`
	// Errors are malformed files (file:line:col); the rest was scanned.
	Errors []Problem `json:"errors,omitempty"`
	Next   string    `json:"next"`
}

// ScanSecretsResponse is what the secret detectors found. Secrets are
// never in it in full: messages show them redacted.
type ScanSecretsResponse struct {
	Findings []finding.Finding `json:"findings"`
	Summary  Summary           `json:"summary"`
	Passed   bool              `json:"passed"`
	FailOn   string            `json:"failOn"`
	Files    int               `json:"files"`
	Next     string            `json:"next"`
}

// source resolves a scan request to a file system and the root in it.
func (s *Service) source(req ScanRequest) (fs.FS, string, func(), error) {
	switch {
	case len(req.Files) > 0 && req.Path != "":
		return nil, "", nil, &Error{Code: BadInput, Message: "give files or path, not both", Path: "path"}
	case len(req.Files) > 0:
		if err := checkFiles(req.Files, s.maxFiles); err != nil {
			return nil, "", nil, err
		}
		m := make(fstest.MapFS, len(req.Files))
		for _, f := range req.Files {
			m[path.Clean(f.Path)] = &fstest.MapFile{Data: []byte(f.Content), Mode: 0o644}
		}
		return m, ".", func() {}, nil
	case req.Path != "":
		if s.root == "" {
			return nil, "", nil, &Error{Code: Forbidden, Message: "this server reads no paths (it was started without --root): send the files' content in files instead", Path: "path"}
		}
		p := path.Clean(strings.TrimPrefix(req.Path, "./"))
		if !fs.ValidPath(p) {
			return nil, "", nil, &Error{Code: Forbidden, Message: fmt.Sprintf("path %q is outside the server's root: give a relative path with '/' and no '..'", req.Path), Path: "path"}
		}
		r, err := os.OpenRoot(s.root)
		if err != nil {
			return nil, "", nil, AsError(err, Internal)
		}
		fsys := r.FS()
		if _, err := fs.Stat(fsys, p); err != nil {
			r.Close()
			if errors.Is(err, fs.ErrNotExist) {
				return nil, "", nil, &Error{Code: NotFound, Message: fmt.Sprintf("path %q does not exist under the server's root", req.Path), Path: "path"}
			}
			// os.Root refuses symlinks that leave the root.
			return nil, "", nil, &Error{Code: Forbidden, Message: fmt.Sprintf("path %q cannot be read under the server's root: %v", req.Path, errors.Unwrap(err)), Path: "path"}
		}
		return fsys, p, func() { r.Close() }, nil
	}
	return nil, "", nil, &Error{Code: BadInput, Message: "give files (inline content) or path (under the server's root)", Path: "files"}
}

// ScanResources runs the resource rules (encryption, tags, exposure, IAM
// users) and lints every IAM policy written inside the templates.
func (s *Service) ScanResources(ctx context.Context, req ScanRequest) (ScanResourcesResponse, error) {
	fsys, root, done, err := s.source(req)
	if err != nil {
		return ScanResourcesResponse{}, err
	}
	defer done()
	res, err := s.scanner.Scan(ctx, fsys, root, scan.Options{Config: s.cfg, NoSecrets: true})
	if err != nil {
		return ScanResourcesResponse{}, AsError(err, Internal)
	}
	fs := nonNilFindings(res.Findings)
	threshold := failOn(s.cfg.Scan.FailOn)
	out := ScanResourcesResponse{
		Findings: fs, Summary: summarize(fs), FailOn: string(threshold),
		Passed: !finding.AtOrAbove(fs, threshold), Resources: res.Resources, Files: res.Files,
	}
	for _, e := range res.Errors {
		out.Errors = append(out.Errors, AsError(e, BadInput).Problem())
	}
	switch {
	case res.Resources == 0 && len(res.Errors) == 0:
		out.Next = "No infrastructure resources were found: send CloudFormation, Terraform, a plan (terraform show -json) or a Cloud Control document."
	case !out.Passed:
		out.Next = "Fix the findings at or above " + string(threshold) + " (each has a fix) and scan again; to create or change a resource, plan it with plan_change."
	default:
		out.Next = "The resources pass the rules."
	}
	return out, nil
}

// ScanSecrets searches files for hardcoded secrets (AWS keys, private
// keys, API tokens, database URIs with passwords). Findings show secrets
// redacted.
func (s *Service) ScanSecrets(ctx context.Context, req ScanRequest) (ScanSecretsResponse, error) {
	fsys, root, done, err := s.source(req)
	if err != nil {
		return ScanSecretsResponse{}, err
	}
	defer done()
	var found []finding.Finding
	files := 0
	if len(req.Files) > 0 {
		for _, f := range req.Files {
			if err := ctx.Err(); err != nil {
				return ScanSecretsResponse{}, AsError(err, Internal)
			}
			p := path.Clean(f.Path)
			if s.excluded(p) {
				continue
			}
			files++
			found = append(found, s.secrets.ScanBytes(p, []byte(f.Content))...)
		}
		finding.Sort(found)
	} else {
		found, err = s.secrets.ScanFS(ctx, fsys, root)
		if err != nil {
			return ScanSecretsResponse{}, AsError(err, Internal)
		}
		_ = fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && !s.excluded(p) {
				files++
			}
			return nil
		})
	}
	fs := s.tuneSecrets(found)
	threshold := failOn(s.cfg.Scan.FailOn)
	out := ScanSecretsResponse{Findings: fs, Summary: summarize(fs), FailOn: string(threshold), Passed: !finding.AtOrAbove(fs, threshold), Files: files}
	if out.Summary == (Summary{Suppressed: out.Summary.Suppressed}) {
		out.Next = "No secrets found."
	} else {
		out.Next = "Remove each secret from the code and rotate it (it may already be exposed); read it at run time from AWS Secrets Manager (e.g. GetSecretValue on engify/sendgrid-api-key) or the environment."
	}
	return out, nil
}

// excluded reports paths matched by scan.exclude.
func (s *Service) excluded(p string) bool {
	for _, g := range s.cfg.Scan.Exclude {
		if secret.MatchPath(g, p) {
			return true
		}
	}
	return false
}

// tuneSecrets applies scan.exclude, scan.disable and scan.severity to
// secret findings, as `iamguard scan` does.
func (s *Service) tuneSecrets(in []finding.Finding) []finding.Finding {
	out := make([]finding.Finding, 0, len(in))
	for _, f := range in {
		if slices.Contains(s.cfg.Scan.Disable, f.Code) || (f.File != "" && s.excluded(f.File)) {
			continue
		}
		if sev, ok := finding.ParseSeverity(s.cfg.Scan.Severity[f.Code]); ok {
			f.Severity = sev
		}
		out = append(out, f)
	}
	return out
}
