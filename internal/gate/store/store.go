// Package store keeps the change gate's state: an append-only, hash-chained
// audit log, the change requests with their state, and the secret key that
// signs gate tokens. Two implementations share one SQL core and one test
// suite: SQLite (embedded, the default) and PostgreSQL (for teams).
package store

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Errors a Store returns; callers test them with errors.Is.
var (
	// ErrNotFound: no change with that id.
	ErrNotFound = errors.New("not found")
	// ErrExists: a change with that id already exists.
	ErrExists = errors.New("already exists")
	// ErrConflict: the change was updated by someone else since it was read
	// (its version moved on); read it again and retry.
	ErrConflict = errors.New("changed concurrently")
)

// Record is one entry of the audit log. Seq, PrevHash and Hash are assigned
// by the store when the record is appended; Time is set to now when zero.
type Record struct {
	Seq         int64     `json:"seq"`
	Time        time.Time `json:"time"`
	Event       string    `json:"event"`
	ChangeID    string    `json:"changeId,omitempty"`
	Actor       string    `json:"actor"`
	ContentHash string    `json:"contentHash,omitempty"`
	// Detail is a JSON object with the event's particulars; the store keeps
	// it in canonical form (sorted keys, no spaces) so the hash is stable.
	Detail   json.RawMessage `json:"detail,omitempty"`
	PrevHash string          `json:"prevHash"`
	Hash     string          `json:"hash"`
}

// ChangeRecord is one change request as stored. The gate owns the meaning of
// State and Data; the store indexes the other fields.
type ChangeRecord struct {
	ID            string `json:"id"`
	State         string `json:"state"`
	Environment   string `json:"environment"`
	Requester     string `json:"requester"`
	ContentHash   string `json:"contentHash"`
	PromotionHash string `json:"promotionHash"`
	// Version counts updates: 1 after the insert. PutChange with Version 0
	// inserts; with Version n it updates only if the stored version is n.
	Version int64           `json:"version"`
	Created time.Time       `json:"created"`
	Updated time.Time       `json:"updated"`
	Data    json.RawMessage `json:"data"`
}

// ChangeFilter selects changes; empty fields match anything.
type ChangeFilter struct {
	State         string
	Environment   string
	PromotionHash string
	// Limit caps the result (newest first); 0 means no cap.
	Limit int
}

// AuditQuery selects audit records in chain order.
type AuditQuery struct {
	ChangeID string // only this change's records
	AfterSeq int64  // records with Seq > AfterSeq
	Limit    int    // 0: no cap
}

// Store is the gate's persistence. Implementations are safe for concurrent
// use by goroutines and by several processes sharing one database.
type Store interface {
	// Append adds records to the audit log in one transaction and returns
	// them with Seq, Time, PrevHash and Hash filled in.
	Append(ctx context.Context, recs ...Record) ([]Record, error)
	// PutChange inserts (Version 0) or updates (Version = the version read)
	// a change and appends recs, all in one transaction: a state change is
	// never committed without its audit record, nor the reverse.
	PutChange(ctx context.Context, ch ChangeRecord, recs ...Record) (ChangeRecord, []Record, error)
	// Change returns one change, or ErrNotFound.
	Change(ctx context.Context, id string) (ChangeRecord, error)
	// Changes lists changes, newest first.
	Changes(ctx context.Context, f ChangeFilter) ([]ChangeRecord, error)
	// Records calls fn for each selected audit record in chain order, as
	// stored (nothing recomputed), stopping at fn's first error.
	Records(ctx context.Context, q AuditQuery, fn func(Record) error) error
	// Head is the last record's sequence number and hash as kept beside the
	// log (0 and GenesisHash for an empty log).
	Head(ctx context.Context) (seq int64, hash string, err error)
	// TokenKey returns the secret that signs gate tokens, creating it (32
	// random bytes) on first use. Every process sharing the store gets the
	// same key.
	TokenKey(ctx context.Context) ([]byte, error)
	// Kind is "sqlite" or "postgres".
	Kind() string
	Close() error
}

// Open opens the store named by dsn: a postgres:// or postgresql:// URL opens
// PostgreSQL, anything else is a SQLite file path ("" means DefaultPath).
func Open(ctx context.Context, dsn string) (Store, error) {
	if IsPostgresURL(dsn) {
		return OpenPostgres(ctx, dsn)
	}
	if dsn == "" {
		p, err := DefaultPath()
		if err != nil {
			return nil, err
		}
		dsn = p
	}
	return OpenSQLite(ctx, dsn)
}

// IsPostgresURL reports whether dsn names a PostgreSQL database.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// DefaultPath is where the embedded store lives: $XDG_DATA_HOME/iamguard/
// gate.db, else ~/.local/share/iamguard/gate.db on Unix, else the user
// configuration directory (os.UserConfigDir) + iamguard/gate.db.
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "iamguard", "gate.db"), nil
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" && runtime.GOOS != "plan9" {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "share", "iamguard", "gate.db"), nil
		}
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "iamguard", "gate.db"), nil
}
