package catalog

import (
	"fmt"
	"iter"
	"math/bits"
	"strings"
	"sync"

	"github.com/iamguard/iamguard/arn"
)

// ActionSet is a set of ActionIDs of one catalog, as a bitset (about 3 KB for
// the whole catalog). The zero value is an empty set. Union, Intersect and
// Difference return new sets; Add, Clear, CopyFrom, UnionWith, IntersectWith
// and DifferenceWith change the set in place and reuse its storage, so a hot
// loop can keep a few scratch sets instead of allocating one per operation.
type ActionSet struct {
	words []uint64
}

// NewActionSet returns an empty set sized for c.
func (c *Catalog) NewActionSet() ActionSet {
	return ActionSet{words: make([]uint64, (c.nActions+63)/64)}
}

// Has reports whether id is in the set.
func (s ActionSet) Has(id ActionID) bool {
	w := int(id) >> 6
	return id >= 0 && w < len(s.words) && s.words[w]&(1<<(uint(id)&63)) != 0
}

// Add puts id in the set.
func (s *ActionSet) Add(id ActionID) {
	if id < 0 {
		return
	}
	w := int(id) >> 6
	if w >= len(s.words) {
		s.words = append(s.words, make([]uint64, w+1-len(s.words))...)
	}
	s.words[w] |= 1 << (uint(id) & 63)
}

// Len is the number of actions in the set.
func (s ActionSet) Len() int {
	n := 0
	for _, w := range s.words {
		n += bits.OnesCount64(w)
	}
	return n
}

// IsEmpty reports whether the set has no action.
func (s ActionSet) IsEmpty() bool {
	for _, w := range s.words {
		if w != 0 {
			return false
		}
	}
	return true
}

// Clone returns an independent copy.
func (s ActionSet) Clone() ActionSet {
	if s.words == nil {
		return ActionSet{}
	}
	return ActionSet{words: append([]uint64(nil), s.words...)}
}

// Union returns s ∪ o.
func (s ActionSet) Union(o ActionSet) ActionSet {
	a, b := s.words, o.words
	if len(a) < len(b) {
		a, b = b, a
	}
	out := append([]uint64(nil), a...)
	for i, w := range b {
		out[i] |= w
	}
	return ActionSet{words: out}
}

// Intersect returns s ∩ o.
func (s ActionSet) Intersect(o ActionSet) ActionSet {
	n := min(len(s.words), len(o.words))
	out := make([]uint64, n)
	for i := range out {
		out[i] = s.words[i] & o.words[i]
	}
	return ActionSet{words: out}
}

// Difference returns s \ o.
func (s ActionSet) Difference(o ActionSet) ActionSet {
	out := append([]uint64(nil), s.words...)
	for i := range min(len(out), len(o.words)) {
		out[i] &^= o.words[i]
	}
	return ActionSet{words: out}
}

// Clear empties the set, keeping its storage.
func (s *ActionSet) Clear() { clear(s.words) }

// CopyFrom makes s hold exactly the actions of o, reusing s's storage when
// it is large enough.
func (s *ActionSet) CopyFrom(o ActionSet) {
	if cap(s.words) < len(o.words) {
		s.words = make([]uint64, len(o.words))
	}
	s.words = s.words[:max(len(s.words), len(o.words))]
	n := copy(s.words, o.words)
	clear(s.words[n:])
}

// UnionWith adds every action of o to s (s = s ∪ o), in place.
func (s *ActionSet) UnionWith(o ActionSet) {
	if len(o.words) > len(s.words) {
		if cap(s.words) >= len(o.words) {
			n := len(s.words)
			s.words = s.words[:len(o.words)]
			clear(s.words[n:])
		} else {
			s.words = append(s.words, make([]uint64, len(o.words)-len(s.words))...)
		}
	}
	for i, w := range o.words {
		s.words[i] |= w
	}
}

// IntersectWith keeps in s only the actions also in o (s = s ∩ o), in place.
func (s *ActionSet) IntersectWith(o ActionSet) {
	n := min(len(s.words), len(o.words))
	for i := range n {
		s.words[i] &= o.words[i]
	}
	clear(s.words[n:])
}

// DifferenceWith removes from s the actions of o (s = s \ o), in place.
func (s *ActionSet) DifferenceWith(o ActionSet) {
	for i := range min(len(s.words), len(o.words)) {
		s.words[i] &^= o.words[i]
	}
}

