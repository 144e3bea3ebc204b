package capability

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/iamguard/iamguard/catalog"
)

// The search index is built from the embedded catalog by go generate and
// embedded, so a run whose need no curated entry matches reads the
// postings of its few words instead of tokenising 22,091 descriptions
// (about 90 ms of a cold process) first.
//
//go:generate go run ../internal/gensearch -o search.idx
//go:embed search.idx
var embeddedIndex string

// searchIndexMagic starts the file; the last byte is the format version.
const searchIndexMagic = "IGSEARCH\x01"

// The file, all integers unsigned varints unless said otherwise:
//
//	magic
//	catalog source version (length, bytes): the catalog it was built from
//	documents n, average length (float64 bits, little endian, 8 bytes),
//	  then n document lengths (uint16 little endian, 2 bytes each)
//	terms m, then m term offsets (uint32 little endian, from the first
//	  term record), then m term records in byte order of the term:
//	  term (length, bytes), postings count, then per posting the document
//	  (delta from the previous one) and its term frequency
//
// Fixed-width tables let a search binary-search the terms and read one
// document length in place: loading decodes nothing.

// EncodeSearchIndex builds the description index over cat and encodes it
// (the generator writes the result to search.idx).
func EncodeSearchIndex(cat *catalog.Catalog) []byte {
	ix := buildIndex(cat)
	out := []byte(searchIndexMagic)
	version := cat.Info().Version
	out = binary.AppendUvarint(out, uint64(len(version)))
	out = append(out, version...)
	out = binary.AppendUvarint(out, uint64(len(ix.docLen)))
	out = binary.LittleEndian.AppendUint64(out, math.Float64bits(ix.avgLen))
	for _, l := range ix.docLen {
		out = binary.LittleEndian.AppendUint16(out, uint16(min(l, math.MaxUint16)))
	}
	terms := make([]string, 0, len(ix.terms))
	for t := range ix.terms {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	var records []byte
	offsets := make([]uint32, len(terms))
	for i, t := range terms {
		offsets[i] = uint32(len(records))
		records = binary.AppendUvarint(records, uint64(len(t)))
		records = append(records, t...)
		ps := ix.postings[ix.terms[t]]
		records = binary.AppendUvarint(records, uint64(len(ps)))
		prev := int32(0)
		for _, p := range ps {
			records = binary.AppendUvarint(records, uint64(p.doc-prev))
			records = binary.AppendUvarint(records, uint64(p.tf))
			prev = p.doc
		}
	}
	out = binary.AppendUvarint(out, uint64(len(terms)))
	for _, o := range offsets {
		out = binary.LittleEndian.AppendUint32(out, o)
	}
	return append(out, records...)
}

// packedIndex reads an encoded index in place.
type packedIndex struct {
	cat        *catalog.Catalog
	data       string
	nDocs      int
	avgLen     float64
	docLens    int // offset of the document lengths
	nTerms     int
	offsets    int // offset of the term offsets
	recordBase int // offset of the first term record
}

func openSearchIndex(data string, cat *catalog.Catalog) (*packedIndex, error) {
	if !strings.HasPrefix(data, searchIndexMagic) {
		return nil, errors.New("not a search index")
	}
	off := len(searchIndexMagic)
	uv := func() (int, error) {
		v, n := binary.Uvarint([]byte(data[off:min(len(data), off+binary.MaxVarintLen64)]))
		if n <= 0 || v > uint64(len(data)) {
			return 0, errors.New("truncated search index")
		}
		off += n
		return int(v), nil
	}
	vlen, err := uv()
	if err != nil || off+vlen > len(data) {
		return nil, errors.New("truncated search index")
	}
	if v := data[off : off+vlen]; v != cat.Info().Version {
		return nil, fmt.Errorf("search index built from catalog %s, not %s: run go generate ./internal/generate/capability", v, cat.Info().Version)
	}
	off += vlen
	ix := &packedIndex{cat: cat, data: data}
	if ix.nDocs, err = uv(); err != nil {
		return nil, err
	}
	if ix.nDocs != cat.NumActions() || off+8+2*ix.nDocs > len(data) {
		return nil, fmt.Errorf("search index has %d documents, the catalog %d actions", ix.nDocs, cat.NumActions())
	}
	ix.avgLen = math.Float64frombits(binary.LittleEndian.Uint64([]byte(data[off : off+8])))
	off += 8
	ix.docLens = off
	off += 2 * ix.nDocs
	if ix.nTerms, err = uv(); err != nil {
		return nil, err
	}
	if off+4*ix.nTerms > len(data) {
		return nil, errors.New("truncated search index")
	}
	ix.offsets = off
	ix.recordBase = off + 4*ix.nTerms
	return ix, nil
}

func (ix *packedIndex) docLen(doc int) float64 {
	p := ix.docLens + 2*doc
	return float64(uint16(ix.data[p]) | uint16(ix.data[p+1])<<8)
}

// record returns the offset of term i's record.
func (ix *packedIndex) record(i int) int {
	p := ix.offsets + 4*i
	d := ix.data
	return ix.recordBase + int(uint32(d[p])|uint32(d[p+1])<<8|uint32(d[p+2])<<16|uint32(d[p+3])<<24)
}

func (ix *packedIndex) uvarint(off int) (int, int) {
	var x uint64
	var s uint
	for i := off; i < len(ix.data); i++ {
		b := ix.data[i]
		if b < 0x80 {
			return int(x | uint64(b)<<s), i + 1
		}
		x |= uint64(b&0x7f) << s
		s += 7
	}
	return 0, len(ix.data)
}

// termAt returns term i and the offset just after it.
func (ix *packedIndex) termAt(i int) (string, int) {
	n, off := ix.uvarint(ix.record(i))
	return ix.data[off : off+n], off + n
}

// lookup finds term t: how many documents hold it, and where its
// postings start (df 0: not indexed).
func (ix *packedIndex) lookup(t string) (df, off int) {
	i := sort.Search(ix.nTerms, func(i int) bool { s, _ := ix.termAt(i); return s >= t })
	if i == ix.nTerms {
		return 0, 0
	}
	s, off := ix.termAt(i)
	if s != t {
		return 0, 0
	}
	return ix.uvarint(off)
}

// eachPosting calls fn with each of the df postings at off: the document
// and its term frequency.
func (ix *packedIndex) eachPosting(df, off int, fn func(doc int, tf float64)) {
	doc := 0
	for range df {
		var d, tf int
		d, off = ix.uvarint(off)
		tf, off = ix.uvarint(off)
		doc += d
		fn(doc, float64(tf))
	}
}

var defaultPacked = sync.OnceValue(func() *packedIndex {
	ix, err := openSearchIndex(embeddedIndex, catalog.Default())
	if err != nil {
		// The embedded index is generated from the embedded catalog and a
		// test keeps them together: a mismatch is a broken build.
		panic("capability: " + err.Error())
	}
	return ix
})

// search ranks the packed postings.
func (ix *packedIndex) search(need string, limit int) []Hit {
	return rankHits(ix.cat, ix.scores(need), limit)
}

// scores is BM25 over the packed postings.
func (ix *packedIndex) scores(need string) map[int32]float64 {
	scores := map[int32]float64{}
	for _, t := range searchTerms(need) {
		df, off := ix.lookup(t)
		if df == 0 {
			continue
		}
		w := idf(ix.nDocs, df)
		ix.eachPosting(df, off, func(doc int, tf float64) {
			scores[int32(doc)] += bm25(w, tf, ix.docLen(doc), ix.avgLen)
		})
	}
	return scores
}
