package catgen

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// Encode writes d in the catalog format. The output depends only on d, so the
// same source always yields the same bytes (the currency test relies on it).
func Encode(d *Data) ([]byte, error) {
	e := &encoder{sid: map[string]int{}, lid: map[string]int{}}
	e.list(nil) // list 0: the empty list

	// First pass: intern everything in traversal order so IDs are stable.
	var body []byte
	put := func(v int) { body = binary.AppendUvarint(body, uint64(v)) }
	put(e.str(d.Source))
	put(e.str(d.Version))
	put(e.str(d.Date))
	var rest []byte
	putR := func(v int) { rest = binary.AppendUvarint(rest, uint64(v)) }
	putR(len(d.Keys))
	for _, k := range d.Keys {
		putR(e.str(k.Name))
		putR(e.str(k.Type))
		putR(e.str(k.Description))
	}
	putR(len(d.Services))
	nAct, nRes := 0, 0
	for _, s := range d.Services {
		nAct += len(s.Actions)
		for _, a := range s.Actions {
			nRes += len(a.Resources)
		}
	}
	putR(nAct)
	putR(nRes)
	// One summary byte per action (access levels and whether it has a
	// resource type), so a reader can build whole-catalog sets without
	// decoding every service's actions.
	for _, s := range d.Services {
		types := map[string]bool{}
		for _, rt := range s.ResourceTypes {
			types[rt.Name] = true
		}
		for _, a := range s.Actions {
			b, err := actionSummary(a, types)
			if err != nil {
				return nil, fmt.Errorf("%s:%s: %w", s.Prefix, a.Name, err)
			}
			rest = append(rest, b)
		}
	}
	// Service headers come together, the action blocks after them: a
	// reader that decodes few services touches few pages of the file.
	var blocks, block []byte
	putB := func(v int) { block = binary.AppendUvarint(block, uint64(v)) }
	for _, s := range d.Services {
		putR(e.str(s.Prefix))
		putR(e.str(s.Name))
		rtIndex := map[string]int{}
		putR(len(s.ResourceTypes))
		for i, rt := range s.ResourceTypes {
			rtIndex[rt.Name] = i
			putR(e.str(rt.Name))
			putR(e.list(rt.ARNs))
			putR(e.list(rt.Keys))
		}
		putR(len(s.Keys))
		for _, k := range s.Keys {
			if k < 0 || k >= len(d.Keys) {
				return nil, fmt.Errorf("service %s: key index %d out of range", s.Prefix, k)
			}
			putR(k)
		}
		putR(len(s.Actions))
		nSvcRes := 0
		for _, a := range s.Actions {
			nSvcRes += len(a.Resources)
		}
		putR(nSvcRes)
		// The actions follow as one block of known length, so a reader can
		// skip them and decode a service only when it is asked for.
		block = block[:0]
		for _, a := range s.Actions {
			putB(e.str(a.Name))
			putB(e.str(a.Description))
			putB(e.list(a.Levels))
			putB(e.list(a.Keys))
			putB(e.list(a.Dependent))
			putB(len(a.Resources))
			for _, r := range a.Resources {
				req := 0
				if r.Required {
					req = 1
				}
				i, ok := rtIndex[r.Name]
				if ok {
					putB((i+1)<<1 | req)
				} else {
					putB(req)
					putB(e.str(r.Name))
				}
				putB(e.list(r.Keys))
				putB(e.list(r.Dependent))
			}
		}
		putR(len(blocks)) // the block's offset in the blocks section
		putR(len(block))
		blocks = append(blocks, block...)
	}

	// Strings: a fixed-width table of end offsets (uint32, little endian,
	// relative to the first string byte), then the bytes. A reader finds
	// string i without decoding or allocating anything.
	out := []byte(Magic)
	out = binary.AppendUvarint(out, uint64(len(e.strs)))
	end := 0
	for _, s := range e.strs {
		end += len(s)
		if end > math.MaxUint32 {
			return nil, fmt.Errorf("string table over 4 GB")
		}
		out = binary.LittleEndian.AppendUint32(out, uint32(end))
	}
	for _, s := range e.strs {
		out = append(out, s...)
	}
	out = append(out, body...)
	out = binary.AppendUvarint(out, uint64(len(e.lists)))
	for _, l := range e.lists {
		out = binary.AppendUvarint(out, uint64(len(l)))
		for _, id := range l {
			out = binary.AppendUvarint(out, uint64(id))
		}
	}
	out = append(out, rest...)
	out = append(out, blocks...)
	return out, nil
}

// Summary bits: one per access level, and one for "has a resource type".
// They mirror the reader's constants in catalog/load.go.
const (
	summaryList = 1 << iota
	summaryRead
	summaryWrite
	summaryPermissions
	summaryTagging
	summaryResourceType
)

// actionSummary is a's summary byte; types are its service's resource type
// names (a resource naming none of them is the "*" case).
func actionSummary(a Action, types map[string]bool) (byte, error) {
	var b byte
	for _, l := range a.Levels {
		switch l {
		case "List":
			b |= summaryList
		case "Read":
			b |= summaryRead
		case "Write":
			b |= summaryWrite
		case "Permissions management":
			b |= summaryPermissions
		case "Tagging":
			b |= summaryTagging
		default:
			return 0, fmt.Errorf("unknown access level %q", l)
		}
	}
	for _, r := range a.Resources {
		if types[r.Name] {
			b |= summaryResourceType
		}
	}
	return b, nil
}

type encoder struct {
	strs  []string
	sid   map[string]int
	lists [][]int
	lid   map[string]int
}

func (e *encoder) str(s string) int {
	if id, ok := e.sid[s]; ok {
		return id
	}
	id := len(e.strs)
	e.strs = append(e.strs, s)
	e.sid[s] = id
	return id
}

func (e *encoder) list(l []string) int {
	key := strings.Join(l, "\x00")
	if len(l) == 0 {
		key = "\x01empty"
	}
	if id, ok := e.lid[key]; ok {
		return id
	}
	ids := make([]int, len(l))
	for i, s := range l {
		ids[i] = e.str(s)
	}
	id := len(e.lists)
	e.lists = append(e.lists, ids)
	e.lid[key] = id
	return id
}
