package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// checkpointEvery is how often the checkpointer copies committed WAL
// frames into the database file.
const checkpointEvery = 200 * time.Millisecond

// openCheckpointer opens the checkpointer's own connection. The writer's
// wal_autocheckpoint stays as a backstop (it alone can restart the WAL
// under constant load), but finds most frames already copied, so the
// copying and the database fsync run here, beside the writer, instead of
// inside the commit that every waiting request depends on.
func (s *Store) openCheckpointer(path string) error {
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return fmt.Errorf("open checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(0)
	s.cdb = db
	return nil
}

// runCheckpoints is the checkpointer goroutine, owned by the Store and
// stopped by Close. PASSIVE never waits for the writer or the readers.
func (s *Store) runCheckpoints() {
	defer close(s.cpDone)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // ends with runCheckpoints: cancel closes ctx.Done
		select {
		case <-s.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := s.cdb.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil && ctx.Err() == nil {
				s.log.Warn("sqlite background checkpoint failed", "err", err)
			}
		}
	}
}
