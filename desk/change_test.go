package desk

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"phananh/city"
	"phananh/feedback"
	"phananh/photo"
)

// plainStore hides the store's feedback.ChangeStore, so that the desk
// takes the path of separate writes.
type plainStore struct{ Store }

// countingStore counts the changes stored through feedback.ChangeStore.
type countingStore struct {
	Store
	changes atomic.Int64
}

func (c *countingStore) ApplyChange(ctx context.Context, ch feedback.ReportChange) ([]feedback.Event, error) {
	c.changes.Add(1)
	return c.Store.(feedback.ChangeStore).ApplyChange(ctx, ch)
}

// TestTransitionAuditsOnceWithTimings checks that each transition leaves
// exactly one audit entry, whose after-state is the stored version, and
// the timings, whether the store takes the change as one write
// (feedback.ChangeStore, the SQLite store) or the desk writes the parts one
// after the other.
func TestTransitionAuditsOnceWithTimings(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plain bool
	}{{"ChangeStore", false}, {"SeparateWrites", true}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			counting := &countingStore{Store: f.store}
			var st Store = counting
			if tc.plain {
				st = plainStore{f.store}
			}
			f.desk = New(st, city.Demo(), Config{Publisher: f.pub, Clean: photo.Clean, Now: f.clock.Now, Log: quiet})
			ctx := context.Background()
			r := f.report(t, "ubnd_p1", feedback.StatusAssigned)
			f.clock.Add(2 * time.Hour)
			mustTransition(t, f, r.Code, feedback.StatusInProgress)
			wantAudit(t, f, r.Code, 1, feedback.StatusInProgress)
			f.clock.Add(22 * time.Hour)
			mustTransition(t, f, r.Code, feedback.StatusResolved)
			wantAudit(t, f, r.Code, 2, feedback.StatusResolved)

			rows, err := f.store.Stats(ctx, feedback.StatsQuery{From: monday09, To: monday09.Add(time.Hour), Group: feedback.StatsByUnit, Now: f.clock.Now()})
			if err != nil || len(rows) != 1 {
				t.Fatalf("stats: %v %v", rows, err)
			}
			if fr, rs := rows[0].FirstResponseMedianH, rows[0].ResolutionMedianH; deref(fr) != 2 || deref(rs) != 7.5 {
				t.Fatalf("first response %v h, resolution %v h; want 2 and 7.5", deref(fr), deref(rs))
			}
			if n := len(f.events(t, r, feedback.EventStatusChanged)); n != 2 {
				t.Fatalf("%d status_changed events, want 2", n)
			}
			if want := map[bool]int64{false: 2, true: 0}[tc.plain]; counting.changes.Load() != want {
				t.Fatalf("%d changes through ApplyChange, want %d", counting.changes.Load(), want)
			}
		})
	}
}

func mustTransition(t *testing.T, f *fixture, code string, to feedback.Status) {
	t.Helper()
	if _, err := f.desk.Transition(context.Background(), f.as("officer"), code, TransitionInput{To: to}); err != nil {
		t.Fatal(err)
	}
}

// wantAudit checks that the report has n transition entries, the newest
// by the officer, moving it to status at the version now stored.
func wantAudit(t *testing.T, f *fixture, code string, n int, status feedback.Status) {
	t.Helper()
	entries, err := f.store.Audit(context.Background(), feedback.AuditFilter{Subject: code, Action: string(ActTransition)})
	if err != nil || len(entries) != n {
		t.Fatalf("audit of %s: %d entries (%v), want %d", code, len(entries), err, n)
	}
	var after reportState
	if err := json.Unmarshal(entries[0].After, &after); err != nil {
		t.Fatal(err)
	}
	stored, err := f.store.Report(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if e := entries[0]; e.ActorID != f.users["officer"].ID || e.IP != "203.0.113.7" ||
		after.Status != status || after.Version != stored.Version {
		t.Fatalf("newest entry %+v (after %+v), want officer moving it to %s at version %d", e, after, status, stored.Version)
	}
}
