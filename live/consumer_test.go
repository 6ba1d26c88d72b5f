package live

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"phananh/feedback"
	"phananh/store/sqlite"
)

// recorder is a consumer's side effect: it counts each event it handled.
type recorder struct {
	mu      sync.Mutex
	handled map[int64]int
	redeliv map[int64]bool
	fail    func(e feedback.Event, attempt int) error
}

func newRecorder() *recorder {
	return &recorder{handled: map[int64]int{}, redeliv: map[int64]bool{}}
}

func (r *recorder) handle(ctx context.Context, e feedback.Event) error {
	d, _ := DeliveryFrom(ctx)
	if r.fail != nil {
		if err := r.fail(e, d.Attempt); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handled[e.Seq]++
	r.redeliv[e.Seq] = r.redeliv[e.Seq] || d.Redelivery
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.handled)
}

// checkOnce fails unless every event in want was handled exactly once.
func (r *recorder) checkOnce(t *testing.T, want []feedback.Event) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.handled) != len(want) {
		t.Errorf("handled %d events, want %d", len(r.handled), len(want))
	}
	for _, e := range want {
		if n := r.handled[e.Seq]; n != 1 {
			t.Errorf("event %d handled %d times, want once", e.Seq, n)
		}
	}
}

func startConsumer(store *sqlite.Store, name string, h Handler, opts ConsumerOptions) (*Consumer, func()) {
	if opts.PollInterval == 0 {
		opts.PollInterval = 10 * time.Millisecond
	}
	if opts.RetryMin == 0 {
		opts.RetryMin, opts.RetryMax = time.Millisecond, 10*time.Millisecond
	}
	c := NewConsumer(name, store, store, h, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = c.Run(ctx) }()
	return c, func() { cancel(); <-done }
}

func appendN(t *testing.T, store *sqlite.Store, n int) []feedback.Event {
	var all []feedback.Event
	for i := 0; i < n; i++ {
		all = append(all, mustAppend(t, store, nil, reportEvent("AAA", i%2 == 0, "e"))...)
	}
	return all
}

func TestConsumerRestartNeitherLosesNorRepeats(t *testing.T) {
	store := mustOpenStore(t, "")
	rec := newRecorder()
	var all []feedback.Event
	for restart := 0; restart < 5; restart++ {
		_, stop := startConsumer(store, "telegram", rec.handle, ConsumerOptions{})
		all = append(all, appendN(t, store, 40)...)
		time.Sleep(time.Duration(restart*7) * time.Millisecond) // stop at varying points mid-stream
		stop()
	}
	_, stop := startConsumer(store, "telegram", rec.handle, ConsumerOptions{})
	waitFor(t, "every event handled", func() bool { return rec.count() == len(all) })
	stop()
	rec.checkOnce(t, all)
	if cp, _ := store.Checkpoint(context.Background(), "telegram"); cp != all[len(all)-1].Seq {
		t.Errorf("checkpoint = %d, want %d", cp, all[len(all)-1].Seq)
	}
}

func TestConsumerStopDuringHandlerDoesNotRepeatFinishedWork(t *testing.T) {
	store := mustOpenStore(t, "")
	all := appendN(t, store, 10)
	rec := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	c := NewConsumer("mail", store, store, func(hctx context.Context, e feedback.Event) error {
		err := rec.handle(hctx, e)
		if e.Seq == all[4].Seq {
			cancel() // shutdown arrives right after a side effect
		}
		return err
	}, ConsumerOptions{PollInterval: 10 * time.Millisecond})
	_ = c.Run(ctx)
	if n := rec.count(); n != 5 {
		t.Fatalf("handled %d before stop, want 5", n)
	}
	_, stop := startConsumer(store, "mail", rec.handle, ConsumerOptions{})
	waitFor(t, "the rest handled", func() bool { return rec.count() == len(all) })
	stop()
	rec.checkOnce(t, all)
}

func TestTwoInstancesOfOneConsumerShareTheWork(t *testing.T) {
	dir := t.TempDir()
	a, b := mustOpenStore(t, dir), mustOpenStore(t, dir)
	rec := newRecorder()
	_, stopA := startConsumer(a, "telegram", rec.handle, ConsumerOptions{})
	_, stopB := startConsumer(b, "telegram", rec.handle, ConsumerOptions{})
	all := appendN(t, a, 60)
	waitFor(t, "every event handled", func() bool { return rec.count() == len(all) })
	stopA()
	stopB()
	rec.checkOnce(t, all)
}

