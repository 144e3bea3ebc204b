package catalog

import (
	"sort"
	"strings"

	"github.com/iamguard/iamguard/arn"
)

// placeholder finds the first "${...}" or "<...>" in s: its start and the
// index just past its end, or -1, -1. The reference writes most templated
// keys as "aws:RequestTag/${TagKey}" and a few as "s3:ExistingObjectTag/<key>".
func placeholder(s string) (int, int) {
	for i := 0; i < len(s); i++ {
		var close byte
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			close = '}'
		case s[i] == '<':
			close = '>'
		default:
			continue
		}
		if j := strings.IndexByte(s[i:], close); j > 0 {
			return i, i + j + 1
		}
	}
	return -1, -1
}

// keyPlaceholder is placeholder for condition-key names, which the
// reference also writes in two plainer forms: a final "tag-key" segment
// ("secretsmanager:ResourceTag/tag-key", "ssm:resourceTag/tag-key") and an
// empty final segment ("sagemaker:ResourceTag/", "glacier:ResourceTag/").
// Both stand for any tag key, as ${TagKey} does.
func keyPlaceholder(s string) (int, int) {
	if i, j := placeholder(s); i >= 0 {
		return i, j
	}
	if strings.HasSuffix(s, "/") {
		return len(s), len(s)
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 && strings.EqualFold(s[i+1:], "tag-key") {
		return i + 1, len(s)
	}
	return -1, -1
}

type templatedKey struct {
	prefix string       // lower-case literal text before the first "${"
	glob   *arn.Pattern // the name with each ${...} as "?*" (one or more characters)
	key    *ConditionKey
}

// keyIndex is the condition keys indexed by name.
type keyIndex struct {
	keys          []*ConditionKey          // every key, sorted by name (lower-case)
	keyByName     map[string]*ConditionKey // exact names, lower-case
	templatedKeys []templatedKey           // keys holding ${...}, for ConditionKey
}

// ConditionKey finds a condition key by name, ignoring case. A name that
// fills in a templated key resolves to the template: "aws:RequestTag/Env"
// → aws:RequestTag/${TagKey}, "s3:ExistingObjectTag/team" →
// s3:ExistingObjectTag/${TagKey}. Global (aws:) and service keys alike.
func (c *Catalog) ConditionKey(name string) (*ConditionKey, bool) {
	ki := c.keyIndex()
	var buf [128]byte
	lname := lowerInto(buf[:0], name)
	if k, ok := ki.keyByName[string(lname)]; ok {
		return k, true
	}
	for i := range ki.templatedKeys {
		t := &ki.templatedKeys[i]
		if len(lname) > len(t.prefix) && string(lname[:len(t.prefix)]) == t.prefix && t.glob.Match(string(lname)) {
			return t.key, true
		}
	}
	return nil, false
}

// ConditionKeys returns every known condition key (global and service),
// one per name, sorted by name ignoring case.
func (c *Catalog) ConditionKeys() []*ConditionKey {
	return append([]*ConditionKey(nil), c.keyIndex().keys...)
}

// GlobalConditionKeys returns the aws: keys, sorted by name ignoring case.
func (c *Catalog) GlobalConditionKeys() []*ConditionKey {
	var out []*ConditionKey
	for _, k := range c.keyIndex().keys {
		if len(k.Name) > 4 && strings.EqualFold(k.Name[:4], "aws:") {
			out = append(out, k)
		}
	}
	return out
}

// ClosestGlobalKey returns the aws: global condition key nearest to name,
// ignoring case, when it is fewer than limit edits away ("did you mean"
// for a misspelt key), else "".
func (c *Catalog) ClosestGlobalKey(name string, limit int) string {
	best, bestD := "", limit
	lname := strings.ToLower(name)
	for _, k := range c.GlobalConditionKeys() {
		if d := editDistance(lname, strings.ToLower(k.Name), bestD); d < bestD {
			best, bestD = k.Name, d
		}
	}
	return best
}

// indexKeys picks one definition per key name: the global table's for aws:
// keys; for a service key, the definition of the service whose prefix the
// key carries (other services may restate it with another type), else the
// first service's in prefix order.
func (c *Catalog) indexKeys() *keyIndex {
	keys := c.rawKeys()
	ki := &keyIndex{}
	ki.keyByName = make(map[string]*ConditionKey, len(keys))
	owned := map[string]bool{}
	for i := range keys {
		k := &keys[i]
		ln := strings.ToLower(k.Name)
		if strings.HasPrefix(ln, "aws:") {
			if _, ok := ki.keyByName[ln]; !ok {
				ki.keyByName[ln] = k
			}
		}
	}
	for _, s := range c.services {
		lp := strings.ToLower(s.Prefix) + ":"
		for _, k := range s.ConditionKeys() {
			ln := strings.ToLower(k.Name)
			if strings.HasPrefix(ln, "aws:") || owned[ln] {
				continue
			}
			if _, ok := ki.keyByName[ln]; !ok || strings.HasPrefix(ln, lp) {
				ki.keyByName[ln] = k
				owned[ln] = strings.HasPrefix(ln, lp)
			}
		}
	}
	lowerNames := make([]string, 0, len(ki.keyByName))
	for ln := range ki.keyByName {
		lowerNames = append(lowerNames, ln)
	}
	sort.Strings(lowerNames)
	ki.keys = make([]*ConditionKey, len(lowerNames))
	for i, ln := range lowerNames {
		ki.keys[i] = ki.keyByName[ln]
	}
	for _, k := range ki.keys {
		if !k.Templated {
			continue
		}
		ln := strings.ToLower(k.Name)
		var g strings.Builder
		rest := ln
		for {
			i, j := keyPlaceholder(rest)
			if i < 0 {
				g.WriteString(rest)
				break
			}
			g.WriteString(rest[:i])
			g.WriteString("?*")
			rest = rest[j:]
		}
		first, _ := keyPlaceholder(ln)
		ki.templatedKeys = append(ki.templatedKeys, templatedKey{
			prefix: ln[:first],
			glob:   arn.CompileAction(g.String()),
			key:    k,
		})
	}
	// The most specific template (longest literal prefix) wins; between
	// "sagemaker:ResourceTag/" and "sagemaker:ResourceTag/${TagKey}", the
	// one written with a placeholder.
	sort.SliceStable(ki.templatedKeys, func(i, j int) bool {
		a, b := &ki.templatedKeys[i], &ki.templatedKeys[j]
		if len(a.prefix) != len(b.prefix) {
			return len(a.prefix) > len(b.prefix)
		}
		pa, _ := placeholder(a.key.Name)
		pb, _ := placeholder(b.key.Name)
		return pa >= 0 && pb < 0
	})
	return ki
}
