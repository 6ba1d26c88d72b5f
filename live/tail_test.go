package live

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func seqs(t *testing.T, tl *tailer) []int64 {
	t.Helper()
	evs, _, _, err := tl.next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}

func TestTailerWaitsForLateCommitWithinGrace(t *testing.T) {
	g := newGapStore()
	clock := &fakeClock{t: time.Unix(1000, 0)}
	tl := newTailer(g, 0, time.Second, 100, clock.now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s1, s2, s3 := g.reserve(), g.reserve(), g.reserve()
	g.commit(s1)
	g.commit(s3) // s2 still in flight
	if got := seqs(t, tl); len(got) != 1 || got[0] != s1 {
		t.Fatalf("first read = %v, want [%d] (held back behind the gap)", got, s1)
	}
	clock.advance(500 * time.Millisecond)
	if got := seqs(t, tl); len(got) != 0 {
		t.Fatalf("read within grace = %v, want nothing", got)
	}
	g.commit(s2)
	if got := seqs(t, tl); len(got) != 2 || got[0] != s2 || got[1] != s3 {
		t.Fatalf("after late commit = %v, want [%d %d]", got, s2, s3)
	}
}

func TestTailerSkipsBurnedSequenceAfterGrace(t *testing.T) {
	g := newGapStore()
	clock := &fakeClock{t: time.Unix(1000, 0)}
	tl := newTailer(g, 0, time.Second, 100, clock.now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	g.reserve() // a write that failed: never visible
	s2 := g.reserve()
	g.commit(s2)
	_, waiting, _, _ := tl.next(context.Background())
	if !waiting {
		t.Fatal("tailer should report that it waits on a gap")
	}
	clock.advance(999 * time.Millisecond)
	if got := seqs(t, tl); len(got) != 0 {
		t.Fatalf("before grace ends = %v, want nothing", got)
	}
	clock.advance(2 * time.Millisecond)
	if got := seqs(t, tl); len(got) != 1 || got[0] != s2 {
		t.Fatalf("after grace = %v, want [%d]", got, s2)
	}
}
