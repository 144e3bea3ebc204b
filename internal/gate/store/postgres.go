package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// schemaLockID is the advisory lock key that serialises schema creation:
// CREATE TABLE IF NOT EXISTS is not safe against itself on PostgreSQL.
const schemaLockID = 0x1a_9a_4d_00_6a_7e

// OpenPostgres opens the team store at a postgres:// URL, creating its
// tables on first use. Appends lock the chain head row (SELECT … FOR
// UPDATE) so concurrent appenders, in any process, take turns and never fork
// the chain.
func OpenPostgres(ctx context.Context, url string) (Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	db.SetMaxOpenConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &sqlStore{db: db, now: time.Now, d: dialect{
		kind:              "postgres",
		placeholders:      dollarNumbers,
		lockHead:          " FOR UPDATE",
		isUniqueViolation: pgUniqueViolation,
		retryable:         pgRetryable,
	}}
	if err := s.migratePostgres(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	return s, nil
}

func (s *sqlStore) migratePostgres(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(schemaLockID)); err != nil {
			return err
		}
		for _, stmt := range schema {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func pgUniqueViolation(err error) bool { return pgCode(err) == "23505" }

// pgRetryable: serialization failure and deadlock.
func pgRetryable(err error) bool {
	switch pgCode(err) {
	case "40001", "40P01":
		return true
	}
	return false
}
