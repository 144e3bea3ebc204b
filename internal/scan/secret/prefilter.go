package secret

// prefilter finds every occurrence of a set of anchor keywords in one pass
// over the input: an Aho–Corasick automaton compiled into a dense DFA over
// ASCII-case-folded byte classes, so the inner loop is one table lookup per
// byte and bytes that occur in no anchor share one class (keeping the table
// small enough to stay in L1/L2).
type prefilter struct {
	classOf [256]uint8
	nclass  int
	// delta[state+class] is the next state, pre-multiplied by nclass so the
	// hot loop needs no multiplication.
	delta []uint32
	// out[state/nclass] lists the anchors that end in this state (through
	// dictionary suffix links too). States with output are numbered last,
	// from firstTerminal on.
	out           [][]uint16
	firstTerminal uint32
	anchors       []string
}

func fold(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func newPrefilter(anchors []string) *prefilter {
	p := &prefilter{anchors: anchors}
	// Byte classes: one per distinct folded byte used by an anchor, class 0
	// for everything else.
	p.nclass = 1
	for _, a := range anchors {
		for i := 0; i < len(a); i++ {
			c := fold(a[i])
			if p.classOf[c] == 0 {
				p.classOf[c] = uint8(p.nclass)
				p.nclass++
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		p.classOf[c] = p.classOf[c+'a'-'A']
	}

	// Trie over classes.
	type node struct {
		next []int32
		fail int32
		out  []uint16
	}
	newNode := func() node {
		n := node{next: make([]int32, p.nclass)}
		for i := range n.next {
			n.next[i] = -1
		}
		return n
	}
	nodes := []node{newNode()}
	for id, a := range anchors {
		s := int32(0)
		for i := 0; i < len(a); i++ {
			c := p.classOf[fold(a[i])]
			if nodes[s].next[c] < 0 {
				nodes = append(nodes, newNode())
				nodes[s].next[c] = int32(len(nodes) - 1)
			}
			s = nodes[s].next[c]
		}
		nodes[s].out = append(nodes[s].out, uint16(id))
	}

	// Breadth-first: failure links, then complete the transition function.
	queue := make([]int32, 0, len(nodes))
	for c := range p.nclass {
		if n := nodes[0].next[c]; n < 0 {
			nodes[0].next[c] = 0
		} else {
			nodes[n].fail = 0
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := nodes[s].fail
		nodes[s].out = append(nodes[s].out, nodes[f].out...)
		for c := range p.nclass {
			n := nodes[s].next[c]
			if n < 0 {
				nodes[s].next[c] = nodes[f].next[c]
				continue
			}
			nodes[n].fail = nodes[f].next[c]
			queue = append(queue, n)
		}
	}

	// Renumber states so that every state with output comes after every
	// state without: the hot loop then tests "any output?" with one compare.
	order := make([]int32, 0, len(nodes))
	for pass := range 2 {
		for s, n := range nodes {
			if (len(n.out) > 0) == (pass == 1) {
				order = append(order, int32(s))
			}
		}
	}
	rank := make([]int32, len(nodes))
	for newID, old := range order {
		rank[old] = int32(newID)
	}
	p.delta = make([]uint32, len(nodes)*p.nclass)
	p.out = make([][]uint16, len(nodes))
	p.firstTerminal = uint32(len(nodes) * p.nclass)
	for old, n := range nodes {
		s := int(rank[old])
		for c, next := range n.next {
			p.delta[s*p.nclass+c] = uint32(int(rank[next]) * p.nclass)
		}
		p.out[s] = n.out
		if len(n.out) > 0 {
			p.firstTerminal = min(p.firstTerminal, uint32(s*p.nclass))
		}
	}
	return p
}

// scanFunc calls found for every anchor occurrence in data, in order of the
// occurrence's end, with the anchor's index and the offset of its first byte.
func (p *prefilter) scanFunc(data []byte, found func(anchor, at int)) {
	delta, classOf, firstTerminal, nclass := p.delta, &p.classOf, p.firstTerminal, uint32(p.nclass)
	var s uint32
	for i, b := range data {
		s = delta[s+uint32(classOf[b])]
		if s >= firstTerminal {
			for _, id := range p.out[s/nclass] {
				found(int(id), i+1-len(p.anchors[id]))
			}
		}
	}
}
