// Package slatest is the contract suite for the SLA job's work lists
// (sla.CandidateLister): every store that offers them, SQLite and MongoDB,
// runs the same cases, so the job escalates and closes the same reports
// whichever store it reads.
package slatest

import (
	"log/slog"
	"slices"
	"testing"
	"time"

	"phananh/city"
	"phananh/feedback"
	"phananh/sla"
)

// Store is a store with the SLA job's work lists.
type Store interface {
	feedback.Store
	sla.CandidateLister
}

// Run runs the suite against stores made by open, which must return a
// fresh, empty store closed when t ends.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"Candidates", testCandidates},
		{"CandidatesAreWholeReports", testWholeReports},
		{"JobTick", testJobTick},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// slaBase is the instant the SLA fixtures are built around.
var slaBase = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)

// slaNow is the "now" of the escalation cases: reports due before it are
// overdue.
var slaNow = slaBase.Add(10 * time.Hour)

// slaFixture is one seeded report: its id (which orders ties), status,
// escalation level, due time (zero: none) and resolution time (zero: none).
type slaFixture struct {
	id       string
	status   feedback.Status
	level    int
	due      time.Time
	resolved time.Time
}

// slaFixtures mixes escalation candidates (esc-*) and auto-close
// candidates (res-*) with reports neither list may return (no-*). Ids are
// chosen so that insertion order differs from the (time, id) order.
var slaFixtures = []slaFixture{
	{"esc-c", feedback.StatusAssigned, 0, slaBase.Add(2 * time.Hour), time.Time{}},
	{"esc-a", feedback.StatusReceived, 0, slaBase.Add(time.Hour), time.Time{}},
	{"esc-b", feedback.StatusTriage, 1, slaBase.Add(2 * time.Hour), time.Time{}},
	{"esc-d", feedback.StatusInProgress, 0, slaNow.Add(-time.Millisecond), slaBase},
	{"no-level2", feedback.StatusInProgress, 2, slaBase.Add(time.Hour), time.Time{}},
	{"no-due-now", feedback.StatusInProgress, 0, slaNow, time.Time{}},
	{"no-future", feedback.StatusAssigned, 1, slaNow.Add(10 * time.Hour), time.Time{}},
	{"no-due", feedback.StatusReceived, 0, time.Time{}, time.Time{}},
	{"no-closed", feedback.StatusClosed, 0, slaBase, slaBase},
	{"no-rejected", feedback.StatusRejected, 0, slaBase, time.Time{}},
	{"res-e", feedback.StatusResolved, 0, slaBase.Add(time.Hour), slaBase.Add(3 * time.Hour)},
	{"res-b2", feedback.StatusResolved, 1, slaBase, slaBase.Add(2 * time.Hour)},
	{"res-b1", feedback.StatusResolved, 2, time.Time{}, slaBase.Add(2 * time.Hour)},
	{"res-a", feedback.StatusResolved, 0, slaBase, slaBase.Add(time.Hour)},
	{"res-f", feedback.StatusResolved, 0, slaBase, slaBase.Add(5 * time.Hour)},
	{"no-res-late", feedback.StatusResolved, 0, slaBase, slaBase.Add(5*time.Hour + time.Millisecond)},
}

// seedSLA stores slaFixtures in s.
func seedSLA(t *testing.T, s Store) {
	t.Helper()
	for _, f := range slaFixtures {
		r := &feedback.Report{
			ID: f.id, Code: feedback.NewCode(), Text: "Đèn đường hỏng trước cổng chợ",
			Channel: feedback.ChannelWeb, Status: f.status, Priority: feedback.PriorityNormal,
			Category: "chieu_sang", Ward: "p1", Unit: "ubnd_p1",
			DueAt: f.due, EscalationLevel: f.level, CreatedAt: slaBase.Add(-time.Hour),
		}
		if !f.resolved.IsZero() {
			at := f.resolved
			r.ResolvedAt = &at
		}
		if _, _, _, err := s.CreateReport(t.Context(), r, []feedback.Event{{Type: feedback.EventCreated}}); err != nil {
			t.Fatalf("seed %s: %v", f.id, err)
		}
	}
}

