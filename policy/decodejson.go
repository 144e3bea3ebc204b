package policy

import "github.com/iamguard/iamguard/node"

// decodeJSON decodes a JSON policy straight from its text, without building
// the node tree, for the common case: a policy without problems. Building and
// then collecting the tree cost more than decoding the model, mostly in
// garbage-collector work (write barriers on every pointer it stores while a
// cycle is marking). It returns nil at the first thing Decode would record as
// a Problem, or at text that is not JSON: Parse then takes the tree path,
// which reports it. Otherwise the result is the model Decode builds from
// node.ParseJSON's tree; TestDecodeJSONMatchesDecode and FuzzDecodeJSON
// check that.
func decodeJSON(file string, data []byte) *Policy {
	d := jsonDecoder{r: node.NewJSONReader(file, data)}
	d.paths.Grow(min(len(data), 1<<20) + 64)
	d.inputSize = len(data)
	p := &Policy{File: file}
	if !d.policy(p) || !d.r.Finish() {
		return nil
	}
	return p
}

// jsonDecoder reads a policy with a node.JSONReader and fills the model with
// decoder's helpers (paths, setValue). Lists, principal entries and
// condition blocks are carved from shared arrays, since their lengths are
// only known once read.
type jsonDecoder struct {
	decoder
	r node.JSONReader

	values     carver[Value]
	principals carver[PrincipalEntry]
	blocks     carver[ConditionBlock]
	entries    carver[ConditionEntry]

	// inputSize is what the number of statements is estimated from.
	inputSize int
}

// carver hands out slices whose length is only known at the end: the open
// slice grows at the free end of the current array and moves to a fresh,
// bigger one when that is full. done closes it with its capacity equal to its
// length, so appending to a returned slice never writes over a neighbour.
// Only one slice is open at a time per carver; the pointer push returns is
// valid until the next push.
type carver[T any] struct {
	free []T // unused rest of the current array; the open slice is free[:n]
	n    int
}

func (c *carver[T]) push(chunk int) *T {
	if c.n == len(c.free) {
		bigger := make([]T, max(chunk, 2*c.n))
		copy(bigger, c.free[:c.n])
		c.free = bigger
	}
	c.n++
	return &c.free[c.n-1]
}

// open is the slice being carved.
func (c *carver[T]) open() []T { return c.free[:c.n] }

// done closes the open slice; an empty one is non-nil, as make(…, 0) is.
func (c *carver[T]) done() []T {
	if c.n == 0 {
		return []T{}
	}
	out := c.free[:c.n:c.n]
	c.free = c.free[c.n:]
	c.n = 0
	return out
}

// doneValues closes the open list of values; an empty one is nil, as
// decoder.values gives.
func (c *carver[T]) doneValues() []T {
	if c.n == 0 {
		return nil
	}
	return c.done()
}

// Chunk sizes, in elements: about 5 KB, 1.6 KB and 2.7 KB, a handful of
// allocations for a typical policy instead of one or two per condition.
const (
	valueChunk     = 64
	principalChunk = 8
	blockChunk     = 16
	entryChunk     = 16
)

// maxPairwiseKeys bounds the condition objects whose duplicate keys are
// checked pairwise here; larger ones go to Decode, whose check stays linear.
const maxPairwiseKeys = 16

const (
	elemSid uint16 = 1 << iota
	elemEffect
	elemPrincipal
	elemNotPrincipal
	elemAction
	elemNotAction
	elemResource
	elemNotResource
	elemCondition
)

func statementElement(key string) uint16 {
	switch key {
	case "Sid":
		return elemSid
	case "Effect":
		return elemEffect
	case "Principal":
		return elemPrincipal
	case "NotPrincipal":
		return elemNotPrincipal
	case "Action":
		return elemAction
	case "NotAction":
		return elemNotAction
	case "Resource":
		return elemResource
	case "NotResource":
		return elemNotResource
	case "Condition":
		return elemCondition
	}
	return 0
}

func principalType(key string) uint8 {
	switch key {
	case "AWS":
		return 1
	case "Service":
		return 2
	case "Federated":
		return 4
	case "CanonicalUser":
		return 8
	}
	return 0
}

