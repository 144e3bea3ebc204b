package catalog

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Catalog is a loaded Service Authorization Reference. All methods are safe
// for concurrent use; the objects it returns are shared and read-only.
type Catalog struct {
	info     SourceInfo
	services []*Service
	ranges   []idRange // ranges[i]: the ActionIDs of services[i]
	actions  []*Action // by ActionID

	// Lookup indexes, keyed by lower-case text.
	serviceIndex map[string]int     // prefix → index into services
	actionByName map[string]*Action // "s3:getobject"
	lowerNames   []string           // lower-case FullName by ActionID

	keys          []*ConditionKey          // every key, sorted by name (lower-case)
	keyByName     map[string]*ConditionKey // exact names, lower-case
	templatedKeys []templatedKey           // keys holding ${...}, for ConditionKey

	templates func() *templateIndex // compiled ARN templates, built on first use
	matches   matchCache
}

type idRange struct{ first, end int }

// Info says where the data came from.
func (c *Catalog) Info() SourceInfo { return c.info }

// Services returns every service, sorted by prefix. The slice is a copy.
func (c *Catalog) Services() []*Service { return slices.Clone(c.services) }

// Service finds a service by prefix, ignoring case.
func (c *Catalog) Service(prefix string) (*Service, bool) {
	var buf [64]byte
	i, ok := c.serviceIndex[string(lowerInto(buf[:0], prefix))]
	if !ok {
		return nil, false
	}
	return c.services[i], true
}

// NumActions is the number of actions; ActionIDs run from 0 to NumActions-1.
func (c *Catalog) NumActions() int { return len(c.actions) }

// ActionByID returns the action with that ID, or nil when out of range.
func (c *Catalog) ActionByID(id ActionID) *Action {
	if id < 0 || int(id) >= len(c.actions) {
		return nil
	}
	return c.actions[id]
}

// Action finds an action by its full name ("s3:GetObject"), ignoring case.
// The error is an *UnknownError that suggests the closest real name.
func (c *Catalog) Action(name string) (*Action, error) {
	var buf [128]byte
	if a, ok := c.actionByName[string(lowerInto(buf[:0], name))]; ok {
		return a, nil
	}
	return nil, c.unknownAction(name)
}

// LookupAction is Action without the error: ok is false for an unknown
// name, and no "did you mean" search is made (callers that see the same
// unknown names often ask Action once and keep its error).
func (c *Catalog) LookupAction(name string) (*Action, bool) {
	var buf [128]byte
	a, ok := c.actionByName[string(lowerInto(buf[:0], name))]
	return a, ok
}

// HasAccessLevel reports whether l is one of the action's access levels.
func (a *Action) HasAccessLevel(l AccessLevel) bool {
	return slices.Contains(a.AccessLevels, l)
}

// ActionsByAccessLevel returns the actions having level l, in ActionID order.
func (c *Catalog) ActionsByAccessLevel(level AccessLevel) []*Action {
	var out []*Action
	for _, a := range c.actions {
		if a.HasAccessLevel(level) {
			out = append(out, a)
		}
	}
	return out
}

// UnknownError reports a service prefix or action name that the catalog does
// not know, with the closest real name when there is a plausible one.
type UnknownError struct {
	Kind       string // "service" or "action"
	Name       string // as the caller wrote it
	Suggestion string // closest real name (a full action name, or a prefix); may be empty
}

func (e *UnknownError) Error() string {
	msg := fmt.Sprintf("unknown %s %q", e.Kind, e.Name)
	if e.Kind == "service" {
		msg = fmt.Sprintf("unknown service prefix in %q", e.Name)
	}
	if e.Suggestion != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", e.Suggestion)
	}
	return msg
}

