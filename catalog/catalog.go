package catalog

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Catalog is a loaded Service Authorization Reference. All methods are safe
// for concurrent use; the objects it returns are shared and read-only.
type Catalog struct {
	info     SourceInfo
	services []*Service
	nActions int
	// nResourceTypes counts the resource types of every service.
	nResourceTypes int

	// The encoded file stays the source of every string and of the actions
	// of services not yet asked for (see decode).
	data     string
	strTable int // offset of the string table (see str)
	strBase  int // offset of the first string byte
	nStrings int
	lists    [][]string    // the file's shared lists
	blocks   []actionBlock // by service index: ActionIDs, encoded actions, decoded actions
	summary  string        // by ActionID: summary bits (access levels, resource type)

	// Lookup indexes, keyed by lower-case text. Only the service index is
	// built at load; a command that looks at three services builds the name
	// maps of three services (a CLI run pays for what it uses).
	serviceIndex map[string]int // prefix → index into services
	names        []serviceNames // by service index, built on first use

	keysOff, nKeys int                   // the condition key table in data
	rawKeys        func() []ConditionKey // decoded on first use, with each service's keys
	keyIndex       func() *keyIndex      // condition keys by name, built on first use
	templates      func() *templateIndex // compiled ARN templates, built on first use
	matches        matchCache
}

// serviceNames is one service's lower-case action names.
type serviceNames struct {
	once  sync.Once
	built atomic.Bool    // once has run: ActionID may use index
	lower []string       // lower-case action name (no prefix), by ActionID - first
	index map[string]int // lower-case action name (no prefix) → ActionID - first
}

// serviceNames returns service si's name tables, building them once from
// the encoded names: looking an action up does not decode the service.
func (c *Catalog) serviceNames(si int) *serviceNames {
	n := &c.names[si]
	n.once.Do(func() {
		names := c.actionNames(si)
		size := 0
		for _, name := range names {
			size += len(name)
		}
		// One buffer for the service's names: String hands it over without
		// a copy, and every map key is a slice of it.
		var sb strings.Builder
		sb.Grow(size)
		for _, name := range names {
			for i := 0; i < len(name); i++ {
				b := name[i]
				if 'A' <= b && b <= 'Z' {
					b += 'a' - 'A'
				}
				sb.WriteByte(b)
			}
		}
		all := sb.String()
		n.index = make(map[string]int, len(names))
		off := 0
		for i, name := range names {
			names[i] = all[off : off+len(name)] // reuse the slice for the lower-case names
			n.index[names[i]] = i
			off += len(name)
		}
		n.lower = names
		n.built.Store(true)
	})
	return n
}

// lowerActionName is the lower-case name (without prefix) of action id of
// service si.
func (c *Catalog) lowerActionName(si, id int) string {
	return c.serviceNames(si).lower[id-c.blocks[si].first]
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
	i, ok := c.serviceNames(si).index[string(lowerInto(buf[:0], action))]
	if !ok {
		return nil, false
	}
	return c.serviceActions(si)[i], true
}

// ActionID finds an action's ID by its full name, ignoring case, without
// decoding its service's actions (ActionSet building needs no more).
func (c *Catalog) ActionID(name string) (ActionID, bool) {
	prefix, action, ok := strings.Cut(name, ":")
	if !ok {
		return -1, false
	}
	var pbuf [64]byte
	si, ok := c.serviceIndex[string(lowerInto(pbuf[:0], prefix))]
	if !ok {
		return -1, false
	}
	n := &c.names[si]
	if !n.built.Load() {
		// A few lookups in a service (a linter's fixed lists) are cheaper
		// as a scan of the encoded names than as a name table built for
		// them.
		return c.scanActionID(si, action)
	}
	var buf [128]byte
	i, ok := n.index[string(lowerInto(buf[:0], action))]
	if !ok {
		return -1, false
	}
	return ActionID(c.blocks[si].first + i), true
}

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
func (c *Catalog) NumActions() int { return c.nActions }

// ActionByID returns the action with that ID, or nil when out of range.
func (c *Catalog) ActionByID(id ActionID) *Action {
	if id < 0 || int(id) >= c.nActions {
		return nil
	}
	si := c.serviceOfAction(id)
	return c.serviceActions(si)[int(id)-c.blocks[si].first]
}

// ServiceOf returns the service of action id without decoding its actions
// (nil when id is out of range).
func (c *Catalog) ServiceOf(id ActionID) *Service {
	if id < 0 || int(id) >= c.nActions {
		return nil
	}
	return c.services[c.serviceOfAction(id)]
}

// ActionFullName returns "prefix:Name" of action id, reading the encoded
// name when the service is not decoded ("" when id is out of range).
func (c *Catalog) ActionFullName(id ActionID) string {
	if id < 0 || int(id) >= c.nActions {
		return ""
	}
	si := c.serviceOfAction(id)
	b := &c.blocks[si]
	if b.decoded.Load() {
		return b.actions[int(id)-b.first].FullName()
	}
	name := ""
	c.eachActionName(si, func(i int, n string) bool {
		if b.first+i == int(id) {
			name = n
			return false
		}
		return true
	})
	return c.services[si].Prefix + ":" + name
}

// serviceOfAction is the index of the service action id belongs to (id in
// range): a binary search of the services' ID ranges.
func (c *Catalog) serviceOfAction(id ActionID) int {
	lo, hi := 0, len(c.blocks)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if int(id) < c.blocks[mid].end {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// Summary is what the catalog knows of an action without decoding its
// service: its access levels and whether it has a resource type. A linter
// building sets over every action reads these rather than 22,000 actions.
type Summary uint8

// Summary returns the summary of action id (zero when out of range).
func (c *Catalog) Summary(id ActionID) Summary {
	if id < 0 || int(id) >= c.nActions {
		return 0
	}
	return Summary(c.summary[id])
}

// HasAccessLevel reports whether l is one of the action's access levels.
func (s Summary) HasAccessLevel(l AccessLevel) bool {
	return s&levelBit(l) != 0
}

// ReadOnly reports whether the action has access levels and each is List
// or Read.
func (s Summary) ReadOnly() bool {
	levels := s & (summaryList | summaryRead | summaryWrite | summaryPermissions | summaryTagging)
	return levels != 0 && levels&^(summaryList|summaryRead) == 0
}

// HasResourceType reports whether the action names at least one resource
// type (it has resource-level permissions).
func (s Summary) HasResourceType() bool { return s&summaryResourceType != 0 }

func levelBit(l AccessLevel) Summary {
	switch l {
	case List:
		return summaryList
	case Read:
		return summaryRead
	case Write:
		return summaryWrite
	case PermissionsManagement:
		return summaryPermissions
	case Tagging:
		return summaryTagging
	}
	return 0
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
	for id := range c.nActions {
		if c.Summary(ActionID(id)).HasAccessLevel(level) {
			out = append(out, c.ActionByID(ActionID(id)))
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
func (c *Catalog) index() {
	c.serviceIndex = make(map[string]int, len(c.services))
	for i, s := range c.services {
		c.serviceIndex[lowerASCII(s.Prefix)] = i
	}
	c.names = make([]serviceNames, len(c.services))
	c.rawKeys = sync.OnceValue(c.decodeKeys)
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
	first, end := 0, c.nActions
	if si >= 0 {
		first, end = c.blocks[si].first, c.blocks[si].end
	}
	best, bestScore := -1, 1<<30
	si = max(si, 0)
	for id := first; id < end; id++ {
		for id >= c.blocks[si].end {
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
	return c.ActionByID(ActionID(best)).FullName()
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
