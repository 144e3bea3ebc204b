package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// opener makes a fresh, empty store for one test.
type opener func(t testing.TB) *sqlStore

func openTestSQLite(t testing.TB) *sqlStore {
	t.Helper()
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "gate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.(*sqlStore)
}

// postgresURL is the server CI starts with .ci/postgres.sh.
func postgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("IAMGUARD_TEST_POSTGRES")
	if u == "" {
		t.Skip("IAMGUARD_TEST_POSTGRES is not set: the PostgreSQL store is not tested here (CI sets it with .ci/postgres.sh)")
	}
	return u
}

// openTestPostgres gives each test its own schema, so tests run in
// parallel on one database and leave nothing behind.
func openTestPostgres(t testing.TB) *sqlStore {
	t.Helper()
	base := postgresURL(t)
	schemaName := "t_" + randomHex(8)
	admin, err := OpenPostgres(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	adb := admin.(*sqlStore).db
	if _, err := adb.Exec(`CREATE SCHEMA ` + schemaName); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		adb.Exec(`DROP SCHEMA ` + schemaName + ` CASCADE`)
		admin.Close()
	})
	s, err := OpenPostgres(context.Background(), withSearchPath(base, schemaName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.(*sqlStore)
}

func withSearchPath(url, schemaName string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schemaName
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// stores are the implementations every suite test runs on.
var stores = []struct {
	name string
	open opener
}{
	{"sqlite", openTestSQLite},
	{"postgres", openTestPostgres},
}

// eachStore runs one suite test on every store.
func eachStore(t *testing.T, test func(t *testing.T, s *sqlStore)) {
	t.Helper()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			test(t, st.open(t))
		})
	}
}

func rec(event, change, actor string) Record {
	return Record{Event: event, ChangeID: change, Actor: actor, ContentHash: strings.Repeat("ab", 32), Detail: json.RawMessage(`{"b": 2, "a": [1, "x"]}`)}
}

func appendN(t *testing.T, s Store, n int) []Record {
	t.Helper()
	var out []Record
	for i := 0; i < n; i++ {
		r, err := s.Append(context.Background(), rec("plan", fmt.Sprintf("chg-%d", i), "alice"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r...)
	}
	return out
}

func verify(t *testing.T, s Store) Report {
	t.Helper()
	rep, err := Verify(context.Background(), s, "")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAppendChainsRecords(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s *sqlStore) {
		ctx := context.Background()
		rep := verify(t, s)
		if !rep.OK || rep.Records != 0 || rep.HeadHash != GenesisHash {
			t.Fatalf("empty log: %+v", rep)
		}
		got := appendN(t, s, 5)
		batch, err := s.Append(ctx, rec("scan", "chg-x", "bob"), rec("approve", "chg-x", "carol"))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, batch...)
		prev := GenesisHash
		for i, r := range got {
			if r.Seq != int64(i+1) {
				t.Errorf("record %d has seq %d", i, r.Seq)
			}
			if r.PrevHash != prev {
				t.Errorf("record %d prev %s, want %s", r.Seq, r.PrevHash, prev)
			}
			if r.Hash != hashRecord(r) || len(r.Hash) != 64 {
				t.Errorf("record %d hash %s does not cover its content", r.Seq, r.Hash)
			}
			if string(r.Detail) != `{"a":[1,"x"],"b":2}` {
				t.Errorf("detail not canonical: %s", r.Detail)
			}
			if r.Time.IsZero() {
				t.Errorf("record %d has no time", r.Seq)
			}
			prev = r.Hash
		}
		// What is read back is exactly what was returned.
		var read []Record
		if err := s.Records(ctx, AuditQuery{}, func(r Record) error { read = append(read, r); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(read) != len(got) {
			t.Fatalf("read %d records, appended %d", len(read), len(got))
		}
		for i := range read {
			a, _ := json.Marshal(read[i])
			b, _ := json.Marshal(got[i])
			if string(a) != string(b) {
				t.Errorf("record %d read back as\n%s\nwant\n%s", i+1, a, b)
			}
		}
		rep = verify(t, s)
		if !rep.OK || rep.Records != 7 || rep.HeadSeq != 7 || rep.HeadHash != got[6].Hash {
			t.Fatalf("verify: %+v", rep)
		}
		// Filters.
		var forX []int64
		s.Records(ctx, AuditQuery{ChangeID: "chg-x"}, func(r Record) error { forX = append(forX, r.Seq); return nil })
		if fmt.Sprint(forX) != "[6 7]" {
			t.Errorf("records of chg-x: %v", forX)
		}
		var page []int64
		s.Records(ctx, AuditQuery{AfterSeq: 2, Limit: 3}, func(r Record) error { page = append(page, r.Seq); return nil })
		if fmt.Sprint(page) != "[3 4 5]" {
			t.Errorf("page: %v", page)
		}
	})
}

func TestAppendRejectsBadRecords(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s *sqlStore) {
		ctx := context.Background()
		if _, err := s.Append(ctx, Record{Actor: "a"}); err == nil {
			t.Error("a record without an event was appended")
		}
		if _, err := s.Append(ctx, Record{Event: "plan", Detail: json.RawMessage(`[1]`)}); err == nil {
			t.Error("a non-object detail was appended")
		}
		// A failed batch leaves nothing behind.
		if _, err := s.Append(ctx, rec("plan", "a", "b"), Record{}); err == nil {
			t.Error("batch with a bad record succeeded")
		}
		if rep := verify(t, s); rep.Records != 0 || !rep.OK {
			t.Errorf("failed appends left records: %+v", rep)
		}
	})
}