func (d *jsonDecoder) policy(p *Policy) bool {
	kind, _, pos, ok := d.r.Value()
	if !ok || kind != node.Object {
		return false
	}
	setPos(&p.Pos, pos)
	var top *topStorage
	var seen uint8
	for {
		key, _, more := d.r.NextMember()
		if !more {
			break
		}
		var bit uint8
		switch key {
		case "Version":
			bit = 1
		case "Id":
			bit = 2
		case "Statement":
			bit = 4
		}
		if bit == 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
		path := d.key("", key)
		if key == "Statement" {
			if !d.statements(p, path) {
				return false
			}
			continue
		}
		if top == nil {
			top = &topStorage{}
		}
		v := &top.version
		if key == "Id" {
			v = &top.id
		}
		if !d.scalarString(v, path) {
			return false
		}
		if key == "Id" {
			p.ID = v
		} else {
			p.Version = v
		}
	}
	return !d.r.Failed()
}

// scalarString reads an element that must be a string.
func (d *jsonDecoder) scalarString(v *Value, path string) bool {
	kind, text, pos, ok := d.r.Value()
	if !ok || kind != node.String {
		return false
	}
	setValue(v, text, TypeString, pos, path)
	return true
}

func (d *jsonDecoder) statements(p *Policy, path string) bool {
	kind, _, pos, ok := d.r.Value()
	if !ok {
		return false
	}
	p.StatementPresent = true
	setPos(&p.StatementPos, pos)
	switch kind {
	case node.Object:
		st := &statementStorage{}
		if !d.statement(st, pos, path, 0) {
			return false
		}
		p.Statements = []*Statement{&st.s}
	case node.Array:
		p.StatementIsArray = true
		// Statements are stored in blocks, like Decode's one block, but
		// their number is unknown until the ']': estimate it from the
		// input's size (pretty-printed statements take a few hundred
		// bytes) and add blocks when it falls short.
		storage := make([]statementStorage, min(d.inputSize/256+1, 256))
		p.Statements = make([]*Statement, 0, len(storage))
		for i := 0; d.r.NextItem(); i++ {
			kind, _, pos, ok := d.r.Value()
			if !ok || kind != node.Object {
				return false
			}
			if len(storage) == 0 {
				storage = make([]statementStorage, min(max(len(p.Statements), 4), 256))
			}
			st := &storage[0]
			storage = storage[1:]
			if !d.statement(st, pos, d.index(path, i), i) {
				return false
			}
			p.Statements = append(p.Statements, &st.s)
		}
	default:
		return false
	}
	return !d.r.Failed()
}

// statement reads the members of a statement object whose '{' was read at
// pos.
func (d *jsonDecoder) statement(st *statementStorage, pos Pos, path string, idx int) bool {
	s := &st.s
	s.Index = idx
	setPos(&s.Pos, pos)
	s.Path = path
	var seen uint16
	for {
		key, _, more := d.r.NextMember()
		if !more {
			break
		}
		elem := statementElement(key)
		if elem == 0 || seen&elem != 0 {
			return false
		}
		seen |= elem
		fpath := d.key(path, key)
		var ok bool
		switch elem {
		case elemSid:
			ok = d.scalarString(&st.sid, fpath)
			s.Sid = &st.sid
		case elemEffect:
			ok = d.scalarString(&st.effect, fpath)
			s.Effect = &st.effect
		case elemPrincipal:
			s.Principal = &Principal{}
			ok = d.principal(s.Principal, fpath)
		case elemNotPrincipal:
			s.NotPrincipal = &Principal{}
			ok = d.principal(s.NotPrincipal, fpath)
		case elemAction:
			ok = d.list(&st.action, fpath, false)
			s.Action = &st.action
		case elemNotAction:
			s.NotAction = &List{}
			ok = d.list(s.NotAction, fpath, false)
		case elemResource:
			ok = d.list(&st.resource, fpath, false)
			s.Resource = &st.resource
		case elemNotResource:
			s.NotResource = &List{}
			ok = d.list(s.NotResource, fpath, false)
		case elemCondition:
			s.Condition = &Condition{}
			ok = d.condition(s.Condition, fpath)
		}
		if !ok {
			return false
		}
	}
	// Both forms of an element in one statement is a Problem.
	for _, pair := range [...]uint16{elemPrincipal | elemNotPrincipal, elemAction | elemNotAction, elemResource | elemNotResource} {
		if seen&pair == pair {
			return false
		}
	}
	return !d.r.Failed()
}

