package live

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"phananh/feedback"
	"phananh/store/sqlite"
)

// mustOpenStore opens a real SQLite store in dir (a fresh temp dir when
// dir is "").
func mustOpenStore(tb testing.TB, dir string) *sqlite.Store {
	tb.Helper()
	if dir == "" {
		dir = tb.TempDir()
	}
	s, err := sqlite.Open(context.Background(), dir, sqlite.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// mustRunHub starts a hub on store and stops it when the test ends.
func mustRunHub(tb testing.TB, store feedback.EventStore, opts HubOptions) *Hub {
	tb.Helper()
	h := NewHub(store, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("hub run: %v", err)
		}
	})
	return h
}

// reportEvent is a public or staff event of a report.
func reportEvent(code string, public bool, text string) feedback.Event {
	return feedback.Event{
		Type: feedback.EventPublicReply, ReportID: "id-" + code, ReportCode: code,
		UnitID: "unit-1", Public: public, Actor: feedback.ActorSystem, Text: text,
	}
}

// mustAppend appends events and publishes them the way intake does.
func mustAppend(tb testing.TB, s feedback.EventStore, p feedback.Publisher, evs ...feedback.Event) []feedback.Event {
	tb.Helper()
	out, err := s.AppendEvents(context.Background(), evs)
	if err != nil {
		tb.Fatalf("append events: %v", err)
	}
	if p != nil {
		p.Publish(out)
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// gapStore is an in-memory event log whose sequence numbers can be
// allocated before they become visible, the way MongoDB behaves when a
// counter is incremented before the transaction that uses it commits.
// SQLite cannot produce this, so the tailer's gap handling is tested here.
type gapStore struct {
	feedback.EventStore // nil: only the methods below are used
	mu                  sync.Mutex
	next                int64
	visible             map[int64]feedback.Event
}

func newGapStore() *gapStore { return &gapStore{visible: map[int64]feedback.Event{}} }

// reserve allocates a sequence number without making an event visible.
func (g *gapStore) reserve() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next++
	return g.next
}

// commit makes the event with a reserved seq visible.
func (g *gapStore) commit(seq int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.visible[seq] = feedback.Event{Seq: seq, Type: feedback.EventCreated, ReportCode: fmt.Sprint("R", seq), Public: true}
}

func (g *gapStore) Events(_ context.Context, f feedback.EventFilter) ([]feedback.Event, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []feedback.Event
	for seq := f.AfterSeq + 1; seq <= g.next && len(out) < max(f.Limit, 1); seq++ {
		if e, ok := g.visible[seq]; ok {
			out = append(out, e)
		}
	}
	return out, nil
}

func (g *gapStore) LastSeq(context.Context) (int64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var last int64
	for seq := range g.visible {
		last = max(last, seq)
	}
	return last, nil
}
