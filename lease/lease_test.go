package lease

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"phananh/feedback"
	"phananh/store/sqlite"
)

const testTTL = 300 * time.Millisecond

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// activity records which holders are running the job.
type activity struct {
	mu      sync.Mutex
	running map[string]bool
	overlap bool
}

func (a *activity) job(holder string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		a.mu.Lock()
		if len(a.running) > 0 {
			a.overlap = true
		}
		a.running[holder] = true
		a.mu.Unlock()
		<-ctx.Done()
		a.mu.Lock()
		delete(a.running, holder)
		a.mu.Unlock()
		return ctx.Err()
	}
}

func (a *activity) who() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for h := range a.running {
		out = append(out, h)
	}
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// start runs r in the background; stop cancels it and returns Run's result.
func start(r *Runner, job func(context.Context) error) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, job) }()
	return func() error { cancel(); return <-done }
}

func TestOneHolderAtATimeAndHandOver(t *testing.T) {
	st := openStore(t)
	act := &activity{running: map[string]bool{}}
	a := New(st, "mailbox", Options{TTL: testTTL, Holder: "a"})
	b := New(st, "mailbox", Options{TTL: testTTL, Holder: "b"})
	stopA := start(a, act.job("a"))
	waitFor(t, "a runs", func() bool { return len(act.who()) == 1 && act.who()[0] == "a" })
	stopB := start(b, act.job("b"))
	defer stopB()
	time.Sleep(3 * testTTL) // several renewals: b must keep waiting
	if w := act.who(); len(w) != 1 || w[0] != "a" {
		t.Fatalf("running %v after %v, want only a", w, 3*testTTL)
	}
	if err := stopA(); err != nil {
		t.Fatalf("a's Run: %v", err)
	}
	// a released the lease on the way out: b takes over within one retry.
	waitFor(t, "b takes over", func() bool { return len(act.who()) == 1 && act.who()[0] == "b" })
	if act.overlap {
		t.Fatal("the two jobs ran at the same time")
	}
}

// flakyStore fails every call once broken, as a store behind a network
// partition does.
type flakyStore struct {
	feedback.StateStore
	broken atomic.Bool
}

var errPartition = errors.New("partition")

func (f *flakyStore) State(ctx context.Context, ns, key string) ([]byte, error) {
	if f.broken.Load() {
		return nil, errPartition
	}
	return f.StateStore.State(ctx, ns, key)
}

func (f *flakyStore) PutState(ctx context.Context, ns, key string, v []byte, exp time.Time) error {
	if f.broken.Load() {
		return errPartition
	}
	return f.StateStore.PutState(ctx, ns, key, v, exp)
}

func (f *flakyStore) PutStateIfAbsent(ctx context.Context, ns, key string, v []byte, exp time.Time) (bool, error) {
	if f.broken.Load() {
		return false, errPartition
	}
	return f.StateStore.PutStateIfAbsent(ctx, ns, key, v, exp)
}

func (f *flakyStore) DeleteState(ctx context.Context, ns, key string) error {
	if f.broken.Load() {
		return errPartition
	}
	return f.StateStore.DeleteState(ctx, ns, key)
}

// TestCutOffHolderStepsDownAndIsReplaced cuts the holder off from the
// store: it stops its job before its lease can have expired, and the
// other instance takes over once it has.
func TestCutOffHolderStepsDownAndIsReplaced(t *testing.T) {
	st := openStore(t)
	act := &activity{running: map[string]bool{}}
	cut := &flakyStore{StateStore: st}
	a := New(cut, "telegram", Options{TTL: testTTL, Holder: "a"})
	b := New(st, "telegram", Options{TTL: testTTL, Holder: "b"})
	stopA := start(a, act.job("a"))
	defer stopA()
	waitFor(t, "a runs", func() bool { return len(act.who()) == 1 })
	stopB := start(b, act.job("b"))
	defer stopB()
	cut.broken.Store(true)
	cutAt := time.Now()
	waitFor(t, "a steps down", func() bool { return len(act.who()) == 0 || act.who()[0] == "b" })
	if d := time.Since(cutAt); d > testTTL {
		t.Errorf("a stopped %v after losing the store, after its lease expired (%v)", d, testTTL)
	}
	waitFor(t, "b takes over", func() bool { return len(act.who()) == 1 && act.who()[0] == "b" })
	if act.overlap {
		t.Fatal("the two jobs ran at the same time")
	}
}

// TestTakenLeaseStopsJob gives the lease to another holder behind the
// runner's back: its job is cancelled at the next renewal.
func TestTakenLeaseStopsJob(t *testing.T) {
	st := openStore(t)
	act := &activity{running: map[string]bool{}}
	a := New(st, "mailbox", Options{TTL: testTTL, Holder: "a"})
	stop := start(a, act.job("a"))
	defer stop()
	waitFor(t, "a runs", func() bool { return len(act.who()) == 1 })
	if err := st.PutState(t.Context(), namespace, "mailbox", []byte("intruder"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a's job stops", func() bool { return len(act.who()) == 0 })
}

// TestJobFailureEndsRunAndFreesLease checks that a job's error is returned
// and that the lease is free for another instance right away.
func TestJobFailureEndsRunAndFreesLease(t *testing.T) {
	st := openStore(t)
	boom := errors.New("imap: login refused")
	a := New(st, "mailbox", Options{TTL: time.Hour, Holder: "a"})
	if err := a.Run(t.Context(), func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want the job's error", err)
	}
	if err := a.Run(t.Context(), func(context.Context) error { return nil }); err == nil {
		t.Fatal("a job that returns nil by itself must be reported")
	}
	b := New(st, "mailbox", Options{TTL: time.Hour, Holder: "b"})
	if ok, err := b.acquire(t.Context()); err != nil || !ok {
		t.Fatalf("lease not free after the job ended: %v, %v", ok, err)
	}
}