func TestChanges(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s *sqlStore) {
		ctx := context.Background()
		ch := ChangeRecord{ID: "chg-1", State: "planned", Environment: "dev", Requester: "alice", ContentHash: "h1", PromotionHash: "p1", Data: json.RawMessage(`{"x":1}`)}
		saved, recs, err := s.PutChange(ctx, ch, rec("plan", "chg-1", "alice"))
		if err != nil {
			t.Fatal(err)
		}
		if saved.Version != 1 || len(recs) != 1 || recs[0].Seq != 1 || saved.Created.IsZero() {
			t.Fatalf("insert: %+v %+v", saved, recs)
		}
		if _, _, err := s.PutChange(ctx, ch); !errors.Is(err, ErrExists) {
			t.Errorf("duplicate insert: %v, want ErrExists", err)
		}
		got, err := s.Change(ctx, "chg-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.State != "planned" || got.Version != 1 || string(got.Data) != `{"x":1}` || !got.Created.Equal(saved.Created) {
			t.Errorf("read back %+v", got)
		}
		got.State = "approved"
		upd, recs, err := s.PutChange(ctx, got, rec("approve", "chg-1", "bob"))
		if err != nil {
			t.Fatal(err)
		}
		if upd.Version != 2 || recs[0].Seq != 2 || !upd.Created.Equal(saved.Created) {
			t.Errorf("update: %+v %+v", upd, recs)
		}
		// A stale writer loses, and its audit record is not written.
		got.State = "rejected"
		if _, _, err := s.PutChange(ctx, got, rec("reject", "chg-1", "eve")); !errors.Is(err, ErrConflict) {
			t.Errorf("stale update: %v, want ErrConflict", err)
		}
		if rep := verify(t, s); rep.Records != 2 {
			t.Errorf("stale update left a record: %+v", rep)
		}
		if _, err := s.Change(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing change: %v", err)
		}
		if _, _, err := s.PutChange(ctx, ChangeRecord{ID: "nope", Version: 3}); !errors.Is(err, ErrNotFound) {
			t.Errorf("update of missing change: %v", err)
		}
		s.PutChange(ctx, ChangeRecord{ID: "chg-2", State: "applied", Environment: "dev", PromotionHash: "p2"})
		s.PutChange(ctx, ChangeRecord{ID: "chg-3", State: "applied", Environment: "prod", PromotionHash: "p2"})
		for _, tc := range []struct {
			f    ChangeFilter
			want string
		}{
			{ChangeFilter{}, "[chg-3 chg-2 chg-1]"},
			{ChangeFilter{State: "applied"}, "[chg-3 chg-2]"},
			{ChangeFilter{PromotionHash: "p2", Environment: "dev"}, "[chg-2]"},
			{ChangeFilter{Limit: 1}, "[chg-3]"},
		} {
			list, err := s.Changes(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range list {
				ids = append(ids, c.ID)
			}
			if fmt.Sprint(ids) != tc.want {
				t.Errorf("Changes(%+v) = %v, want %s", tc.f, ids, tc.want)
			}
		}
	})
}

func TestTokenKeyIsCreatedOnceAndShared(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s *sqlStore) {
		ctx := context.Background()
		var wg sync.WaitGroup
		keys := make([][]byte, 8)
		for i := range keys {
			wg.Go(func() {
				k, err := s.TokenKey(ctx)
				if err != nil {
					t.Error(err)
				}
				keys[i] = k
			})
		}
		wg.Wait()
		for i, k := range keys {
			if len(k) != 32 || string(k) != string(keys[0]) {
				t.Fatalf("key %d differs or is short (%d bytes)", i, len(k))
			}
		}
	})
}

