package catgen

import (
	"encoding/binary"
	"fmt"
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
		for _, a := range s.Actions {
			putR(e.str(a.Name))
			putR(e.str(a.Description))
			putR(e.list(a.Levels))
			putR(e.list(a.Keys))
			putR(e.list(a.Dependent))
			putR(len(a.Resources))
			for _, r := range a.Resources {
				req := 0
				if r.Required {
					req = 1
				}
				i, ok := rtIndex[r.Name]
				if ok {
					putR((i+1)<<1 | req)
				} else {
					putR(req)
					putR(e.str(r.Name))
				}
				putR(e.list(r.Keys))
				putR(e.list(r.Dependent))
			}
		}
	}

	out := []byte(Magic)
	out = binary.AppendUvarint(out, uint64(len(e.strs)))
	for _, s := range e.strs {
		out = binary.AppendUvarint(out, uint64(len(s)))
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
	return out, nil
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
