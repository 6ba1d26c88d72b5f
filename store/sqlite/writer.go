package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"phananh/feedback"
)

// writeFunc is one write operation. It runs inside the writer's
// transaction, under its own savepoint, and must use the ctx it is given
// (not the caller's: a cancelled request must not interrupt a shared batch).
// Returning an error rolls back only this operation.
type writeFunc func(ctx context.Context, tx *sql.Tx) error

// writeOp is a queued write and where to send its outcome.
type writeOp struct {
	ctx context.Context // the caller's; checked before the op starts
	fn  writeFunc
	res chan error // buffered: the writer never blocks on an answer
	// atomic ops run without a savepoint: fn promises that an error it
	// returns left nothing behind (a failed first statement, which SQLite
	// undoes itself) or is wrapped in errAbort (the batch then fails).
	atomic bool
}

// errClosed answers writes that arrive after Close.
var errClosed = &feedback.Error{
	Code: feedback.EUNAVAILABLE, Message: "Cơ sở dữ liệu đã đóng.", MessageEN: "Store is closed.",
}

// errAbort marks a failure that poisons the whole transaction (I/O error,
// savepoint failure): every op of the batch fails and nothing commits.
var errAbort = errors.New("sqlite: transaction aborted")

// defaultSweepEvery is how often the writer deletes expired state rows.
const defaultSweepEvery = 10 * time.Minute

// write runs fn through group commit and returns once the transaction that
// carried it has committed (nil) or fn's own error. It is the only way to
// write; every file of the package uses it.
func (s *Store) write(ctx context.Context, fn writeFunc) error {
	return s.enqueue(ctx, &writeOp{ctx: ctx, fn: fn})
}

// writeAtomic is write for an fn that keeps the atomic promise of writeOp:
// it saves the three savepoint statements, a fifth of an intake's SQL.
func (s *Store) writeAtomic(ctx context.Context, fn writeFunc) error {
	return s.enqueue(ctx, &writeOp{ctx: ctx, fn: fn, atomic: true})
}

// enqueue hands op to the writer and waits for its outcome.
func (s *Store) enqueue(ctx context.Context, op *writeOp) error {
	if err := ctx.Err(); err != nil {
		return unavailable(err)
	}
	op.res = make(chan error, 1)
	select {
	case s.ops <- op:
	case <-s.done:
		return errClosed
	case <-ctx.Done():
		return unavailable(ctx.Err())
	}
	// Once taken, the op is answered within one batch; waiting for the
	// answer even if ctx ends means the caller never reports a failure for
	// a write that committed.
	return <-op.res
}

// run is the writer goroutine, owned by the Store and stopped by Close.
func (s *Store) run() {
	defer close(s.done)
	sweep := time.NewTicker(s.sweepEvery)
	defer sweep.Stop()
	stats := time.NewTicker(statsFlushEvery)
	defer stats.Stop()
	batch := make([]*writeOp, 0, s.maxBatch)
	for {
		select {
		case op := <-s.ops:
			busy := len(batch) > 1 // the previous batch's size
			batch = s.gather(append(batch[:0], op), busy)
			s.commit(batch)
		case <-sweep.C:
			s.sweepState()
		case <-stats.C:
			if s.statsStaged.Load() {
				s.commit([]*writeOp{{ctx: context.Background(), res: make(chan error, 1), fn: flushOnly}})
			}
		case <-s.stop:
			// Writers already blocked on the queue are flushed, not refused.
			if batch = s.gather(batch[:0], len(batch) > 1); len(batch) > 0 {
				s.commit(batch)
			}
			return
		}
	}
}

// gatherWait is how long the writer waits for more writes before it
// commits a batch under concurrent load. A request goroutine that is
// about to enqueue wakes the parked writer at once, so the wait ends early
// whenever writes keep coming. bench intake (32 clients, alternating runs):
// waiting 300 µs gave 6,650–7,050 reports/s against 5,350–5,600 for a
// single runtime.Gosched (which queues the writer behind every runnable
// goroutine), and bigger batches: fewer fsyncs and hot index pages per
// report. 150 µs and 500 µs did less well.
const gatherWait = 300 * time.Microsecond

// gather adds every write already waiting, up to maxBatch. Under
// concurrent load (this batch carries more than one write, or busy: the
// previous one did) it then waits up to gatherWait in all for further
// writes; a lone write, the common case on a quiet day, is committed at
// once.
func (s *Store) gather(batch []*writeOp, busy bool) []*writeOp {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for len(batch) < s.maxBatch {
		select {
		case op := <-s.ops:
			batch = append(batch, op)
			continue
		default:
		}
		if len(batch) < 2 && !busy {
			return batch
		}
		if timer == nil {
			timer = time.NewTimer(gatherWait)
		}
		select {
		case op := <-s.ops:
			batch = append(batch, op)
		case <-timer.C:
			return batch
		}
	}
	return batch
}

