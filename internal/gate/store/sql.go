package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dialect is what differs between the SQL databases behind sqlStore.
type dialect struct {
	kind string
	// placeholders rewrites "?" placeholders for the driver.
	placeholders func(string) string
	// lockHead is appended to the SELECT of the chain head inside an append
	// transaction ("FOR UPDATE" on PostgreSQL; SQLite's BEGIN IMMEDIATE
	// already holds the database's write lock).
	lockHead string
	// isUniqueViolation recognises a duplicate-key insert.
	isUniqueViolation func(error) bool
	// retryable recognises an error worth retrying the whole transaction
	// for (serialization failures, deadlocks, a busy database).
	retryable func(error) bool
}

// sqlStore is the Store over database/sql, shared by SQLite and PostgreSQL.
type sqlStore struct {
	db *sql.DB
	d  dialect
	// now is the clock for record and change times (tests may pin it).
	now   func() time.Time
	group groupCommit
}

// schema is the same for both databases: times are fixed-width text (see
// timeLayout) and hashes are hex text, so nothing is reformatted by a
// driver between what was hashed and what is read back.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS audit_log (
		seq          BIGINT PRIMARY KEY,
		time         TEXT NOT NULL,
		event        TEXT NOT NULL,
		change_id    TEXT NOT NULL,
		actor        TEXT NOT NULL,
		content_hash TEXT NOT NULL,
		detail       TEXT NOT NULL,
		prev_hash    TEXT NOT NULL,
		hash         TEXT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS audit_log_change ON audit_log (change_id, seq)`,
	// audit_head holds the last record's seq and hash: the row every append
	// locks (so concurrent appenders take turns and never fork the chain),
	// and the witness that detects records removed from the end.
	`CREATE TABLE IF NOT EXISTS audit_head (
		id   INTEGER PRIMARY KEY CHECK (id = 1),
		seq  BIGINT NOT NULL,
		hash TEXT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS changes (
		id             TEXT PRIMARY KEY,
		state          TEXT NOT NULL,
		environment    TEXT NOT NULL,
		requester      TEXT NOT NULL,
		content_hash   TEXT NOT NULL,
		promotion_hash TEXT NOT NULL,
		version        BIGINT NOT NULL,
		created        TEXT NOT NULL,
		updated        TEXT NOT NULL,
		data           TEXT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS changes_promotion ON changes (promotion_hash, state)`,
	`CREATE TABLE IF NOT EXISTS gate_meta (
		name  TEXT PRIMARY KEY,
		value TEXT NOT NULL
	)`,
	`INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '` + GenesisHash + `') ON CONFLICT (id) DO NOTHING`,
}

func (s *sqlStore) Kind() string { return s.d.kind }

func (s *sqlStore) Close() error { return s.db.Close() }

func (s *sqlStore) q(query string) string { return s.d.placeholders(query) }

// inTx runs fn in a transaction, retrying a few times on errors the
// database says are transient.
func (s *sqlStore) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		err = s.tryTx(ctx, fn)
		if err == nil || !s.d.retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	return err
}

func (s *sqlStore) tryTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *sqlStore) Append(ctx context.Context, recs ...Record) ([]Record, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	var out []Record
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.appendTx(ctx, tx, recs)
		return err
	})
	return out, err
}

// appendTx chains recs after the current head inside tx.
func (s *sqlStore) appendTx(ctx context.Context, tx *sql.Tx, recs []Record) ([]Record, error) {
	var (
		seq  int64
		prev string
	)
	if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+s.d.lockHead).Scan(&seq, &prev); err != nil {
		return nil, fmt.Errorf("read audit head: %w", err)
	}
	out := make([]Record, 0, len(recs))
	now := s.now().UTC().Truncate(time.Microsecond)
	for _, r := range recs {
		if r.Event == "" {
			return nil, errors.New("audit record needs an event")
		}
		detail, err := canonicalDetail(r.Detail)
		if err != nil {
			return nil, err
		}
		r.Detail = detail
		if r.Time.IsZero() {
			r.Time = now
		}
		r.Time = r.Time.UTC().Truncate(time.Microsecond)
		seq++
		r.Seq = seq
		r.PrevHash = prev
		r.Hash = hashRecord(r)
		prev = r.Hash
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_log (seq, time, event, change_id, actor, content_hash, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			r.Seq, formatTime(r.Time), r.Event, r.ChangeID, r.Actor, r.ContentHash, string(r.Detail), r.PrevHash, r.Hash); err != nil {
			return nil, fmt.Errorf("append audit record: %w", err)
		}
		out = append(out, r)
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`), seq, prev); err != nil {
		return nil, fmt.Errorf("move audit head: %w", err)
	}
	return out, nil
}

