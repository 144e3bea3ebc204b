package capability

import (
	"testing"

	"github.com/iamguard/iamguard/catalog"
)

// search ranks over the index built from the catalog (what the generator
// encodes), the reference the packed index is compared with.
func (ix *index) search(need string, limit int) []Hit {
	scores := map[int32]float64{}
	for _, t := range searchTerms(need) {
		tid, ok := ix.terms[t]
		if !ok {
			continue
		}
		ps := ix.postings[tid]
		w := idf(len(ix.docLen), len(ps))
		for _, p := range ps {
			scores[p.doc] += bm25(w, float64(p.tf), float64(ix.docLen[p.doc]), ix.avgLen)
		}
	}
	return rankHits(ix.cat, scores, limit)
}

// TestSearchIndexIsCurrent: search.idx is the encoding of the embedded
// catalog's index; a catalog update without "go generate
// ./internal/generate/capability" fails here.
func TestSearchIndexIsCurrent(t *testing.T) {
	t.Parallel()
	if got := EncodeSearchIndex(catalog.Default()); string(got) != embeddedIndex {
		t.Fatalf("search.idx (%d bytes) is not the index of the embedded catalog (%d bytes): run go generate ./internal/generate/capability", len(embeddedIndex), len(got))
	}
}

// TestPackedSearchMatchesIndex: searching the embedded index in place
// ranks exactly as the index built from the catalog does, scores included.
func TestPackedSearchMatchesIndex(t *testing.T) {
	t.Parallel()
	cat := catalog.Default()
	ref := buildIndex(cat)
	packed, err := openSearchIndex(embeddedIndex, cat)
	if err != nil {
		t.Fatal(err)
	}
	needs := []string{
		"reboot an EC2 instance", "I need to add file upload to S3", "send email", "read secrets",
		"rotate a KMS key", "describe log groups", "invoke a lambda function", "publish to an SNS topic",
		"list buckets", "create a DynamoDB table backup", "start a Step Functions execution",
		"zzz nothing matches", "", "s3", "get object tagging", "put item", "query athena",
	}
	for _, need := range needs {
		for _, limit := range []int{1, 3, 10} {
			want, got := ref.search(need, limit), packed.search(need, limit)
			if len(got) != len(want) {
				t.Fatalf("%q limit %d: %d hits, want %d", need, limit, len(got), len(want))
			}
			for i := range want {
				if got[i].Action != want[i].Action || got[i].Score != want[i].Score {
					t.Errorf("%q limit %d hit %d: %s %.6f, want %s %.6f", need, limit, i,
						got[i].Action.FullName(), got[i].Score, want[i].Action.FullName(), want[i].Score)
				}
			}
		}
	}
	// SearchIDs ranks the same, without decoding.
	for _, need := range needs {
		hits, ids := Search(need, 25), SearchIDs(need, 25)
		if len(hits) != len(ids) {
			t.Fatalf("%q: Search %d hits, SearchIDs %d", need, len(hits), len(ids))
		}
		for i := range hits {
			if hits[i].Action.ID != ids[i].ID || hits[i].Score != ids[i].Score {
				t.Errorf("%q hit %d: Search %s, SearchIDs %d", need, i, hits[i].Action.FullName(), ids[i].ID)
			}
		}
	}
	if hits := Search("reboot an EC2 instance", 1); len(hits) != 1 || hits[0].Action.FullName() != "ec2:RebootInstances" {
		t.Errorf("Search(reboot an EC2 instance) = %v", hits)
	}
}

// TestOpenSearchIndexRejectsDamage: a truncated or foreign file is an
// error, not a panic.
func TestOpenSearchIndexRejectsDamage(t *testing.T) {
	t.Parallel()
	cat := catalog.Default()
	for name, data := range map[string]string{
		"empty":          "",
		"foreign":        "not an index",
		"magic only":     searchIndexMagic,
		"header only":    embeddedIndex[:len(searchIndexMagic)+30],
		"no term tables": embeddedIndex[:len(searchIndexMagic)+40+2*cat.NumActions()],
	} {
		if _, err := openSearchIndex(data, cat); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
}