// Intersects reports whether s and o have an action in common, without
// building the intersection.
func (s ActionSet) Intersects(o ActionSet) bool {
	for i := range min(len(s.words), len(o.words)) {
		if s.words[i]&o.words[i] != 0 {
			return true
		}
	}
	return false
}

// IsSubsetOf reports whether every action of s is also in o, without
// building the difference.
func (s ActionSet) IsSubsetOf(o ActionSet) bool {
	for i, w := range s.words {
		var v uint64
		if i < len(o.words) {
			v = o.words[i]
		}
		if w&^v != 0 {
			return false
		}
	}
	return true
}

// All yields the set's ActionIDs in increasing order, allocating nothing.
func (s ActionSet) All() iter.Seq[ActionID] {
	return func(yield func(ActionID) bool) {
		for i, w := range s.words {
			for w != 0 {
				if !yield(ActionID(i*64 + bits.TrailingZeros64(w))) {
					return
				}
				w &= w - 1
			}
		}
	}
}

// First is the smallest ActionID in the set; ok is false when it is empty.
func (s ActionSet) First() (id ActionID, ok bool) {
	for i, w := range s.words {
		if w != 0 {
			return ActionID(i*64 + bits.TrailingZeros64(w)), true
		}
	}
	return -1, false
}

// Equal reports whether both sets hold the same actions.
func (s ActionSet) Equal(o ActionSet) bool {
	a, b := s.words, o.words
	if len(a) < len(b) {
		a, b = b, a
	}
	for i, w := range a {
		var v uint64
		if i < len(b) {
			v = b[i]
		}
		if w != v {
			return false
		}
	}
	return true
}

// IDs returns the set's ActionIDs in increasing order.
func (s ActionSet) IDs() []ActionID {
	out := make([]ActionID, 0, s.Len())
	for i, w := range s.words {
		for w != 0 {
			out = append(out, ActionID(i*64+bits.TrailingZeros64(w)))
			w &= w - 1
		}
	}
	return out
}

// Actions returns the set's actions in ActionID order (service prefix, then
// action name). IDs beyond c's actions are ignored.
func (s ActionSet) Actions(c *Catalog) []*Action {
	// Services not decoded yet are decoded first, together: a set that
	// spans many (Expand("*") on a fresh catalog) is decoded in parallel.
	var todo []int
	if first, ok := s.First(); ok && int(first) < c.nActions {
		// Only the services between the set's first and last IDs.
		last := min(s.last(), ActionID(c.nActions-1))
		for si := c.serviceOfAction(first); si <= c.serviceOfAction(last); si++ {
			b := &c.blocks[si]
			if !b.decoded.Load() && b.end > b.first && s.hasRange(b.first, b.end) {
				todo = append(todo, si)
			}
		}
	}
	if len(todo) > 0 {
		// Damage in the embedded data panics in serviceActions below, as
		// it always has; Load checked outside files.
		_ = c.decodeServices(todo)
	}
	out := make([]*Action, 0, s.Len())
	// IDs come in order: the service's actions are looked up once per
	// service, not once per action.
	var acts []*Action
	first, end := 0, 0
	for i, w := range s.words {
		for w != 0 {
			id := i*64 + bits.TrailingZeros64(w)
			w &= w - 1
			if id >= c.nActions {
				continue
			}
			if id >= end {
				si := c.serviceOfAction(ActionID(id))
				acts, first, end = c.serviceActions(si), c.blocks[si].first, c.blocks[si].end
			}
			out = append(out, acts[id-first])
		}
	}
	return out
}

// last is the set's highest ID (-1 when empty).
func (s ActionSet) last() ActionID {
	for w := len(s.words) - 1; w >= 0; w-- {
		if s.words[w] != 0 {
			return ActionID(w*64 + 63 - bits.LeadingZeros64(s.words[w]))
		}
	}
	return -1
}

// hasRange reports whether the set has any ID in [first, end).
func (s ActionSet) hasRange(first, end int) bool {
	for id := first; id < end; {
		w := id >> 6
		if w >= len(s.words) {
			return false
		}
		word := s.words[w]
		if b := uint(id & 63); b != 0 {
			word &^= (1 << b) - 1 // bits below id
		}
		if rest := end - w*64; rest < 64 {
			word &= (1 << uint(rest)) - 1 // bits at or past end
		}
		if word != 0 {
			return true
		}
		id = (w + 1) * 64
	}
	return false
}