// TestConcurrentAppendersNeverFork appends from several goroutines, each
// with its own connection pool (as separate processes would), and checks
// the chain is one line with no gaps.
func TestConcurrentAppendersNeverFork(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s *sqlStore) {
		ctx := context.Background()
		const writers, each = 4, 40
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			other := s
			if w > 0 {
				other = reopen(t, s)
			}
			wg.Go(func() {
				for i := 0; i < each; i++ {
					if _, err := other.Append(ctx, rec("plan", fmt.Sprintf("w%d-%d", w, i), "alice")); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		rep := verify(t, s)
		if !rep.OK || rep.Records != writers*each {
			t.Fatalf("after concurrent appends: %+v", rep)
		}
	})
}

// reopen opens a second handle (its own pool) on the same database.
func reopen(t testing.TB, s *sqlStore) *sqlStore {
	t.Helper()
	var (
		other Store
		err   error
	)
	switch s.Kind() {
	case "sqlite":
		var path string
		if err := s.db.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
			t.Fatal(err)
		}
		other, err = OpenSQLite(context.Background(), path)
	default:
		var schemaName string
		if err := s.db.QueryRow(`SELECT current_schema()`).Scan(&schemaName); err != nil {
			t.Fatal(err)
		}
		other, err = OpenPostgres(context.Background(), withSearchPath(postgresURL(t), schemaName))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other.(*sqlStore)
}

// TestVerifyFindsTampering edits the database behind the store's back and
// checks that verify names the record and what happened to it.
func TestVerifyFindsTampering(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// tamper changes the 6-record log with raw SQL.
		tamper []string
		want   []Problem // Seq and Kind; Message is checked to be non-empty
	}{
		{
			name:   "edited actor",
			tamper: []string{`UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`},
			want:   []Problem{{Seq: 3, Kind: "edited"}},
		},
		{
			name:   "edited detail",
			tamper: []string{`UPDATE audit_log SET detail = '{"a":[1,"x"],"b":3}' WHERE seq = 5`},
			want:   []Problem{{Seq: 5, Kind: "edited"}},
		},
		{
			name:   "edited time",
			tamper: []string{`UPDATE audit_log SET time = '2020-01-01T00:00:00.000000Z' WHERE seq = 1`},
			want:   []Problem{{Seq: 1, Kind: "edited"}},
		},
		{
			name: "edited and rehashed",
			// The forger recomputes record 2's own hash; record 3 still
			// points at the old one.
			tamper: []string{`-- rehash 2`},
			want:   []Problem{{Seq: 2, Kind: "edited"}},
		},
		{
			name:   "removed middle record",
			tamper: []string{`DELETE FROM audit_log WHERE seq = 4`},
			want:   []Problem{{Seq: 4, Kind: "removed"}},
		},
		{
			name:   "removed two records",
			tamper: []string{`DELETE FROM audit_log WHERE seq IN (2, 3)`},
			want:   []Problem{{Seq: 2, Kind: "removed"}},
		},
		{
			name:   "removed last record",
			tamper: []string{`DELETE FROM audit_log WHERE seq = 6`},
			want:   []Problem{{Seq: 6, Kind: "removed"}},
		},
		{
			name: "swapped two records",
			tamper: []string{
				`UPDATE audit_log SET seq = 100 WHERE seq = 3`,
				`UPDATE audit_log SET seq = 3 WHERE seq = 4`,
				`UPDATE audit_log SET seq = 4 WHERE seq = 100`,
			},
			want: []Problem{{Seq: 3, Kind: "reordered"}, {Seq: 4, Kind: "reordered"}, {Seq: 5, Kind: "reordered"}},
		},
		{
			name:   "renumbered after a removal",
			tamper: []string{`DELETE FROM audit_log WHERE seq = 6`, `UPDATE audit_log SET seq = 6 WHERE seq = 5`},
			want:   []Problem{{Seq: 6, Kind: "reordered"}, {Seq: 6, Kind: "head"}},
		},
		{
			name:   "head moved back",
			tamper: []string{`UPDATE audit_head SET seq = 5, hash = (SELECT hash FROM audit_log WHERE seq = 5)`},
			want:   []Problem{{Seq: 5, Kind: "head"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			eachStore(t, func(t *testing.T, s *sqlStore) {
				recs := appendN(t, s, 6)
				for _, stmt := range tc.tamper {
					if stmt == "-- rehash 2" {
						r := recs[1]
						r.Actor = "mallory"
						r.Hash = hashRecord(r)
						if _, err := s.db.Exec(s.q(`UPDATE audit_log SET actor = ?, hash = ? WHERE seq = 2`), r.Actor, r.Hash); err != nil {
							t.Fatal(err)
						}
						continue
					}
					if _, err := s.db.Exec(stmt); err != nil {
						t.Fatalf("%s: %v", stmt, err)
					}
				}
				rep := verify(t, s)
				if rep.OK {
					t.Fatalf("tampering went unnoticed: %+v", rep)
				}
				var got []Problem
				for _, p := range rep.Problems {
					if p.Message == "" {
						t.Errorf("problem without a message: %+v", p)
					}
					got = append(got, Problem{Seq: p.Seq, Kind: p.Kind})
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("problems %v, want %v\n%+v", got, tc.want, rep.Problems)
				}
			})
		})
	}
}

func TestVerifyAnchor(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s *sqlStore) {
		ctx := context.Background()
		recs := appendN(t, s, 4)
		rep, err := Verify(ctx, s, recs[2].Hash)
		if err != nil || !rep.OK || !rep.AnchorFound {
			t.Fatalf("anchored verify of an intact log: %+v %v", rep, err)
		}
		// Truncate to record 2 and forge a consistent head: only the anchor
		// notices.
		s.db.Exec(`DELETE FROM audit_log WHERE seq > 2`)
		s.db.Exec(s.q(`UPDATE audit_head SET seq = 2, hash = ?`), recs[1].Hash)
		if rep := verify(t, s); !rep.OK {
			t.Fatalf("without an anchor a consistent truncation is not detectable, got %+v", rep)
		}
		rep, err = Verify(ctx, s, recs[2].Hash)
		if err != nil || rep.OK || rep.AnchorFound || rep.Problems[0].Kind != "anchor" {
			t.Fatalf("anchored verify of a truncated log: %+v %v", rep, err)
		}
	})
}