func reportIDs(rs []*feedback.Report) []string {
	ids := []string{}
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// testEscalationCandidates checks the open, overdue, below-chairman
// selection, its (due, id) order, the keyset position and the limit.
func testEscalationCandidates(t *testing.T, s Store) {
	hour := func(h int) time.Time { return slaBase.Add(time.Duration(h) * time.Hour) }
	tests := []struct {
		name     string
		now      time.Time
		afterDue time.Time
		afterID  string
		limit    int
		want     []string
	}{
		{"from the start", slaNow, time.Time{}, "", 10, []string{"esc-a", "esc-b", "esc-c", "esc-d"}},
		{"limit cuts the page", slaNow, time.Time{}, "", 2, []string{"esc-a", "esc-b"}},
		{"limit below one reads one", slaNow, time.Time{}, "", 0, []string{"esc-a"}},
		{"after the first", slaNow, hour(1), "esc-a", 10, []string{"esc-b", "esc-c", "esc-d"}},
		{"tie on due, greater id only", slaNow, hour(2), "esc-b", 10, []string{"esc-c", "esc-d"}},
		{"tie with an empty id", slaNow, hour(2), "", 10, []string{"esc-b", "esc-c", "esc-d"}},
		{"after the last tie", slaNow, hour(2), "esc-c", 10, []string{"esc-d"}},
		{"position between milliseconds", slaNow, hour(2).Add(time.Nanosecond), "", 10, []string{"esc-d"}},
		{"after everything", slaNow, slaNow, "", 10, []string{}},
		{"due is strictly before now", slaNow.Add(-time.Millisecond), time.Time{}, "", 10, []string{"esc-a", "esc-b", "esc-c"}},
		{"now between milliseconds", slaNow.Add(time.Nanosecond), time.Time{}, "", 10, []string{"esc-a", "esc-b", "esc-c", "esc-d", "no-due-now"}},
		{"nothing due yet", slaBase, time.Time{}, "", 10, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.EscalationCandidates(t.Context(), tt.now, tt.afterDue, tt.afterID, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if ids := reportIDs(got); !slices.Equal(ids, tt.want) {
				t.Fatalf("EscalationCandidates = %v, want %v", ids, tt.want)
			}
		})
	}
}

// testAutoCloseCandidates checks the resolved-only selection, its
// (resolved_at, id) order, the inclusive bound and the limit.
func testAutoCloseCandidates(t *testing.T, s Store) {
	cutoff := slaBase.Add(5 * time.Hour)
	all := []string{"res-a", "res-b1", "res-b2", "res-e", "res-f"}
	tests := []struct {
		name   string
		before time.Time
		limit  int
		want   []string
	}{
		{"up to and including the bound", cutoff, 10, all},
		{"limit cuts the page", cutoff, 2, all[:2]},
		{"limit below one reads one", cutoff, -1, all[:1]},
		{"just before the bound", cutoff.Add(-time.Nanosecond), 10, all[:4]},
		{"between milliseconds", cutoff.Add(time.Millisecond - time.Nanosecond), 10, all},
		{"one millisecond later", cutoff.Add(time.Millisecond), 10, append(slices.Clone(all), "no-res-late")},
		{"nothing resolved that long ago", slaBase, 10, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.AutoCloseCandidates(t.Context(), tt.before, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if ids := reportIDs(got); !slices.Equal(ids, tt.want) {
				t.Fatalf("AutoCloseCandidates = %v, want %v", ids, tt.want)
			}
		})
	}
}

// testCandidates runs the work-list cases on one seeded store.
func testCandidates(t *testing.T, s Store) {
	seedSLA(t, s)
	t.Run("Escalation", func(t *testing.T) { testEscalationCandidates(t, s) })
	t.Run("AutoClose", func(t *testing.T) { testAutoCloseCandidates(t, s) })
}

// testWholeReports checks that a candidate decodes to the same report a
// direct read returns.
func testWholeReports(t *testing.T, s Store) {
	seedSLA(t, s)
	got, err := s.EscalationCandidates(t.Context(), slaNow, time.Time{}, "", 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("EscalationCandidates: %v, %v", got, err)
	}
	want, err := s.ReportByID(t.Context(), got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Code != want.Code || !got[0].DueAt.Equal(want.DueAt) || got[0].Version != want.Version || got[0].Text != want.Text {
		t.Fatalf("candidate %+v differs from the stored report %+v", got[0], want)
	}
}

// testJobTick runs the SLA job over the store through its work lists: one
// pass escalates and closes what is due, and a second pass at the same
// time finds nothing left.
func testJobTick(t *testing.T, s Store) {
	seedSLA(t, s)
	c := city.Demo()
	c.AutoCloseDays = 1
	at := slaNow.Add(24 * time.Hour)
	job := sla.New(s, c, sla.Config{Now: func() time.Time { return at }, Log: slog.New(slog.DiscardHandler)})
	res, err := job.Tick(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if res.Closed != 6 || res.Escalated == 0 {
		t.Fatalf("first pass: %+v, want 6 closed and some escalated", res)
	}
	if again, err := job.Tick(t.Context()); err != nil || again != (sla.Result{}) {
		t.Fatalf("second pass: %+v, %v, want nothing to do", again, err)
	}
	for _, id := range []string{"esc-a", "esc-b", "esc-c", "esc-d", "no-due-now"} {
		r, err := s.ReportByID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.EscalationLevel == 0 {
			t.Errorf("%s still at level 0 after the pass", id)
		}
	}
}
