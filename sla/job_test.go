package sla

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"phananh/city"
	"phananh/feedback"
	"phananh/store/sqlite"
)

var (
	quiet = slog.New(slog.DiscardHandler)
	ict   = time.FixedZone("ICT", 7*3600)
)

func openStore(t *testing.T, dir string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), dir, sqlite.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func newReport(t *testing.T, st *sqlite.Store, c *city.City, created time.Time, status feedback.Status, prio feedback.Priority, cat string) *feedback.Report {
	t.Helper()
	r := &feedback.Report{
		ID: feedback.NewID(), Code: feedback.NewCode(), Text: "Rác thải chất đống đầu hẻm",
		Channel: feedback.ChannelWeb, Status: status, Priority: prio, Category: cat, Ward: "p1", Unit: "ubnd_p1",
		DueAt: c.Due(created, cat, prio), CreatedAt: created,
	}
	stored, _, _, err := st.CreateReport(context.Background(), r, []feedback.Event{{Type: feedback.EventCreated, At: created}})
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

var _ CandidateLister = (*sqlite.Store)(nil)

// plainStore hides the store's CandidateLister, so the job falls back to
// paging through FindReports.
type plainStore struct{ feedback.ReportStore }

// tick runs one pass of a fresh job (as after a restart) at the given time,
// once through the candidate list and once through the fallback, which
// must then find nothing left to do.
func tick(t *testing.T, st *sqlite.Store, c *city.City, at time.Time) Result {
	t.Helper()
	res := tickWith(t, st, c, at)
	if again := tickWith(t, plainStore{st}, c, at); again != (Result{}) {
		t.Fatalf("the fallback pass at %v still did %+v", at, again)
	}
	return res
}

func tickWith(t *testing.T, st feedback.ReportStore, c *city.City, at time.Time) Result {
	t.Helper()
	res, err := New(st, c, Config{Now: func() time.Time { return at }, Log: quiet}).Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func countEvents(t *testing.T, st *sqlite.Store, r *feedback.Report) map[feedback.EventType]int {
	t.Helper()
	evs, err := st.Events(context.Background(), feedback.EventFilter{ReportID: r.ID})
	if err != nil {
		t.Fatal(err)
	}
	n := map[feedback.EventType]int{}
	for _, e := range evs {
		n[e.Type]++
	}
	return n
}

// TestEscalationAcrossHolidaysAndRestart follows a garbage report (three
// working days) received on Thursday 23 April 2026 at 16:00: Friday counts,
// the weekend and the Hùng Kings holiday on Monday 27 do not, so it is due
// on Wednesday 29 April at 16:00. 30 April and 1 May are holidays too, so
// the chairman's office is called in only when it has been late for three
// more working days: Wednesday 6 May at 16:00. The store is closed and
// reopened between passes, as a restart would.
func TestEscalationAcrossHolidaysAndRestart(t *testing.T) {
	c := city.Demo()
	dir := t.TempDir()
	st := openStore(t, dir)
	r := newReport(t, st, c, time.Date(2026, 4, 23, 16, 0, 0, 0, ict), feedback.StatusInProgress, feedback.PriorityNormal, "rac_thai")
	if want := time.Date(2026, 4, 29, 16, 0, 0, 0, ict); !r.DueAt.Equal(want) {
		t.Fatalf("due %v, want %v", r.DueAt.In(ict), want)
	}
	steps := []struct {
		at        time.Time
		want      Result
		wantLevel int
	}{
		{time.Date(2026, 4, 27, 10, 0, 0, 0, ict), Result{}, 0},                         // holiday Monday
		{time.Date(2026, 4, 29, 15, 59, 0, 0, ict), Result{}, 0},                        // a minute early
		{time.Date(2026, 4, 29, 16, 1, 0, 0, ict), Result{Overdue: 1, Escalated: 1}, 1}, // overdue
		{time.Date(2026, 4, 29, 16, 1, 0, 0, ict), Result{}, 1},                         // same time again
		{time.Date(2026, 5, 5, 17, 0, 0, 0, ict), Result{}, 1},                          // 16 working hours late
		{time.Date(2026, 5, 6, 15, 59, 0, 0, ict), Result{}, 1},                         // not quite 22.5
		{time.Date(2026, 5, 6, 16, 0, 0, 0, ict), Result{Escalated: 1}, 2},              // chairman's office
		{time.Date(2026, 5, 20, 9, 0, 0, 0, ict), Result{}, 2},                          // never again
	}
	for i, s := range steps {
		if got := tick(t, st, c, s.at); got != s.want {
			t.Fatalf("step %d at %v: %+v, want %+v", i, s.at, got, s.want)
		}
		// Restart: close the store and open it again from disk.
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		st = openStore(t, dir)
		got, err := st.ReportByID(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.EscalationLevel != s.wantLevel {
			t.Fatalf("step %d: level %d, want %d", i, got.EscalationLevel, s.wantLevel)
		}
	}
	defer st.Close()
	n := countEvents(t, st, r)
	if n[feedback.EventOverdue] != 1 || n[feedback.EventEscalated] != 2 {
		t.Fatalf("events %v: want one overdue and two escalated", n)
	}
}

// TestUrgentUsesClockHours: a fallen tree (12 clock hours) reported on a
// Saturday evening is overdue on Sunday morning, weekend or not, and a job
// that was down catches up both levels in one step.
func TestUrgentUsesClockHours(t *testing.T) {
	c := city.Demo()
	st := openStore(t, t.TempDir())
	defer st.Close()
	created := time.Date(2026, 11, 28, 20, 0, 0, 0, ict)
	r := newReport(t, st, c, created, feedback.StatusAssigned, feedback.PriorityUrgent, "cay_xanh")
	if got := tick(t, st, c, created.Add(11*time.Hour)); got != (Result{}) {
		t.Fatalf("early: %+v", got)
	}
	if got := tick(t, st, c, created.Add(25*time.Hour)); got != (Result{Overdue: 1, Escalated: 2}) {
		t.Fatalf("catch-up: %+v", got)
	}
	evs, _ := st.Events(context.Background(), feedback.EventFilter{ReportID: r.ID})
	last := evs[len(evs)-1]
	if last.Type != feedback.EventEscalated || last.Data["level"] != "2" || last.Data["to"] != "chairman_office" ||
		last.Actor != feedback.ActorSystem || last.Public || last.UnitID != "ubnd_p1" {
		t.Fatalf("last event = %+v", last)
	}
}

func TestAutoClose(t *testing.T) {
	c := city.Demo()
	st := openStore(t, t.TempDir())
	defer st.Close()
	created := time.Date(2026, 11, 2, 9, 0, 0, 0, ict)
	r := newReport(t, st, c, created, feedback.StatusResolved, feedback.PriorityNormal, "rac_thai")
	resolved := created.Add(5 * time.Hour)
	r.ResolvedAt = &resolved
	if _, err := st.UpdateReport(context.Background(), r, nil); err != nil {
		t.Fatal(err)
	}
	open := newReport(t, st, c, created, feedback.StatusInProgress, feedback.PriorityNormal, "o_nhiem")
	if got := tick(t, st, c, resolved.AddDate(0, 0, 7).Add(-time.Minute)); got.Closed != 0 {
		t.Fatalf("closed early: %+v", got)
	}
	if got := tick(t, st, c, resolved.AddDate(0, 0, 7)); got.Closed != 1 {
		t.Fatalf("not closed after 7 days: %+v", got)
	}
	got, _ := st.ReportByID(context.Background(), r.ID)
	if got.Status != feedback.StatusClosed || got.ClosedAt == nil {
		t.Fatalf("report = %+v", got)
	}
	if still, _ := st.ReportByID(context.Background(), open.ID); still.Status != feedback.StatusInProgress {
		t.Fatalf("an open report was closed: %s", still.Status)
	}
	if res := tick(t, st, c, resolved.AddDate(0, 0, 30)); res.Closed != 0 {
		t.Fatalf("closed twice: %+v", res)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- New(st, city.Demo(), Config{Interval: time.Millisecond, Log: quiet}).Run(ctx) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// TestFallbackEscalates checks the FindReports path on its own.
func TestFallbackEscalates(t *testing.T) {
	c := city.Demo()
	st := openStore(t, t.TempDir())
	defer st.Close()
	created := time.Date(2026, 11, 28, 20, 0, 0, 0, ict)
	newReport(t, st, c, created, feedback.StatusAssigned, feedback.PriorityUrgent, "cay_xanh")
	if got := tickWith(t, plainStore{st}, c, created.Add(13*time.Hour)); got != (Result{Overdue: 1, Escalated: 1}) {
		t.Fatalf("fallback: %+v", got)
	}
}

// TestCandidatesPageThrough escalates more reports than one page holds.
func TestCandidatesPageThrough(t *testing.T) {
	c := city.Demo()
	st := openStore(t, t.TempDir())
	defer st.Close()
	created := time.Date(2026, 11, 28, 20, 0, 0, 0, ict)
	for range pageSize + 7 {
		newReport(t, st, c, created, feedback.StatusAssigned, feedback.PriorityUrgent, "cay_xanh")
	}
	if got := tickWith(t, st, c, created.Add(13*time.Hour)); got != (Result{Overdue: pageSize + 7, Escalated: pageSize + 7}) {
		t.Fatalf("first pass: %+v", got)
	}
	if got := tick(t, st, c, created.Add(25*time.Hour)); got != (Result{Escalated: pageSize + 7}) {
		t.Fatalf("second pass: %+v", got)
	}
}
