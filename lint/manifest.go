package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/iamguard/iamguard/node"
	"github.com/iamguard/iamguard/policy"
)

// ManifestFileName is the file, beside policy files or in a parent
// directory, that names policies and gives their kinds:
//
//	policies:
//	  ses-send.json:
//	    name: SynthCoreAI-SES-SendOnly
//	    kind: identity
//	  lambda/trust.json:
//	    kind: trust
//
// Keys are paths relative to the manifest's directory, with '/'.
const ManifestFileName = "iamguard-policies.yaml"

// Manifest maps policy files to their names and kinds.
type Manifest struct {
	// Dir is the directory the manifest's paths are relative to.
	Dir      string
	Policies map[string]ManifestEntry `yaml:"policies"`
}

// ManifestEntry is one policy file's name and kind (either may be empty).
type ManifestEntry struct {
	Name string      `yaml:"name"`
	Kind policy.Kind `yaml:"kind"`
}

// ParseManifest reads a manifest; errors name file:line:col.
func ParseManifest(file string, data []byte) (*Manifest, error) {
	m := &Manifest{Dir: filepath.Dir(file), Policies: map[string]ManifestEntry{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	var raw struct {
		Policies map[string]ManifestEntry `yaml:"policies"`
	}
	if err := doc.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: %v", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 1 {
		if err := checkManifestKeys(file, doc.Content[0]); err != nil {
			return nil, err
		}
	}
	for path, e := range raw.Policies {
		if !validKind(e.Kind) {
			return nil, fmt.Errorf("%s: policies[%q].kind %q is not one of %s", file, path, e.Kind, strings.Join(kindNames(), ", "))
		}
		m.Policies[filepath.ToSlash(filepath.Clean(path))] = e
	}
	return m, nil
}

// checkManifestKeys refuses unknown keys with their position: a typo in
// "kind" must not silently lint a trust policy as an identity policy.
func checkManifestKeys(file string, root *yaml.Node) error {
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d:%d: a manifest is a mapping with \"policies\"", file, root.Line, root.Column)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "policies" {
			return fmt.Errorf("%s:%d:%d: unknown key %q (a manifest has only \"policies\")", file, k.Line, k.Column, k.Value)
		}
		if v.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			entry := v.Content[j+1]
			if entry.Kind != yaml.MappingNode {
				continue
			}
			for n := 0; n+1 < len(entry.Content); n += 2 {
				if key := entry.Content[n]; key.Value != "name" && key.Value != "kind" {
					return fmt.Errorf("%s:%d:%d: unknown key %q (an entry has name and kind)", file, key.Line, key.Column, key.Value)
				}
			}
		}
	}
	return nil
}

var allKinds = []policy.Kind{policy.KindIdentity, policy.KindResource, policy.KindTrust, policy.KindSCP, policy.KindRCP, policy.KindSession, policy.KindBoundary}

func validKind(k policy.Kind) bool {
	if k == policy.KindUnknown {
		return true
	}
	for _, x := range allKinds {
		if x == k {
			return true
		}
	}
	return false
}

func kindNames() []string {
	out := make([]string, len(allKinds))
	for i, k := range allKinds {
		out[i] = string(k)
	}
	return out
}

// ParseKind accepts a policy kind name ("identity", "scp", ...).
func ParseKind(s string) (policy.Kind, error) {
	k := policy.Kind(strings.ToLower(s))
	if k == policy.KindUnknown || !validKind(k) {
		return "", fmt.Errorf("unknown policy kind %q (want %s)", s, strings.Join(kindNames(), ", "))
	}
	return k, nil
}

// FindManifest returns the nearest manifest in dir or its parents (stopping
// at a directory holding .git), or nil when there is none.
func FindManifest(dir string) (*Manifest, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil
	}
	rel := dir
	for {
		candidate := filepath.Join(rel, ManifestFileName)
		data, err := os.ReadFile(candidate)
		if err == nil {
			return ParseManifest(candidate, data)
		}
		if _, err := os.Stat(filepath.Join(abs, ".git")); err == nil {
			return nil, nil
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return nil, nil
		}
		abs, rel = parent, filepath.Join(rel, "..")
	}
}

// Lookup returns the entry for a policy file.
func (m *Manifest) Lookup(file string) (ManifestEntry, bool) {
	if m == nil {
		return ManifestEntry{}, false
	}
	rel, err := filepath.Rel(m.Dir, file)
	if err != nil {
		return ManifestEntry{}, false
	}
	e, ok := m.Policies[filepath.ToSlash(rel)]
	return e, ok
}

// IsPolicyFileName reports whether a file found while walking a directory
// may hold a policy: a .json, .yaml or .yml file other than iamguard's own
// configuration files.
func IsPolicyFileName(name string) bool {
	base := filepath.Base(name)
	if base == "iamguard.yaml" || base == ManifestFileName {
		return false
	}
	switch strings.ToLower(filepath.Ext(base)) {
	case ".json", ".yaml", ".yml":
		return true
	}
	return false
}

// LooksLikePolicy decides whether a file found while walking a directory is
// linted. It is, when its top level is an object with Statement, Version or
// PolicyDocument; or its name says it is a policy ("policy"/"policies" in
// it); or it is a .json file that is not valid JSON (a broken policy must
// not pass unnoticed). Anything else (package.json, CloudFormation
// templates, CI configuration) is skipped.
func LooksLikePolicy(name string, data []byte) bool {
	lower := strings.ToLower(filepath.Base(name))
	if strings.Contains(lower, "polic") {
		return true
	}
	n, err := node.Parse(name, data)
	if err != nil {
		return strings.HasSuffix(lower, ".json")
	}
	if n == nil || n.Kind != node.Object {
		return false
	}
	return n.Get("Statement") != nil || n.Get("Version") != nil || n.Get("PolicyDocument") != nil
}