func (s *ActionSet) addRange(first, end int) {
	for id := first; id < end; {
		w, b := id>>6, uint(id&63)
		if b == 0 && end-id >= 64 {
			s.words[w] = ^uint64(0)
			id += 64
			continue
		}
		s.words[w] |= 1 << b
		id++
	}
}

// matchCacheLimit bounds the compiled-pattern cache; a long-running server
// fed arbitrary patterns must not grow without limit.
const matchCacheLimit = 4096

type matchCache struct {
	mu sync.RWMutex
	m  map[string]ActionSet
}

// Match returns the set of actions an IAM action pattern covers ("s3:Get*",
// "*:Describe*", "*", with '?' for one character), ignoring case. An unknown
// service or a malformed pattern yields an empty set; use Expand to get the
// error. Results are cached per catalog; the returned set is the caller's.
func (c *Catalog) Match(pattern string) ActionSet {
	c.matches.mu.RLock()
	s, ok := c.matches.m[pattern]
	c.matches.mu.RUnlock()
	if ok {
		return s.Clone()
	}
	s, _ = c.match(pattern)
	c.matches.mu.Lock()
	if len(c.matches.m) < matchCacheLimit {
		c.matches.m[strings.Clone(pattern)] = s
	}
	c.matches.mu.Unlock()
	return s.Clone()
}

// MatchShared is Match without the copy: the set it returns is the cached
// one, shared by every caller, and must not be modified (no Add, Clear,
// CopyFrom or …With on it; use it as the argument of those, or call Match
// for a set of your own). It allocates nothing once the pattern is cached.
func (c *Catalog) MatchShared(pattern string) ActionSet {
	c.matches.mu.RLock()
	s, ok := c.matches.m[pattern]
	c.matches.mu.RUnlock()
	if ok {
		return s
	}
	s, _ = c.match(pattern)
	c.matches.mu.Lock()
	if len(c.matches.m) < matchCacheLimit {
		c.matches.m[strings.Clone(pattern)] = s
	}
	c.matches.mu.Unlock()
	return s
}

// Expand lists the actions an IAM action pattern covers, sorted by full name
// (service prefix, then action name). An unknown service prefix written
// without wildcards is an *UnknownError; a pattern that matches nothing in a
// known service returns an empty list and no error.
func (c *Catalog) Expand(pattern string) ([]*Action, error) {
	s, err := c.match(pattern)
	if err != nil {
		return nil, err
	}
	return s.Actions(c), nil
}

func (c *Catalog) match(pattern string) (ActionSet, error) {
	set := c.NewActionSet()
	svcPat, actPat, ok := strings.Cut(pattern, ":")
	if !ok {
		if strings.Trim(pattern, "*") == "" && pattern != "" {
			set.addRange(0, c.nActions)
			return set, nil
		}
		return set, fmt.Errorf("action pattern %q is not \"service:action\" or \"*\"", pattern)
	}
	if svcPat == "" || actPat == "" {
		return set, fmt.Errorf("action pattern %q has an empty service or action part", pattern)
	}
	var svcs []int
	if strings.ContainsAny(svcPat, "*?") {
		sp := arn.CompileAction(svcPat)
		for i, s := range c.services {
			if sp.Match(s.Prefix) {
				svcs = append(svcs, i)
			}
		}
	} else {
		var buf [64]byte
		i, found := c.serviceIndex[string(lowerInto(buf[:0], svcPat))]
		if !found {
			return set, c.unknownAction(pattern)
		}
		svcs = []int{i}
	}
	allActions := strings.Trim(actPat, "*") == ""
	var ap *arn.Pattern
	if !allActions {
		ap = arn.CompileAction(actPat)
	}
	for _, si := range svcs {
		rg := &c.blocks[si]
		if allActions {
			set.addRange(rg.first, rg.end)
			continue
		}
		lower := c.serviceNames(si).lower
		for id := rg.first; id < rg.end; id++ {
			if ap.Match(lower[id-rg.first]) {
				set.words[id>>6] |= 1 << (uint(id) & 63)
			}
		}
	}
	return set, nil
}