// commit runs a batch in one IMMEDIATE transaction, each op under its own
// savepoint, commits once (one fsync) and answers every op.
func (s *Store) commit(batch []*writeOp) {
	ctx := context.Background()
	s.commits.Add(1)
	s.writes.Add(int64(len(batch)))
	errs := make([]error, len(batch))
	tx, err := s.wdb.BeginTx(ctx, nil) // _txlock=immediate: BEGIN IMMEDIATE
	if err != nil {
		s.log.Error("sqlite begin failed", "batch", len(batch), "err", err)
		s.resetConn(ctx)
		s.answerAll(batch, errs, feedback.Internal(fmt.Errorf("sqlite: begin: %w", err)))
		return
	}
	ok := 0
	for i, op := range batch {
		if err := op.ctx.Err(); err != nil {
			errs[i] = unavailable(err)
			continue
		}
		if !op.atomic && s.statsStaged.Load() {
			if err := s.flushStats(ctx, tx); err != nil {
				s.abort(tx, batch, errs, err)
				return
			}
		}
		errs[i] = s.runOp(ctx, tx, op, len(batch) > 1)
		if errors.Is(errs[i], errAbort) {
			s.abort(tx, batch, errs, errs[i])
			return
		}
		if errs[i] == nil {
			ok++
		}
	}
	if ok == 0 { // nothing to keep: skip the fsync
		tx.Rollback()             //nolint:errcheck
		s.statsStaged.Store(true) // a flush may have been undone
	} else if err := tx.Commit(); err != nil {
		s.log.Error("sqlite commit failed", "batch", len(batch), "err", err)
		s.resetConn(ctx)
		s.statsStaged.Store(true)
		s.answerAll(batch, errs, feedback.Internal(fmt.Errorf("sqlite: commit: %w", err)))
		return
	}
	for i, op := range batch {
		op.res <- errs[i]
	}
}

// abort rolls the whole batch back after err, which poisoned it.
func (s *Store) abort(tx *sql.Tx, batch []*writeOp, errs []error, err error) {
	tx.Rollback() //nolint:errcheck // the transaction is already unusable
	s.statsStaged.Store(true)
	s.answerAll(batch, errs, feedback.Internal(err))
}

// resetConn rolls back a transaction SQLite may have left open after a
// failed COMMIT (disk full, I/O error), so that the next batch can begin.
// "no transaction is active" is the expected answer and is ignored.
func (s *Store) resetConn(ctx context.Context) {
	s.wdb.ExecContext(ctx, `ROLLBACK`) //nolint:errcheck // see above
}

// answerAll fails every op of a batch that did not commit.
func (s *Store) answerAll(batch []*writeOp, errs []error, err error) {
	for i, op := range batch {
		if errs[i] == nil || errors.Is(errs[i], errAbort) {
			errs[i] = err
		}
		op.res <- errs[i]
	}
}

// runOp runs op under a savepoint (when it shares the transaction and is
// not atomic) so that its failure undoes only its own changes. A panic in
// fn is turned into an internal error rather than killing the writer; in an
// atomic op, whose changes cannot be undone alone, it aborts the batch.
func (s *Store) runOp(ctx context.Context, tx *sql.Tx, op *writeOp, shared bool) (err error) {
	if op.atomic {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%w: write panicked: %v", errAbort, p)
			}
		}()
		return op.fn(ctx, tx)
	}
	fn := op.fn
	if shared {
		if _, err := s.txExec(ctx, tx, sqlSavepoint); err != nil {
			return fmt.Errorf("%w: savepoint: %v", errAbort, err)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			err = feedback.Internal(fmt.Errorf("sqlite: write panicked: %v", p))
		}
		if !shared {
			return // the caller rolls the whole transaction back
		}
		if err != nil {
			if _, rerr := s.txExec(ctx, tx, sqlRollbackTo); rerr != nil {
				err = fmt.Errorf("%w: rollback to savepoint: %v (op error: %v)", errAbort, rerr, err)
				return
			}
		}
		if _, rerr := s.txExec(ctx, tx, sqlRelease); rerr != nil {
			err = fmt.Errorf("%w: release savepoint: %v", errAbort, rerr)
		}
	}()
	return fn(ctx, tx)
}

// sweepState deletes expired state rows in small batches, in the writer's
// own goroutine, so that the table does not grow without bound.
func (s *Store) sweepState() {
	now := s.now().UnixNano()
	op := &writeOp{ctx: context.Background(), res: make(chan error, 1), fn: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM state WHERE rowid IN
			(SELECT rowid FROM state WHERE expires_at <= ? LIMIT 10000)`, now)
		return err
	}}
	s.commit([]*writeOp{op})
	if err := <-op.res; err != nil {
		s.log.Error("sqlite state sweep failed", "err", err)
	}
}