func (s *sqlStore) PutChange(ctx context.Context, ch ChangeRecord, recs ...Record) (ChangeRecord, []Record, error) {
	if ch.ID == "" {
		return ch, nil, errors.New("change needs an id")
	}
	var out []Record
	var saved ChangeRecord
	err := s.write(ctx, func(tx *sql.Tx) error {
		c := ch
		now := s.now().UTC().Truncate(time.Microsecond)
		c.Updated = now
		data := string(c.Data)
		if data == "" {
			data = "{}"
		}
		if c.Version == 0 {
			if c.Created.IsZero() {
				c.Created = now
			}
			c.Created = c.Created.UTC().Truncate(time.Microsecond)
			c.Version = 1
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO changes (id, state, environment, requester, content_hash, promotion_hash, version, created, updated, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				c.ID, c.State, c.Environment, c.Requester, c.ContentHash, c.PromotionHash, c.Version, formatTime(c.Created), formatTime(c.Updated), data)
			if err != nil {
				if s.d.isUniqueViolation(err) {
					return fmt.Errorf("change %s: %w", c.ID, ErrExists)
				}
				return err
			}
		} else {
			res, err := tx.ExecContext(ctx, s.q(`UPDATE changes SET state = ?, environment = ?, requester = ?, content_hash = ?, promotion_hash = ?, version = ?, updated = ?, data = ? WHERE id = ? AND version = ?`),
				c.State, c.Environment, c.Requester, c.ContentHash, c.PromotionHash, c.Version+1, formatTime(c.Updated), data, c.ID, c.Version)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n != 1 {
				var exists int
				if err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM changes WHERE id = ?`), c.ID).Scan(&exists); errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("change %s: %w", c.ID, ErrNotFound)
				}
				return fmt.Errorf("change %s: %w", c.ID, ErrConflict)
			}
			c.Version++
			// The creation time is the stored one, not the caller's copy.
			var created string
			if err := tx.QueryRowContext(ctx, s.q(`SELECT created FROM changes WHERE id = ?`), c.ID).Scan(&created); err != nil {
				return err
			}
			if t, err := parseTime(created); err == nil {
				c.Created = t
			}
		}
		c.Data = []byte(data)
		if len(recs) > 0 {
			var err error
			out, err = s.appendTx(ctx, tx, recs)
			if err != nil {
				return err
			}
		}
		saved = c
		return nil
	})
	if err != nil {
		return ch, nil, err
	}
	return saved, out, nil
}

const changeColumns = `id, state, environment, requester, content_hash, promotion_hash, version, created, updated, data`

type rowScanner interface{ Scan(...any) error }

func scanChange(row rowScanner) (ChangeRecord, error) {
	var (
		c                ChangeRecord
		created, updated string
		data             string
	)
	if err := row.Scan(&c.ID, &c.State, &c.Environment, &c.Requester, &c.ContentHash, &c.PromotionHash, &c.Version, &created, &updated, &data); err != nil {
		return c, err
	}
	var err error
	if c.Created, err = parseTime(created); err != nil {
		return c, fmt.Errorf("change %s: bad created time %q", c.ID, created)
	}
	if c.Updated, err = parseTime(updated); err != nil {
		return c, fmt.Errorf("change %s: bad updated time %q", c.ID, updated)
	}
	c.Data = []byte(data)
	return c, nil
}

func (s *sqlStore) Change(ctx context.Context, id string) (ChangeRecord, error) {
	c, err := scanChange(s.db.QueryRowContext(ctx, s.q(`SELECT `+changeColumns+` FROM changes WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("change %s: %w", id, ErrNotFound)
	}
	return c, err
}

func (s *sqlStore) Changes(ctx context.Context, f ChangeFilter) ([]ChangeRecord, error) {
	var (
		where []string
		args  []any
	)
	for _, cond := range []struct{ col, v string }{{"state", f.State}, {"environment", f.Environment}, {"promotion_hash", f.PromotionHash}} {
		if cond.v != "" {
			where = append(where, cond.col+" = ?")
			args = append(args, cond.v)
		}
	}
	query := `SELECT ` + changeColumns + ` FROM changes`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY created DESC, id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ChangeRecord
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *sqlStore) Records(ctx context.Context, q AuditQuery, fn func(Record) error) error {
	query := `SELECT seq, time, event, change_id, actor, content_hash, detail, prev_hash, hash FROM audit_log WHERE seq > ?`
	args := []any{q.AfterSeq}
	if q.ChangeID != "" {
		query += ` AND change_id = ?`
		args = append(args, q.ChangeID)
	}
	query += ` ORDER BY seq`
	if q.Limit > 0 {
		query += ` LIMIT ` + strconv.Itoa(q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r      Record
			t      string
			detail string
		)
		if err := rows.Scan(&r.Seq, &t, &r.Event, &r.ChangeID, &r.Actor, &r.ContentHash, &detail, &r.PrevHash, &r.Hash); err != nil {
			return err
		}
		// An unparsable time is kept as the zero time: Verify then reports
		// the record as edited rather than failing to read the log.
		r.Time, _ = parseTime(t)
		r.Detail = []byte(detail)
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *sqlStore) Head(ctx context.Context) (int64, string, error) {
	var (
		seq  int64
		hash string
	)
	err := s.db.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
	return seq, hash, err
}

const tokenKeyName = "token-key"

func (s *sqlStore) TokenKey(ctx context.Context) ([]byte, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT value FROM gate_meta WHERE name = ?`), tokenKeyName).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		// Two processes may race to create the key: the first insert wins
		// and both read back the winner.
		if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO gate_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`), tokenKeyName, hex.EncodeToString(key)); err != nil {
			return nil, fmt.Errorf("create token key: %w", err)
		}
		err = s.db.QueryRowContext(ctx, s.q(`SELECT value FROM gate_meta WHERE name = ?`), tokenKeyName).Scan(&v)
	}
	if err != nil {
		return nil, fmt.Errorf("read token key: %w", err)
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 32 {
		return nil, errors.New("the stored token key is damaged")
	}
	return key, nil
}

// questionMarks keeps "?" placeholders (SQLite).
func questionMarks(q string) string { return q }

// dollarNumbers rewrites "?" placeholders to $1, $2… (PostgreSQL). Our
// queries never contain a literal "?".
func dollarNumbers(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
