package cli

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the raw driver, to tamper with a store
)

func openRawSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestAuditOnEmptyStore(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "gate.db")
	out, _, code := execGate(t, "audit", "verify", "--db", db)
	if code != 0 || !strings.Contains(out, "audit log intact: 0 records, head #0 0000") {
		t.Fatalf("exit %d %s", code, out)
	}
	out, _, code = execGate(t, "audit", "log", "--db", db, "--format", "json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("exit %d %q", code, out)
	}
	if _, errOut, code := execGate(t, "audit", "log", "--db", db, "--format", "yaml"); code != 2 {
		t.Fatalf("bad format: exit %d %s", code, errOut)
	}
}

func TestAuditDetectsRemovedRecords(t *testing.T) {
	t.Parallel()
	e := newGateEnv(t)
	for i := 0; i < 2; i++ {
		if _, errOut, code := e.run(t, "change", "plan", filepath.Join("testdata", "gate", "s3-fileupload.yaml")); code != 0 {
			t.Fatal(errOut)
		}
	}
	db := openRawSQLite(t, e.db)
	db.Exec(`DELETE FROM audit_log WHERE seq = 2`)
	db.Exec(`DELETE FROM audit_log WHERE seq = 4`)
	db.Close()
	out, _, code := execGate(t, "audit", "verify", "--db", e.db)
	if code != 1 || !strings.Contains(out, "record 2: removed: record 2 is missing") || !strings.Contains(out, "record 4: removed") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}