// index builds the lookup tables once the arrays are decoded.
func (c *Catalog) index(actions []Action, keys []ConditionKey) {
	c.actions = make([]*Action, len(actions))
	for i := range actions {
		c.actions[i] = &actions[i]
	}
	c.serviceIndex = make(map[string]int, len(c.services))
	for i, s := range c.services {
		c.serviceIndex[strings.ToLower(s.Prefix)] = i
		rg := c.ranges[i]
		s.Actions = c.actions[rg.first:rg.end:rg.end]
	}

	// Lower-case full names, all in one buffer, so the 22k map keys cost
	// one allocation.
	size := 0
	for _, a := range c.actions {
		size += len(a.Service.Prefix) + 1 + len(a.Name)
	}
	var sb strings.Builder // String() hands over the buffer without a copy
	sb.Grow(size)
	for _, a := range c.actions {
		for _, part := range [...]string{a.Service.Prefix, ":", a.Name} {
			for i := 0; i < len(part); i++ {
				b := part[i]
				if 'A' <= b && b <= 'Z' {
					b += 'a' - 'A'
				}
				sb.WriteByte(b)
			}
		}
	}
	all := sb.String()
	c.lowerNames = make([]string, len(c.actions))
	c.actionByName = make(map[string]*Action, len(c.actions))
	off := 0
	for i, a := range c.actions {
		n := len(a.Service.Prefix) + 1 + len(a.Name)
		c.lowerNames[i] = all[off : off+n]
		c.actionByName[c.lowerNames[i]] = a
		off += n
	}

	c.indexKeys(keys)
	c.templates = sync.OnceValue(c.buildTemplates)
	c.matches.m = map[string]ActionSet{}
}

// lowerInto appends the ASCII lower-case form of s to dst. IAM names are
// ASCII; other bytes are kept as they are.
func lowerInto(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		dst = append(dst, b)
	}
	return dst
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return string(lowerInto(make([]byte, 0, len(s)), s))
		}
	}
	return s
}

// --- suggestions ------------------------------------------------------------

func (c *Catalog) unknownAction(name string) *UnknownError {
	prefix, action, ok := strings.Cut(name, ":")
	if !ok {
		// No service part: look for the name in every service.
		return &UnknownError{Kind: "action", Name: name, Suggestion: c.suggestAction(-1, name)}
	}
	if si, found := c.serviceIndex[lowerASCII(prefix)]; found {
		return &UnknownError{Kind: "action", Name: name, Suggestion: c.suggestAction(si, action)}
	}
	e := &UnknownError{Kind: "service", Name: name}
	if si := c.suggestService(prefix); si >= 0 {
		if a, ok := c.actionByName[lowerASCII(c.services[si].Prefix+":"+action)]; ok {
			e.Suggestion = a.FullName()
		} else if s := c.suggestAction(si, action); s != "" {
			e.Suggestion = s
		} else {
			e.Suggestion = c.services[si].Prefix
		}
	}
	return e
}

// suggestService returns the index of the service prefix closest to p, or -1.
func (c *Catalog) suggestService(p string) int {
	lp := lowerASCII(p)
	best, bestScore := -1, 1<<30
	for i, s := range c.services {
		ls := strings.ToLower(s.Prefix)
		d := editDistance(lp, ls, bestScore)
		// A shared start is a strong hint ("secretmanager" → "secretsmanager").
		if strings.HasPrefix(ls, lp) || strings.HasPrefix(lp, ls) {
			d--
		}
		if d < bestScore {
			best, bestScore = i, d
		}
	}
	if best < 0 || bestScore > maxDistance(lp) {
		return -1
	}
	return best
}

// suggestAction returns the full name of the action closest to name within
// service si (or in every service when si < 0), or "".
func (c *Catalog) suggestAction(si int, name string) string {
	ln := lowerASCII(name)
	first, end := 0, len(c.actions)
	if si >= 0 {
		first, end = c.ranges[si].first, c.ranges[si].end
	}
	best, bestScore := -1, 1<<30
	for id := first; id < end; id++ {
		full := c.lowerNames[id]
		la := full[strings.IndexByte(full, ':')+1:]
		d := editDistance(ln, la, bestScore+1)
		if len(ln) >= 3 && (strings.HasPrefix(la, ln) || strings.HasPrefix(ln, la)) {
			d--
		}
		if d < bestScore {
			best, bestScore = id, d
		}
	}
	if best < 0 || bestScore > maxDistance(ln) {
		return ""
	}
	return c.actions[best].FullName()
}

// maxDistance is how many edits still look like a typo rather than another name.
func maxDistance(s string) int { return max(2, len(s)/3) }

// editDistance is the Levenshtein distance between a and b, giving up (and
// returning limit) once it cannot be below limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	var rowBuf [2][64]int
	prev, cur := rowBuf[0][:0], rowBuf[1][:0]
	if len(b)+1 > len(rowBuf[0]) {
		prev, cur = make([]int, 0, len(b)+1), make([]int, 0, len(b)+1)
	}
	for j := 0; j <= len(b); j++ {
		prev = append(prev, j)
	}
	cur = cur[:len(b)+1]
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
