package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"phananh/feedback"
)

// putRow returns a write that stores key in state, then fails with err when
// err is set, so a rollback that forgets the savepoint would leave the row.
func putRow(key string, err error) writeFunc {
	return func(ctx context.Context, tx *sql.Tx) error {
		if _, e := tx.ExecContext(ctx, `INSERT INTO state (namespace, key, value) VALUES ('t', ?, x'00')`, key); e != nil {
			return e
		}
		if key == "panic-5" {
			panic("boom")
		}
		return err
	}
}

// blockWriter occupies the writer until the returned func is called, so
// that writes queued meanwhile are committed as one batch.
func blockWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	entered, gate := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.write(t.Context(), func(context.Context, *sql.Tx) error {
			close(entered)
			<-gate
			return nil
		})
	}()
	<-entered
	return func() {
		close(gate)
		if err := <-done; err != nil {
			t.Errorf("blocking write: %v", err)
		}
	}
}

func TestBatchFailuresRollBackOnlyThemselves(t *testing.T) {
	s := MustOpen(t)
	release := blockWriter(t, s)
	const n = 24
	errs := make([]error, n)
	var queued, wg sync.WaitGroup
	for i := range n {
		queued.Add(1)
		wg.Go(func() {
			var fail error
			if i%3 == 0 {
				fail = feedback.Conflict("xung đột", "conflict")
			}
			key := fmt.Sprintf("k-%d", i)
			if i == 5 {
				key = "panic-5"
			}
			queued.Done()
			errs[i] = s.write(t.Context(), putRow(key, fail))
		})
	}
	queued.Wait()
	before := s.commits.Load()
	release()
	wg.Wait()
	if batches := s.commits.Load() - before; batches >= n/2 {
		t.Errorf("%d writes took %d transactions; group commit should batch them", n, batches)
	}
	for i, err := range errs {
		stored := stateExists(t, s, fmt.Sprintf("k-%d", i))
		switch {
		case i == 5:
			if feedback.ErrorCode(err) != feedback.EINTERNAL || stateExists(t, s, "panic-5") {
				t.Errorf("panicking write: err %v, row kept %v", err, stateExists(t, s, "panic-5"))
			}
		case i%3 == 0:
			if feedback.ErrorCode(err) != feedback.ECONFLICT || stored {
				t.Errorf("failing write %d: err %v, row kept %v", i, err, stored)
			}
		case err != nil || !stored:
			t.Errorf("write %d: err %v, stored %v", i, err, stored)
		}
	}
}

func stateExists(t *testing.T, s *Store, key string) bool {
	t.Helper()
	var n int
	if err := s.rdb.QueryRow(`SELECT count(*) FROM state WHERE namespace = 't' AND key = ?`, key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestExpiredStateIsSwept(t *testing.T) {
	s := MustOpen(t, withSweepEvery(10*time.Millisecond))
	ctx := t.Context()
	if err := s.PutState(ctx, "t", "old", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutState(ctx, "t", "live", []byte("x"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for stateExists(t, s, "old") {
		if time.Now().After(deadline) {
			t.Fatal("expired row still stored after 5 s of sweeps")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !stateExists(t, s, "live") {
		t.Fatal("the sweep deleted a live row")
	}
}

func TestWriteWithEndedContext(t *testing.T) {
	s := MustOpen(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.write(ctx, putRow("cancelled", nil))
	if feedback.ErrorCode(err) != feedback.EUNAVAILABLE || stateExists(t, s, "cancelled") {
		t.Fatalf("write with a cancelled context: %v", err)
	}
}

func TestCloseDrainsAndRefuses(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Go(func() { errs[i] = s.write(t.Context(), putRow(fmt.Sprint("c-", i), nil)) })
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil && !errors.Is(err, errClosed) {
			t.Errorf("write %d during Close: %v", i, err)
		}
	}
	if err := s.write(t.Context(), putRow("late", nil)); !errors.Is(err, errClosed) {
		t.Errorf("write after Close: %v, want EUNAVAILABLE", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Ping(t.Context()); feedback.ErrorCode(err) != feedback.EUNAVAILABLE {
		t.Errorf("Ping after Close: %v", err)
	}
	reopened := mustOpenDir(t, dir)
	for i, err := range errs {
		if err == nil && !stateExists(t, reopened, fmt.Sprint("c-", i)) {
			t.Errorf("write %d was acknowledged before Close but is gone", i)
		}
	}
}
