package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SQL the writer runs for every write; prepared once at Open so that the
// writer, the bottleneck of the store, does not parse it again per write.
const (
	sqlSavepoint  = `SAVEPOINT op`
	sqlRollbackTo = `ROLLBACK TO op`
	sqlRelease    = `RELEASE op`
)

var hotWrites = []string{
	sqlSavepoint, sqlRollbackTo, sqlRelease,
	insertReport, updateReport, selectReportByKey, insertEvent,
}

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
