package stafftest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"phananh/feedback"
)

// fact is one hand-made report for the statistics tests.
type fact struct {
	unit, category string
	status         feedback.Status
	created        time.Duration // after base
	due            time.Duration // after base; 0 for none
	resolved       time.Duration // after base; 0 for never
	fr, rs         int64         // working minutes; -1 for none
	rating, reopen int
}

// now is when the hand-made statistics are asked for.
var now = base.Add(30 * 24 * time.Hour)

const day = 24 * time.Hour

// handMade is the data set; the expected figures in testStatsHandMade are
// worked out by hand from it.
var handMade = []fact{
	{"u_a", "rac_thai", feedback.StatusResolved, 0, 5 * day, 2 * day, 60, 600, 5, 0},
	{"u_a", "rac_thai", feedback.StatusClosed, time.Hour, 5 * day, 6 * day, 120, 1200, 3, 1},
	{"u_a", "den_duong", feedback.StatusInProgress, 2 * time.Hour, day, 0, 30, -1, 0, 0},
	{"u_a", "den_duong", feedback.StatusReceived, 3 * time.Hour, 31 * day, 0, -1, -1, 0, 0},
	{"u_a", "rac_thai", feedback.StatusRejected, 4 * time.Hour, 5 * day, 0, 10, -1, 0, 0},
	{"u_b", "rac_thai", feedback.StatusResolved, 5 * time.Hour, 3 * day, day, 240, 480, 0, 0},
	// Outside the period: received the day before.
	{"u_a", "rac_thai", feedback.StatusInProgress, -day, day, 0, 5, -1, 0, 0},
}

func seed(t *testing.T, s Store, facts []fact) {
	t.Helper()
	ctx := context.Background()
	for i, f := range facts {
		r := &feedback.Report{
			ID: feedback.NewID(), Code: feedback.NewCode(), Text: fmt.Sprintf("Phản ánh thử nghiệm số %d", i),
			Channel: feedback.ChannelWeb, Status: f.status, Priority: feedback.PriorityNormal,
			Unit: f.unit, Category: f.category, Ward: "p1", Rating: f.rating, ReopenCount: f.reopen,
			CreatedAt: base.Add(f.created),
		}
		if f.due != 0 {
			r.DueAt = base.Add(f.due)
		}
		if f.resolved != 0 {
			at := base.Add(f.resolved)
			r.ResolvedAt = &at
		}
		_, _, _, err := s.CreateReport(ctx, r, []feedback.Event{{Type: feedback.EventCreated, At: r.CreatedAt}})
		must(t, err)
		if f.fr >= 0 {
			must(t, s.RecordFirstResponse(ctx, r.ID, f.fr))
			must(t, s.RecordFirstResponse(ctx, r.ID, f.fr+999)) // a later response changes nothing
		}
		if f.rs >= 0 {
			must(t, s.RecordResolution(ctx, r.ID, 1)) // replaced below
			must(t, s.RecordResolution(ctx, r.ID, f.rs))
		}
	}
}

func f(v float64) *float64 { return &v }

func testStatsHandMade(t *testing.T, s Store) {
	seed(t, s, handMade)
	got, err := s.Stats(context.Background(), feedback.StatsQuery{
		From: base, To: base.Add(7 * day), Group: feedback.StatsByUnit, Now: now,
	})
	must(t, err)
	want := []feedback.StatsRow{
		{Key: "u_a", Received: 5, Resolved: 2, Open: 2, Overdue: 1, SLAMetPct: f(50),
			FirstResponseMedianH: f(0.5), FirstResponseP90H: f(2), ResolutionMedianH: f(10), ResolutionP90H: f(20),
			ReopenRate: f(0.5), AvgSatisfaction: f(4), Rated: 2},
		{Key: "u_b", Received: 1, Resolved: 1, SLAMetPct: f(100),
			FirstResponseMedianH: f(4), FirstResponseP90H: f(4), ResolutionMedianH: f(8), ResolutionP90H: f(8),
			ReopenRate: f(0)},
	}
	compareRows(t, got, want)
}

func testStatsScoped(t *testing.T, s Store) {
	seed(t, s, handMade)
	ctx := context.Background()
	got, err := s.Stats(ctx, feedback.StatsQuery{From: base, To: base.Add(7 * day), Group: feedback.StatsByCategory, Now: now, Unit: "u_a"})
	must(t, err)
	if len(got) != 2 || got[0].Key != "den_duong" || got[0].Received != 2 || got[0].Overdue != 1 ||
		got[1].Key != "rac_thai" || got[1].Received != 3 || got[1].Resolved != 2 {
		t.Fatalf("by category in u_a = %s", dump(got))
	}
	// A reopened report is resolved again: the resolution time is replaced;
	// clearing it removes the report from the percentiles.
	reopenedMedian := got[1].ResolutionMedianH
	if reopenedMedian == nil || *reopenedMedian != 10 {
		t.Fatalf("rac_thai median resolution = %v, want 10", reopenedMedian)
	}
	empty, err := s.Stats(ctx, feedback.StatsQuery{From: base.Add(100 * day), To: base.Add(101 * day), Group: feedback.StatsByWard, Now: now})
	must(t, err)
	if len(empty) != 0 {
		t.Fatalf("empty period = %s", dump(empty))
	}
}

func testStatsInvalid(t *testing.T, s Store) {
	ctx := context.Background()
	_, err := s.Stats(ctx, feedback.StatsQuery{From: base, To: base.Add(day), Group: "status; DROP TABLE reports"})
	wantCode(t, err, feedback.EINVALID)
	_, err = s.Stats(ctx, feedback.StatsQuery{From: base, To: base, Group: feedback.StatsByUnit})
	wantCode(t, err, feedback.EINVALID)
	wantCode(t, s.RecordResolution(ctx, "missing", 5), feedback.ENOTFOUND)
}

func compareRows(t *testing.T, got, want []feedback.StatsRow) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Stats =\n%s\nwant\n%s", dump(got), dump(want))
	}
}

func dump(rows []feedback.StatsRow) string {
	s := ""
	for _, r := range rows {
		s += fmt.Sprintf("%s: recv=%d res=%d open=%d over=%d sla=%v fr=%v/%v rs=%v/%v reopen=%v sat=%v rated=%d\n",
			r.Key, r.Received, r.Resolved, r.Open, r.Overdue, p(r.SLAMetPct), p(r.FirstResponseMedianH), p(r.FirstResponseP90H),
			p(r.ResolutionMedianH), p(r.ResolutionP90H), p(r.ReopenRate), p(r.AvgSatisfaction), r.Rated)
	}
	return s
}

func p(v *float64) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprint(*v)
}
