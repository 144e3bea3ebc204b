package iac

import (
	"bytes"
	"context"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/iamguard/iamguard/node"
)

// MaxFileSize is the largest file the loaders read; bigger files are not
// infrastructure code anyone writes by hand.
const MaxFileSize = 16 << 20

// Options tune Load.
type Options struct {
	// Skip reports paths (files or directories, slash-separated, relative
	// to the fs root) that must not be read.
	Skip func(p string, dir bool) bool
}

// Result is everything Load found.
type Result struct {
	Templates []*Template
	// Errors are malformed infrastructure files, each a *node.SyntaxError
	// (not JSON, YAML or HCL) or an *Error (not a well-formed template)
	// naming file:line:col; the other files are still loaded.
	Errors []error
	// Files is the number of files examined.
	Files int
}

// Resources counts the resources of every template.
func (r *Result) Resources() int {
	n := 0
	for _, t := range r.Templates {
		n += len(t.Resources)
	}
	return n
}

// Load walks root in fsys and loads every infrastructure file it finds:
// CloudFormation (.json, .yaml, .yml, .template), Terraform (.tf, one
// template per directory), Terraform plan JSON and Cloud Control
// documents. JSON and YAML files that are none of these are skipped
// without a word. Templates come in path order.
func Load(ctx context.Context, fsys fs.FS, root string, opts Options) (*Result, error) {
	res := &Result{}
	tfDirs := map[string]map[string][]byte{}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") && d.Name() != "." || d.Name() == "node_modules" || d.Name() == ".terraform") {
				return fs.SkipDir
			}
			if opts.Skip != nil && p != root && opts.Skip(p, true) {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || (opts.Skip != nil && opts.Skip(p, false)) {
			return nil
		}
		kind := fileKind(p)
		if kind == kindNone {
			return nil
		}
		if info, err := d.Info(); err == nil && info.Size() > MaxFileSize {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		res.Files++
		if kind == kindTerraform {
			dir := path.Dir(p)
			if tfDirs[dir] == nil {
				tfDirs[dir] = map[string][]byte{}
			}
			tfDirs[dir][p] = data
			return nil
		}
		t, errs := LoadDocument(p, data)
		res.Errors = append(res.Errors, errs...)
		if t != nil {
			res.Templates = append(res.Templates, t)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	dirs := make([]string, 0, len(tfDirs))
	for d := range tfDirs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		t, errs := LoadTerraform(d, tfDirs[d])
		res.Errors = append(res.Errors, errs...)
		res.Templates = append(res.Templates, t)
	}
	sort.SliceStable(res.Templates, func(i, j int) bool { return res.Templates[i].File < res.Templates[j].File })
	return res, nil
}

type kind uint8

const (
	kindNone kind = iota
	kindDocument
	kindTerraform
)

func fileKind(p string) kind {
	switch strings.ToLower(path.Ext(p)) {
	case ".tf":
		return kindTerraform
	case ".json", ".yaml", ".yml", ".template":
		return kindDocument
	}
	return kindNone
}

// LoadDocument loads one JSON or YAML file if it is CloudFormation, a
// Terraform plan or a Cloud Control document; it returns a nil template,
// quietly, for anything else. Text that is not valid JSON or YAML is an
// error only when it looks like infrastructure code.
func LoadDocument(file string, data []byte) (*Template, []error) {
	if !looksLikeIaC(data) {
		return nil, nil
	}
	root, err := node.Parse(file, data)
	if err != nil {
		return nil, []error{err}
	}
	switch {
	case IsCloudFormation(root):
		return LoadCloudFormation(file, root)
	case IsTerraformPlan(root):
		return LoadTerraformPlan(file, root)
	case IsCloudControl(root):
		return LoadCloudControl(file, root)
	}
	return nil, nil
}

// looksLikeIaC is a cheap prefilter on the raw bytes, so the many JSON
// and YAML files in a repository that are not infrastructure code are not
// parsed at all.
func looksLikeIaC(data []byte) bool {
	switch {
	case bytes.Contains(data, []byte("AWSTemplateFormatVersion")):
		return true
	case bytes.Contains(data, []byte("Resources")) && bytes.Contains(data, []byte("AWS::")):
		return true
	case bytes.Contains(data, []byte("format_version")) && (bytes.Contains(data, []byte("planned_values")) || bytes.Contains(data, []byte("resource_changes"))):
		return true
	case bytes.Contains(data, []byte("TypeName")) && bytes.Contains(data, []byte("DesiredState")):
		return true
	}
	return false
}