// list reads Action, NotAction, Resource, NotResource and principal values
// (strings only) or condition values (conditionValues: strings, numbers and
// booleans), written as one value or an array of them.
func (d *jsonDecoder) list(l *List, path string, conditionValues bool) bool {
	kind, text, pos, ok := d.r.Value()
	if !ok {
		return false
	}
	setPos(&l.Pos, pos)
	l.Path = path
	switch {
	case acceptsValue(kind, conditionValues):
		setValue(d.values.push(valueChunk), text, valueType(kind), pos, path)
		l.Values = d.values.doneValues()
	case kind == node.Array:
		l.IsArray = true
		for i := 0; d.r.NextItem(); i++ {
			kind, text, pos, ok := d.r.Value()
			if !ok || !acceptsValue(kind, conditionValues) {
				return false
			}
			setValue(d.values.push(valueChunk), text, valueType(kind), pos, d.index(path, i))
		}
		l.Values = d.values.doneValues()
	default:
		return false
	}
	return !d.r.Failed()
}

func acceptsValue(k node.Kind, conditionValues bool) bool {
	return k == node.String || conditionValues && (k == node.Number || k == node.Bool)
}

func (d *jsonDecoder) principal(pr *Principal, path string) bool {
	kind, text, pos, ok := d.r.Value()
	if !ok {
		return false
	}
	setPos(&pr.Pos, pos)
	pr.Path = path
	switch kind {
	case node.String:
		if text != "*" {
			return false
		}
		pr.Wildcard = true
	case node.Object:
		var seen uint8
		for {
			key, keyPos, more := d.r.NextMember()
			if !more {
				break
			}
			typ := principalType(key)
			if typ == 0 || seen&typ != 0 {
				return false
			}
			seen |= typ
			fpath := d.key(path, key)
			e := d.principals.push(principalChunk)
			e.Type = key
			setPos(&e.TypePos, keyPos)
			if !d.list(&e.Values, fpath, false) {
				return false
			}
		}
		pr.Entries = d.principals.done()
	default:
		return false
	}
	return !d.r.Failed()
}

func (d *jsonDecoder) condition(c *Condition, path string) bool {
	kind, _, pos, ok := d.r.Value()
	if !ok || kind != node.Object {
		return false
	}
	setPos(&c.Pos, pos)
	c.Path = path
	for {
		op, opPos, more := d.r.NextMember()
		if !more {
			break
		}
		if !d.newBlockKey(op) {
			return false
		}
		opPath := d.key(path, op)
		b := d.blocks.push(blockChunk)
		setValue(&b.Operator, op, TypeString, opPos, opPath)
		if kind, _, _, ok := d.r.Value(); !ok || kind != node.Object {
			return false
		}
		for {
			key, keyPos, more := d.r.NextMember()
			if !more {
				break
			}
			if !d.newEntryKey(key) {
				return false
			}
			kpath := d.key(opPath, key)
			e := d.entries.push(entryChunk)
			setValue(&e.Key, key, TypeString, keyPos, kpath)
			if !d.list(&e.Values, kpath, true) {
				return false
			}
		}
		b.Entries = d.entries.done()
	}
	c.Blocks = d.blocks.done()
	return !d.r.Failed()
}

// newBlockKey reports whether op is not yet an operator of the open
// condition (and the condition is small enough to check pairwise).
func (d *jsonDecoder) newBlockKey(op string) bool {
	open := d.blocks.open()
	if len(open) >= maxPairwiseKeys {
		return false
	}
	for i := range open {
		if open[i].Operator.Text == op {
			return false
		}
	}
	return true
}

// newEntryKey is newBlockKey for the keys under one operator.
func (d *jsonDecoder) newEntryKey(key string) bool {
	open := d.entries.open()
	if len(open) >= maxPairwiseKeys {
		return false
	}
	for i := range open {
		if open[i].Key.Text == key {
			return false
		}
	}
	return true
}
