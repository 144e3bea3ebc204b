package gate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/internal/gate/apply"
	"github.com/iamguard/iamguard/internal/gate/store"
)

// testConfig is seed 001's rules with the environments of its team: dev
// (aws-dev) and prod (aws-prod), MFA for production approvals, dev first.
func testConfig() *config.Config {
	c := config.Default()
	c.Project = "SynthCore"
	c.Environments = map[string]config.Environment{
		"dev":  {TagValue: "development", Account: "111111111111", Region: "us-east-1", Profile: "aws-dev"},
		"prod": {Production: true, TagValue: "production", Account: "222222222222", Region: "us-east-1", Profile: "aws-prod"},
	}
	c.MFA.RequireForProduction = true
	c.Promotion.RequireDev = true
	return c
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type testGate struct {
	*Gate
	clock *clock
	st    store.Store
}

func newTestGate(t testing.TB, cfg *config.Config) *testGate {
	t.Helper()
	return newTestGateOn(t, cfg, openSQLite(t))
}

func openSQLite(t testing.TB) store.Store {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "gate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newTestGateOn(t testing.TB, cfg *config.Config, st store.Store) *testGate {
	t.Helper()
	if cfg == nil {
		cfg = testConfig()
	}
	clk := &clock{t: time.Date(2025, 11, 2, 9, 30, 0, 0, time.UTC)}
	g := New(st, cfg, Options{Scanner: BasicScanner{}, Now: clk.Now})
	return &testGate{Gate: g, clock: clk, st: st}
}

func readChange(t testing.TB, name string) *Change {
	t.Helper()
	path := filepath.Join("testdata", "changes", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseChange(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustChange(t testing.TB, src string) *Change {
	t.Helper()
	c, err := ParseChange("change.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (g *testGate) plan(t testing.TB, c *Change) *Plan {
	t.Helper()
	p, err := g.Plan(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// wantRefusal checks err is a refusal with the code, and that the refusal
// was written to the audit log.
func (g *testGate) wantRefusal(t testing.TB, err error, code string) {
	t.Helper()
	var r *Refusal
	if !errors.As(err, &r) {
		t.Fatalf("got %v, want refusal %s", err, code)
	}
	if r.Code != code {
		t.Fatalf("refusal %s (%s), want %s", r.Code, r.Message, code)
	}
	if !errors.Is(err, ErrRefused) {
		t.Errorf("errors.Is(err, ErrRefused) is false")
	}
	var last store.Record
	g.st.Records(context.Background(), store.AuditQuery{}, func(rec store.Record) error { last = rec; return nil })
	var detail struct{ Code string }
	json.Unmarshal(last.Detail, &detail)
	if last.Event != "refuse" || detail.Code != code {
		t.Errorf("last audit record is %s %s, want the refusal %s", last.Event, last.Detail, code)
	}
}

// recordingApplier stands in for AWS in workflow tests: it records what it
// was asked to apply.
type recordingApplier struct {
	mu   sync.Mutex
	reqs []apply.Request
	err  error
}

func (a *recordingApplier) Apply(_ context.Context, req apply.Request) (*apply.Result, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reqs = append(a.reqs, req)
	if a.err != nil {
		return &apply.Result{}, a.err
	}
	return &apply.Result{Calls: []apply.Call{{API: "test:Apply"}}, Identifier: "id-" + req.ChangeID}, nil
}

func auditEvents(t testing.TB, st store.Store, changeID string) string {
	t.Helper()
	var ev []string
	st.Records(context.Background(), store.AuditQuery{ChangeID: changeID}, func(r store.Record) error {
		ev = append(ev, r.Event)
		return nil
	})
	return strings.Join(ev, " ")
}

// postgresTestURL gives a fresh schema on the CI PostgreSQL, or skips.
func postgresTestURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("IAMGUARD_TEST_POSTGRES")
	if base == "" {
		t.Skip("IAMGUARD_TEST_POSTGRES is not set: the gate is not tested on PostgreSQL here (CI sets it with .ci/postgres.sh)")
	}
	admin, err := store.OpenPostgres(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	admin.Close()
	schema := fmt.Sprintf("gate_%d", time.Now().UnixNano())
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}
