package capability

import (
	"math"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/catalog"
)

// Hit is an action the description search found.
type Hit struct {
	Action *catalog.Action
	Score  float64
}

// index is a BM25 index over every action's description, name and service
// name, built from the catalog: the generator encodes it (search.idx) and
// tests compare the embedded index with it. Terms are numbered; each has
// its postings (action, term frequency).
type index struct {
	cat      *catalog.Catalog
	terms    map[string]int32
	postings [][]posting // by term number
	docLen   []float32
	avgLen   float64
}

type posting struct {
	doc int32
	tf  float32
}

func buildIndex(cat *catalog.Catalog) *index {
	n := cat.NumActions()
	ix := &index{cat: cat, terms: make(map[string]int32, 16384), postings: make([][]posting, 0, 16384), docLen: make([]float32, n)}
	total := 0
	counts := make([]float32, 0, 64) // term frequency by position in seen
	seen := make([]int32, 0, 64)     // the document's terms, in first-seen order
	var buf []byte
	for id := range n {
		a := cat.ActionByID(catalog.ActionID(id))
		seen, counts = seen[:0], counts[:0]
		terms := 0
		add := func(text string, weight float32) {
			buf = eachTerm(text, buf, func(t []byte) {
				tid, ok := ix.terms[string(t)]
				if !ok {
					tid = int32(len(ix.postings))
					ix.terms[string(t)] = tid
					ix.postings = append(ix.postings, nil)
				}
				for i, s := range seen {
					if s == tid {
						counts[i] += weight
						terms += int(weight)
						return
					}
				}
				seen = append(seen, tid)
				counts = append(counts, weight)
				terms += int(weight)
			})
		}
		add(a.Description, 1)
		add(a.Name, 2) // the name's words say what the action does most plainly
		add(a.Service.Prefix, 1)
		add(a.Service.Name, 1)
		for i, tid := range seen {
			ix.postings[tid] = append(ix.postings[tid], posting{doc: int32(id), tf: counts[i]})
		}
		ix.docLen[id] = float32(terms)
		total += terms
	}
	if n > 0 {
		ix.avgLen = float64(total) / float64(n)
	}
	return ix
}

// Search ranks the catalog's actions against a need with BM25 and returns
// the best limit hits. Read-level actions win ties over writes, and
// permissions-management actions are pushed down: a need phrased in plain
// words rarely means "change who may do what".
func Search(need string, limit int) []Hit {
	if limit <= 0 {
		return nil
	}
	ix, err := defaultPacked()
	if err != nil {
		// The embedded index is generated from the embedded catalog and a
		// test keeps them together: a mismatch is a broken build.
		panic("capability: " + err.Error())
	}
	return ix.search(need, limit)
}

func (ix *index) search(need string, limit int) []Hit {
	const k1, b = 1.2, 0.75
	terms := Tokens(need)
	slices.Sort(terms)
	terms = slices.Compact(terms)
	scores := map[int32]float64{}
	n := float64(len(ix.docLen))
	for _, t := range terms {
		tid, ok := ix.terms[t]
		if !ok {
			continue
		}
		ps := ix.postings[tid]
		idf := math.Log(1 + (n-float64(len(ps))+0.5)/(float64(len(ps))+0.5))
		for _, p := range ps {
			tf := float64(p.tf)
			norm := tf * (k1 + 1) / (tf + k1*(1-b+b*float64(ix.docLen[p.doc])/ix.avgLen))
			scores[p.doc] += idf * norm
		}
	}
	return rankHits(ix.cat, scores, limit)
}

// Scored is a search result before its action is decoded.
type Scored struct {
	ID    catalog.ActionID
	Score float64
}

// rankHits turns scores into the best limit hits (see rankIDs), decoding
// their actions.
func rankHits(cat *catalog.Catalog, scores map[int32]float64, limit int) []Hit {
	ranked := rankIDs(cat, scores, limit)
	hits := make([]Hit, len(ranked))
	for i, r := range ranked {
		hits[i] = Hit{Action: cat.ActionByID(r.ID), Score: r.Score}
	}
	return hits
}

// rankIDs orders scores: highest first, then by full action name.
// Permissions-management actions lose a fifth of their score. Nothing is
// decoded: access levels come from the catalog's summaries, and names are
// read (for the candidates that tie at the cut only) from the encoded data.
func rankIDs(cat *catalog.Catalog, scores map[int32]float64, limit int) []Scored {
	all := make([]Scored, 0, len(scores))
	for id, s := range scores {
		if cat.Summary(catalog.ActionID(id)).HasAccessLevel(catalog.PermissionsManagement) {
			s *= 0.8
		}
		all = append(all, Scored{catalog.ActionID(id), s})
	}
	slices.SortFunc(all, func(x, y Scored) int {
		if x.Score != y.Score {
			if x.Score > y.Score {
				return -1
			}
			return 1
		}
		return int(x.ID - y.ID)
	})
	// Everything scoring at least the limit-th score can be in the result
	// once ties are broken by name.
	if limit < len(all) {
		cut := all[limit-1].Score
		end := limit
		for end < len(all) && all[end].Score == cut {
			end++
		}
		all = all[:end]
	}
	// Names only where scores tie.
	names := make([]string, len(all))
	for i := range all {
		if i > 0 && all[i].Score == all[i-1].Score || i+1 < len(all) && all[i].Score == all[i+1].Score {
			names[i] = cat.ActionFullName(all[i].ID)
		}
	}
	idx := make([]int, len(all))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		x, y := all[a], all[b]
		if x.Score != y.Score {
			if x.Score > y.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(names[a], names[b])
	})
	out := make([]Scored, 0, min(limit, len(all)))
	for _, i := range idx[:min(limit, len(idx))] {
		out = append(out, all[i])
	}
	return out
}

// SearchIDs is Search without decoding the actions found: for a caller
// that keeps a few hits of one service, the others cost nothing.
func SearchIDs(need string, limit int) []Scored {
	if limit <= 0 {
		return nil
	}
	ix, err := defaultPacked()
	if err != nil {
		panic("capability: " + err.Error())
	}
	return rankIDs(ix.cat, ix.scores(need), limit)
}