func TestConsumerRetriesTransientAndSkipsPermanentFailures(t *testing.T) {
	store := mustOpenStore(t, "")
	all := appendN(t, store, 6)
	rec := newRecorder()
	blocked := all[2].Seq
	rec.fail = func(e feedback.Event, attempt int) error {
		switch {
		case e.Seq == blocked:
			return Permanent(errors.New("bot blocked by user"))
		case e.Seq == all[4].Seq && attempt < 3:
			return errors.New("telegram: 502")
		}
		return nil
	}
	_, stop := startConsumer(store, "telegram", rec.handle, ConsumerOptions{})
	waitFor(t, "the others handled", func() bool { return rec.count() == len(all)-1 })
	stop()
	rec.checkOnce(t, append(append([]feedback.Event{}, all[:2]...), all[3:]...))
	if !rec.redeliv[all[4].Seq] {
		t.Error("a retry after a transient error should be marked Redelivery")
	}
	if rec.redeliv[all[0].Seq] {
		t.Error("a first delivery should not be marked Redelivery")
	}
}

func TestConsumerFilterAndMaxAttempts(t *testing.T) {
	store := mustOpenStore(t, "")
	all := appendN(t, store, 6)
	rec := newRecorder()
	rec.fail = func(e feedback.Event, _ int) error {
		if e.Seq == all[0].Seq {
			return errors.New("always down")
		}
		return nil
	}
	_, stop := startConsumer(store, "mail", rec.handle, ConsumerOptions{
		Filter: func(e feedback.Event) bool { return e.Public }, MaxAttempts: 3,
	})
	want := []feedback.Event{all[2], all[4]} // public, and not the failing one
	waitFor(t, "public events handled", func() bool { return rec.count() == len(want) })
	waitFor(t, "checkpoint at the end", func() bool {
		cp, _ := store.Checkpoint(context.Background(), "mail")
		return cp == all[len(all)-1].Seq
	})
	stop()
	rec.checkOnce(t, want)
}

// TestCrashBetweenSideEffectAndOutcomeIsRedelivered documents the one
// remaining window: a process that dies after the side effect and before
// recording it leaves a claim and an attempt marker; after ClaimTTL the
// event is handled again, flagged as a redelivery.
func TestCrashBetweenSideEffectAndOutcomeIsRedelivered(t *testing.T) {
	store := mustOpenStore(t, "")
	all := appendN(t, store, 2)
	ctx := context.Background()
	ns, key := "live.consumer.telegram", outcomeKey(all[0].Seq)
	// What the crashed process left behind.
	_, _ = store.PutStateIfAbsent(ctx, ns, key+".claim", []byte("1"), time.Now().Add(300*time.Millisecond))
	_, _ = store.PutStateIfAbsent(ctx, ns, key+".tried", []byte("1"), time.Time{})
	rec := newRecorder()
	_, stop := startConsumer(store, "telegram", rec.handle, ConsumerOptions{ClaimTTL: time.Second})
	time.Sleep(150 * time.Millisecond)
	if n := rec.count(); n != 0 {
		t.Fatalf("handled %d events while another claim was live, want 0 (order is kept)", n)
	}
	waitFor(t, "both handled after the claim expired", func() bool { return rec.count() == 2 })
	stop()
	if !rec.redeliv[all[0].Seq] || rec.redeliv[all[1].Seq] {
		t.Fatalf("redelivery flags = %v, want only the crashed event flagged", rec.redeliv)
	}
}

// lostCheckpoints is the real store with every SaveCheckpoint lost, as if
// the process died each time right before saving it.
type lostCheckpoints struct{ *sqlite.Store }

func (lostCheckpoints) SaveCheckpoint(context.Context, string, int64) error { return nil }

func TestCrashBeforeCheckpointDoesNotRepeat(t *testing.T) {
	store := mustOpenStore(t, "")
	all := appendN(t, store, 20)
	rec := newRecorder()
	for run := 0; run < 2; run++ {
		c := NewConsumer("telegram", lostCheckpoints{store}, store, rec.handle, ConsumerOptions{PollInterval: 10 * time.Millisecond})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = c.Run(ctx) }()
		waitFor(t, "every event handled", func() bool { return rec.count() == len(all) })
		time.Sleep(50 * time.Millisecond) // the second run re-reads all 20 from seq 0
		cancel()
		<-done
	}
	rec.checkOnce(t, all)
}
