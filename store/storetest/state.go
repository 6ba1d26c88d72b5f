package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"phananh/feedback"
)

func (st suite) stateTests() []storeTest {
	return []storeTest{
		{"StateRoundTripAndExpiry", testState},
		{"StateClaimOnce", testStateClaim},
		{"StateClaimConcurrent", st.testStateClaimConcurrent},
	}
}

func wantState(t *testing.T, s feedback.Store, ns, key string, want []byte) {
	t.Helper()
	got, err := s.State(t.Context(), ns, key)
	if want == nil {
		wantCode(t, fmt.Sprintf("State(%s, %s)", ns, key), err, feedback.ENOTFOUND)
		return
	}
	must(t, "State", err)
	if !bytes.Equal(got, want) {
		t.Fatalf("State(%s, %s) = %q, want %q", ns, key, got, want)
	}
}

func testState(t *testing.T, s feedback.Store) {
	ctx := t.Context()
	wantState(t, s, "bot", "chat:1", nil)
	must(t, "PutState", s.PutState(ctx, "bot", "chat:1", []byte(`{"step":"text"}`), time.Time{}))
	wantState(t, s, "bot", "chat:1", []byte(`{"step":"text"}`))
	wantState(t, s, "mail", "chat:1", nil) // namespaces are separate

	must(t, "PutState overwrite", s.PutState(ctx, "bot", "chat:1", []byte{0, 1, 2, 255}, time.Now().Add(time.Hour)))
	wantState(t, s, "bot", "chat:1", []byte{0, 1, 2, 255})

	must(t, "PutState expired", s.PutState(ctx, "bot", "chat:2", []byte("old"), time.Now().Add(-time.Second)))
	wantState(t, s, "bot", "chat:2", nil)

	must(t, "DeleteState", s.DeleteState(ctx, "bot", "chat:1"))
	wantState(t, s, "bot", "chat:1", nil)
	must(t, "DeleteState missing", s.DeleteState(ctx, "bot", "never-stored"))
}

func testStateClaim(t *testing.T, s feedback.Store) {
	ctx := t.Context()
	claim := func(key, value string, expires time.Time) bool {
		t.Helper()
		ok, err := s.PutStateIfAbsent(ctx, "tg-update", key, []byte(value), expires)
		must(t, "PutStateIfAbsent", err)
		return ok
	}
	if !claim("1", "first", time.Time{}) {
		t.Fatal("first claim of a free key failed")
	}
	if claim("1", "second", time.Time{}) {
		t.Fatal("second claim of a taken key succeeded")
	}
	wantState(t, s, "tg-update", "1", []byte("first"))

	// An expired value is free to claim again.
	must(t, "PutState", s.PutState(ctx, "tg-update", "2", []byte("stale"), time.Now().Add(-time.Minute)))
	if !claim("2", "fresh", time.Now().Add(time.Hour)) {
		t.Fatal("claim over an expired value failed")
	}
	wantState(t, s, "tg-update", "2", []byte("fresh"))
	if claim("2", "again", time.Now().Add(time.Hour)) {
		t.Fatal("claim over a live expiring value succeeded")
	}
}

func (st suite) testStateClaimConcurrent(t *testing.T, s feedback.Store) {
	if !st.caps.AtomicStateClaims {
		t.Skip("backend lacks atomic PutStateIfAbsent under concurrency (e.g. FerretDB)")
	}
	for _, key := range []string{"fresh", "expired"} {
		if key == "expired" {
			must(t, "PutState", s.PutState(t.Context(), "claims", key, []byte("old"), time.Now().Add(-time.Minute)))
		}
		const racers = 8
		won := make([]bool, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				<-start
				ok, err := s.PutStateIfAbsent(t.Context(), "claims", key, fmt.Appendf(nil, "racer-%d", i), time.Time{})
				must(t, "PutStateIfAbsent", err)
				won[i] = ok
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, ok := range won {
			if ok && winner >= 0 {
				t.Fatalf("key %s claimed by racers %d and %d", key, winner, i)
			}
			if ok {
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("key %s: nobody claimed it", key)
		}
		wantState(t, s, "claims", key, fmt.Appendf(nil, "racer-%d", winner))
	}
}
