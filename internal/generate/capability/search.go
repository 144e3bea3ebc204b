package capability

import (
	"cmp"
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
// the best limit hits, ties by full action name. Permissions-management
// actions are pushed down: a need phrased in plain words rarely means
// "change who may do what".
func Search(need string, limit int) []Hit {
	if limit <= 0 {
		return nil
	}
	return defaultPacked().search(need, limit)
}

// SearchIDs is Search without decoding the actions found: for a caller
// that keeps a few hits of one service, the others cost nothing.
func SearchIDs(need string, limit int) []Scored {
	if limit <= 0 {
		return nil
	}
	ix := defaultPacked()
	return rankIDs(ix.cat, ix.scores(need), limit)
}

// searchTerms are a need's distinct terms, in order.
func searchTerms(need string) []string {
	terms := Tokens(need)
	slices.Sort(terms)
	return slices.Compact(terms)
}

// idf is BM25's weight of a term found in df of n documents.
func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// bm25 is one term's contribution to a document's score: the term, of
// weight idf, is tf times in the document, of length docLen.
func bm25(idf, tf, docLen, avgLen float64) float64 {
	const k1, b = 1.2, 0.75
	return idf * (tf * (k1 + 1) / (tf + k1*(1-b+b*docLen/avgLen)))
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
// read from the encoded data only for runs of equal scores.
func rankIDs(cat *catalog.Catalog, scores map[int32]float64, limit int) []Scored {
	all := make([]Scored, 0, len(scores))
	for id, s := range scores {
		if cat.Summary(catalog.ActionID(id)).HasAccessLevel(catalog.PermissionsManagement) {
			s *= 0.8
		}
		all = append(all, Scored{catalog.ActionID(id), s})
	}
	slices.SortFunc(all, func(x, y Scored) int { return cmp.Compare(y.Score, x.Score) })
	// Within each run of equal scores, by name; runs past the limit-th hit
	// cannot be in the result.
	for i := 0; i < len(all) && i < limit; {
		j := i + 1
		for j < len(all) && all[j].Score == all[i].Score {
			j++
		}
		if j-i > 1 {
			run := all[i:j]
			names := make(map[catalog.ActionID]string, len(run))
			for _, r := range run {
				names[r.ID] = cat.ActionFullName(r.ID)
			}
			slices.SortFunc(run, func(x, y Scored) int { return strings.Compare(names[x.ID], names[y.ID]) })
		}
		i = j
	}
	return all[:min(limit, len(all))]
}
