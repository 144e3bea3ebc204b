package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// groupCommit coalesces concurrent writes from one process into a single
// transaction, so one durable commit (one fsync) carries many audit records.
// A durable commit costs a few milliseconds on an ordinary disk; without
// grouping, the log could never take more appends per second than the disk
// takes fsyncs. Each write runs under its own savepoint, so one that fails
// rolls back alone and the others still commit.
//
// There is no background goroutine: the first writer to find no commit in
// progress becomes the leader and commits batches until the queue is empty.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*groupJob
	leading bool
}

type groupJob struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	done chan error
}

// maxGroup bounds one transaction, so a burst cannot hold the write lock
// for long.
const maxGroup = 512

// write runs fn inside a transaction shared with other concurrent writes
// and returns once that transaction committed (nil) or fn's part of it was
// rolled back (fn's error, or the commit's).
func (s *sqlStore) write(ctx context.Context, fn func(*sql.Tx) error) error {
	job := &groupJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, job)
	if g.leading {
		g.mu.Unlock()
		return <-job.done
	}
	g.leading = true
	g.mu.Unlock()
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroup)
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		if len(batch) == 0 {
			g.leading = false
			g.mu.Unlock()
			break
		}
		g.mu.Unlock()
		s.commitBatch(batch)
	}
	return <-job.done
}

// commitBatch runs a batch in one transaction, retrying the whole batch
// when the database reports a transient failure.
func (s *sqlStore) commitBatch(batch []*groupJob) {
	var (
		errs []error
		err  error
	)
	for attempt := 0; attempt < 8; attempt++ {
		errs, err = s.tryBatch(batch)
		if err == nil || !s.d.retryable(err) {
			break
		}
	}
	for i, job := range batch {
		switch {
		case err != nil:
			job.done <- err
		default:
			job.done <- errs[i]
		}
	}
}

// tryBatch returns each job's own error, or one error for the whole
// transaction (begin or commit failed: nothing was written).
func (s *sqlStore) tryBatch(batch []*groupJob) ([]error, error) {
	// The transaction outlives any one writer's context: a writer that
	// gives up must not abort the others' commit.
	ctx := context.WithoutCancel(batch[0].ctx)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(batch))
	if len(batch) == 1 {
		job := batch[0]
		if err := job.ctx.Err(); err != nil {
			_ = tx.Rollback()
			return []error{err}, nil
		}
		if err := job.fn(tx); err != nil {
			_ = tx.Rollback()
			return []error{err}, nil
		}
		return errs, tx.Commit()
	}
	for i, job := range batch {
		if err := job.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		sp := fmt.Sprintf("w%d", i)
		if _, err := tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
			_ = tx.Rollback()
			return nil, err
		}
		if err := job.fn(tx); err != nil {
			errs[i] = err
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+sp); rerr != nil {
				_ = tx.Rollback()
				return nil, rerr
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT "+sp); err != nil {
			_ = tx.Rollback()
			return nil, err
		}
	}
	return errs, tx.Commit()
}
