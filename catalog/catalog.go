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

	// Lookup indexes, keyed by lower-case text. Only the service index is
	// built at load; a command that looks at three services builds the name
	// maps of three services (a CLI run pays for what it uses).
	serviceIndex map[string]int // prefix → index into services
	names        []serviceNames // by service index, built on first use

	rawKeys   []ConditionKey        // as decoded; keyIndex indexes them on first use
	keyIndex  func() *keyIndex      // condition keys by name, built on first use
	templates func() *templateIndex // compiled ARN templates, built on first use
	matches   matchCache
}

// serviceNames is one service's lower-case action names.
type serviceNames struct {
	once   sync.Once
	lower  []string           // lower-case action name (no prefix), by ActionID - first
	byName map[string]*Action // lower-case action name (no prefix) → action
}

// serviceNames returns service si's name tables, building them once.
func (c *Catalog) serviceNames(si int) *serviceNames {
	n := &c.names[si]
	n.once.Do(func() {
		rg := c.ranges[si]
		acts := c.actions[rg.first:rg.end]
		size := 0
		for _, a := range acts {
			size += len(a.Name)
		}
		// One buffer for the service's names: String hands it over without
		// a copy, and every map key is a slice of it.
		var sb strings.Builder
		sb.Grow(size)
		for _, a := range acts {
			for i := 0; i < len(a.Name); i++ {
				b := a.Name[i]
				if 'A' <= b && b <= 'Z' {
					b += 'a' - 'A'
				}
				sb.WriteByte(b)
			}
		}
		all := sb.String()
		n.lower = make([]string, len(acts))
		n.byName = make(map[string]*Action, len(acts))
		off := 0
		for i, a := range acts {
			n.lower[i] = all[off : off+len(a.Name)]
			n.byName[n.lower[i]] = a
			off += len(a.Name)
		}
	})
	return n
}

// lowerActionName is the lower-case name (without prefix) of action id of
// service si.
func (c *Catalog) lowerActionName(si, id int) string {
	return c.serviceNames(si).lower[id-c.ranges[si].first]
}

// lookup finds an action by full name, ignoring case, without building an
// error.
func (c *Catalog) lookup(name string) (*Action, bool) {
	prefix, action, ok := strings.Cut(name, ":")
	if !ok {
		return nil, false
	}
	var pbuf [64]byte
	si, ok := c.serviceIndex[string(lowerInto(pbuf[:0], prefix))]
	if !ok {
		return nil, false
	}
	var buf [128]byte
	a, ok := c.serviceNames(si).byName[string(lowerInto(buf[:0], action))]
	return a, ok
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
	if a, ok := c.lookup(name); ok {
		return a, nil
	}
	return nil, c.unknownAction(name)
}

// LookupAction is Action without the error: ok is false for an unknown
// name, and no "did you mean" search is made (callers that see the same
// unknown names often ask Action once and keep its error).
func (c *Catalog) LookupAction(name string) (*Action, bool) {
	return c.lookup(name)
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
		c.serviceIndex[lowerASCII(s.Prefix)] = i
		rg := c.ranges[i]
		s.Actions = c.actions[rg.first:rg.end:rg.end]
	}
	c.names = make([]serviceNames, len(c.services))
	c.rawKeys = keys
	c.keyIndex = sync.OnceValue(c.indexKeys)
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
		if a, ok := c.lookup(c.services[si].Prefix + ":" + action); ok {
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
	si = max(si, 0)
	for id := first; id < end; id++ {
		for id >= c.ranges[si].end {
			si++ // every service in turn when searching them all
		}
		la := c.lowerActionName(si, id)
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