func TestOpenDispatch(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "dir", "gate.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Kind() != "sqlite" {
		t.Errorf("kind %s", s.Kind())
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("store file mode %v: the token key must not be readable by others", perm)
	}
	if _, err := OpenSQLite(context.Background(), "a?b.db"); err == nil {
		t.Error("a path with '?' was accepted")
	}
	if !IsPostgresURL("postgresql://x/y") || IsPostgresURL("/tmp/postgres.db") {
		t.Error("IsPostgresURL")
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data/home")
	p, err := DefaultPath()
	if err != nil || p != "/data/home/iamguard/gate.db" {
		t.Errorf("DefaultPath with XDG_DATA_HOME = %q, %v", p, err)
	}
	t.Setenv("XDG_DATA_HOME", "")
	p, err = DefaultPath()
	if err != nil || !strings.HasSuffix(p, filepath.Join("iamguard", "gate.db")) {
		t.Errorf("DefaultPath = %q, %v", p, err)
	}
}

func TestStoreTimeIsMicroseconds(t *testing.T) {
	t.Parallel()
	s := openTestSQLite(t)
	at := time.Date(2025, 11, 2, 10, 0, 0, 123456789, time.FixedZone("x", 3600))
	r := rec("plan", "c", "a")
	r.Time = at
	out, err := s.Append(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if got := formatTime(out[0].Time); got != "2025-11-02T09:00:00.123456Z" {
		t.Errorf("time stored as %s", got)
	}
}

// TestGroupCommit has many goroutines share one store, some of them with
// bad records: the bad ones fail alone, the others all commit, and the
// chain stays one line.
func TestGroupCommit(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s *sqlStore) {
		ctx := context.Background()
		const writers, each = 16, 20
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			seqs = map[int64]bool{}
			bad  int
		)
		for w := 0; w < writers; w++ {
			wg.Go(func() {
				for i := 0; i < each; i++ {
					r := rec("plan", fmt.Sprintf("w%d-%d", w, i), "alice")
					wantErr := (w+i)%7 == 0
					if wantErr {
						r.Detail = json.RawMessage(`"not an object"`)
					}
					out, err := s.Append(ctx, r)
					mu.Lock()
					switch {
					case wantErr && err == nil:
						t.Errorf("bad record w%d-%d was appended", w, i)
					case wantErr:
						bad++
					case err != nil:
						t.Errorf("w%d-%d: %v", w, i, err)
					default:
						if seqs[out[0].Seq] {
							t.Errorf("seq %d handed out twice", out[0].Seq)
						}
						seqs[out[0].Seq] = true
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		rep := verify(t, s)
		if !rep.OK || rep.Records != int64(writers*each-bad) || int(rep.Records) != len(seqs) {
			t.Fatalf("after grouped appends (%d bad): %+v", bad, rep)
		}
		// A writer whose context is already cancelled writes nothing.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Append(cctx, rec("plan", "x", "y")); err == nil {
			t.Error("append with a cancelled context succeeded")
		}
	})
}
