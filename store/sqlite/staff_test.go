package sqlite

import (
	"context"
	"testing"
	"time"

	"phananh/feedback"
	"phananh/store/stafftest"
)

func TestStaffContract(t *testing.T) {
	stafftest.Run(t, func(t *testing.T) stafftest.Store { return MustOpen(t) })
}

// TestAuditLogIsAppendOnly checks the triggers: even SQL that bypasses the
// store's methods cannot change or delete an audit entry.
func TestAuditLogIsAppendOnly(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	for _, q := range []string{`UPDATE audit_log SET action = 'x'`, `DELETE FROM audit_log`} {
		if _, err := s.wdb.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, action) VALUES (1, 'u', 'a')`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.wdb.ExecContext(ctx, q); err == nil {
			t.Errorf("%s succeeded on the append-only audit log", q)
		}
	}
}

func TestImportReports(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 4, 2, 0, 0, 0, time.UTC)
	mk := func(code string, st feedback.Status, fr, rs int64) ImportedReport {
		r := &feedback.Report{ID: feedback.NewID(), Code: code, Text: "Nhập hàng loạt", Channel: feedback.ChannelWeb,
			Status: st, Unit: "u1", Category: "rac_thai", Ward: "p1", CreatedAt: at, DueAt: at.Add(72 * time.Hour)}
		if st == feedback.StatusClosed {
			r.ResolvedAt = timePtr(at.Add(time.Hour))
		}
		return ImportedReport{Report: r, Events: []feedback.Event{{Type: feedback.EventCreated, At: at}},
			FirstResponseMinutes: fr, ResolutionMinutes: rs}
	}
	if err := s.ImportReports(ctx, []ImportedReport{
		mk("AAAAAAA1", feedback.StatusClosed, 30, 60), mk("AAAAAAA2", feedback.StatusInProgress, 90, -1),
	}); err != nil {
		t.Fatal(err)
	}
	// A batch with a code already stored is refused whole.
	err := s.ImportReports(ctx, []ImportedReport{mk("AAAAAAA3", feedback.StatusAssigned, -1, -1), mk("AAAAAAA1", feedback.StatusAssigned, -1, -1)})
	if feedback.ErrorCode(err) != feedback.ECONFLICT {
		t.Fatalf("duplicate code: %v", err)
	}
	if _, err := s.Report(ctx, "AAAAAAA3"); feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Fatalf("half a batch was stored: %v", err)
	}
	rows, err := s.Stats(ctx, feedback.StatsQuery{From: at, To: at.Add(time.Hour), Group: feedback.StatsByUnit, Now: at})
	if err != nil || len(rows) != 1 {
		t.Fatalf("stats: %v %v", rows, err)
	}
	r := rows[0]
	if r.Received != 2 || r.Resolved != 1 || r.Open != 1 || *r.FirstResponseMedianH != 0.5 || *r.ResolutionMedianH != 1 || *r.SLAMetPct != 100 {
		t.Fatalf("row = %+v", r)
	}
	if evs, _ := s.Events(ctx, feedback.EventFilter{}); len(evs) != 2 {
		t.Fatalf("%d events imported, want 2", len(evs))
	}
}

func timePtr(t time.Time) *time.Time { return &t }
