package sqlite

import (
	"context"
	"testing"
	"time"

	"phananh/feedback"
)

// statsAsTriggers is what the 0104 triggers derived from the stored report;
// the rows the store writes itself must match it.
const statsAsTriggers = `SELECT r.created_at, r.unit, r.category, r.ward, r.status, r.due_at,
	CAST(round(unixepoch(json_extract(r.doc, '$.resolved_at'), 'subsec') * 1000) AS INTEGER) * 1000000,
	coalesce(json_extract(r.doc, '$.reopen_count'), 0), coalesce(json_extract(r.doc, '$.rating'), 0),
	coalesce(json_extract(r.doc, '$.escalation_level'), 0)
FROM reports r WHERE r.id = ?`

const statsStored = `SELECT created_at, unit, category, ward, status, due_at, resolved_at,
	reopen_count, rating, escalation_level FROM report_stats WHERE report_id = ?`

func TestReportStatsMatchTriggers(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 4, 2, 0, 0, 123456789, time.UTC)
	r := &feedback.Report{ID: feedback.NewID(), Code: "STATS001", Text: "Đèn đường hỏng", Channel: feedback.ChannelWeb,
		Status: feedback.StatusReceived, Unit: "u1", Category: "den_duong", Ward: "p1", CreatedAt: at, DueAt: at.Add(72 * time.Hour)}
	stored, _, _, err := s.CreateReport(ctx, r, []feedback.Event{{Type: feedback.EventCreated, ReportID: r.ID}})
	if err != nil {
		t.Fatal(err)
	}
	compareStats(t, s, r.ID)
	for _, ns := range []int{499_999, 500_000, 999_999_999} {
		next := *stored
		resolved := at.Add(5*time.Hour + time.Duration(ns))
		next.Status, next.ResolvedAt = feedback.StatusResolved, &resolved
		next.ReopenCount, next.Rating, next.EscalationLevel, next.Unit = 2, 4, 1, "u2"
		if _, err := s.UpdateReport(ctx, &next, nil); err != nil {
			t.Fatal(err)
		}
		stored = &next
		compareStats(t, s, r.ID)
	}
	// An update right after the create finds the row it changes, although
	// it was staged: the writer moves staged rows before any other write.
	r2 := *r
	r2.ID, r2.Code = feedback.NewID(), "STATS002"
	stored, _, _, err = s.CreateReport(ctx, &r2, nil)
	if err != nil {
		t.Fatal(err)
	}
	next := *stored
	next.Status, next.Unit = feedback.StatusAssigned, "u3"
	if _, err := s.UpdateReport(ctx, &next, nil); err != nil {
		t.Fatal(err)
	}
	var unit string
	if err := s.rdb.QueryRow(`SELECT unit FROM report_stats WHERE report_id = ?`, r2.ID).Scan(&unit); err != nil || unit != "u3" {
		t.Fatalf("report_stats unit after update = %q, %v; want u3", unit, err)
	}
}

// TestStagedStatsAreMoved checks that the writer empties the staging table
// on its own, without a read asking for it.
func TestStagedStatsAreMoved(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	r := &feedback.Report{ID: feedback.NewID(), Code: "STATS003", Text: "Rác", Channel: feedback.ChannelWeb,
		Status: feedback.StatusReceived, Unit: "u1", CreatedAt: time.Now()}
	if _, _, _, err := s.CreateReport(ctx, r, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * statsFlushEvery)
	for {
		var staged, stats int
		if err := s.rdb.QueryRow(`SELECT (SELECT count(*) FROM report_stats_staged), (SELECT count(*) FROM report_stats)`).Scan(&staged, &stats); err != nil {
			t.Fatal(err)
		}
		if staged == 0 && stats == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %d staged, %d in report_stats", 5*statsFlushEvery, staged, stats)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func compareStats(t *testing.T, s *Store, id string) {
	t.Helper()
	if err := s.syncStats(context.Background()); err != nil {
		t.Fatal(err)
	}
	want, got := make([]any, 10), make([]any, 10)
	wp, gp := make([]any, 10), make([]any, 10)
	for i := range want {
		wp[i], gp[i] = &want[i], &got[i]
	}
	if err := s.rdb.QueryRow(statsAsTriggers, id).Scan(wp...); err != nil {
		t.Fatal(err)
	}
	if err := s.rdb.QueryRow(statsStored, id).Scan(gp...); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if want[i] != got[i] {
			t.Errorf("column %d: stored %v, triggers would store %v", i, got[i], want[i])
		}
	}
}
