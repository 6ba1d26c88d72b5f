package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// SQL the writer runs for every write; prepared once at Open so that the
// writer, the bottleneck of the store, does not parse it again per write.
const (
	sqlSavepoint  = `SAVEPOINT op`
	sqlRollbackTo = `ROLLBACK TO op`
	sqlRelease    = `RELEASE op`
)

var hotWrites = append([]string{
	sqlSavepoint, sqlRollbackTo, sqlRelease,
	insertReport, updateReport, selectReportByKey, insertStats, updateStats, moveStagedStats, clearStagedStats,
}, insertEventsN[1:]...)

// prepareWrites prepares hotWrites on the write connection. It runs before
// the writer starts, while that one connection is free.
func (s *Store) prepareWrites(ctx context.Context) error {
	s.wstmts = make(map[string]*sql.Stmt, len(hotWrites))
	for _, q := range hotWrites {
		st, err := s.wdb.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		s.wstmts[q] = st
	}
	return nil
}

func (s *Store) closeWrites() error {
	var errs []error
	for _, st := range s.wstmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}

// txExec runs query inside tx, through its prepared statement when it is
// one of hotWrites. Sibling files may use it or tx.ExecContext directly.
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st, ok := s.wstmts[query]; ok {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// txQueryRow is txExec for a query returning one row.
func (s *Store) txQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if st, ok := s.wstmts[query]; ok {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}

// maxReadStmts bounds the read statement cache; FindReports builds its SQL
// from a few dozen fragments, so the working set is small, but a bound
// keeps an unexpected variety from growing it forever.
const maxReadStmts = 256

// readStmts caches statements prepared on the read pool by their SQL text,
// so that hot reads (a report by code, events after a seq) skip parsing.
type readStmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// readStmt returns the cached statement for query, preparing it on first
// use; nil when the cache is full or preparing failed (the caller then
// runs the query unprepared and sees any error there).
func (s *Store) readStmt(ctx context.Context, query string) *sql.Stmt {
	s.rstmts.mu.Lock()
	st, ok := s.rstmts.m[query]
	full := len(s.rstmts.m) >= maxReadStmts
	s.rstmts.mu.Unlock()
	if ok || full {
		return st
	}
	// Prepared outside the lock: preparing may wait for a free connection,
	// and cached statements must stay usable meanwhile.
	st, err := s.rdb.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	s.rstmts.mu.Lock()
	defer s.rstmts.mu.Unlock()
	if s.rstmts.m == nil {
		s.rstmts.m = map[string]*sql.Stmt{}
	}
	if other, ok := s.rstmts.m[query]; ok { // another reader won the race
		st.Close()
		return other
	}
	s.rstmts.m[query] = st
	return st
}

func (s *Store) closeReads() error {
	s.rstmts.mu.Lock()
	defer s.rstmts.mu.Unlock()
	var errs []error
	for _, st := range s.rstmts.m {
		errs = append(errs, st.Close())
	}
	s.rstmts.m = nil
	return errors.Join(errs...)
}

// readQuery runs a query on the read pool through the statement cache.
func (s *Store) readQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := s.readStmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.rdb.QueryContext(ctx, query, args...)
}

// readAll is readQuery decoding every row with scan (scanReport,
// scanUser, ...); what names the record in errors. No rows give an empty,
// non-nil slice.
func readAll[T any](ctx context.Context, s *Store, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.readQuery(ctx, query, args...)
	if err != nil {
		return nil, dbError(err, what)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, dbError(err, what)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err, what)
	}
	return out, nil
}

// readRow is readQuery for at most one row.
func (s *Store) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := s.readStmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.rdb.QueryRowContext(ctx, query, args...)
}
