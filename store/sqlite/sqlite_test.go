package sqlite

import (
	"log/slog"
	"testing"

	"phananh/feedback"
	"phananh/store/storetest"
)

// MustOpen opens a store in a fresh temporary directory, closed when tb ends.
func MustOpen(tb testing.TB, opts ...Option) *Store {
	tb.Helper()
	return mustOpenDir(tb, tb.TempDir(), opts...)
}

// mustOpenDir opens the store in dir, closed when tb ends.
func mustOpenDir(tb testing.TB, dir string, opts ...Option) *Store {
	tb.Helper()
	opts = append([]Option{WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	s, err := Open(tb.Context(), dir, opts...)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) feedback.Store { return MustOpen(t) },
		storetest.Caps{AtomicConcurrentUpdates: true, AtomicStateClaims: true})
}

func TestContractWithoutBatching(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: the batched run covers the contract")
	}
	storetest.Run(t, func(t *testing.T) feedback.Store { return MustOpen(t, withMaxBatch(1)) },
		storetest.Caps{AtomicConcurrentUpdates: true, AtomicStateClaims: true})
}
