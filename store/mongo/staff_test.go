package mongo

import (
	"testing"
	"time"

	"phananh/feedback"
	"phananh/store/stafftest"
)

// TestStaffContract runs the shared staff store contract suite.
func TestStaffContract(t *testing.T) {
	stafftest.Run(t, func(t *testing.T) stafftest.Store { return MustOpen(t) })
}

// TestTimingsSurviveReportUpdates checks that the working-time measurements
// outlive UpdateReport, which replaces the whole report document.
func TestTimingsSurviveReportUpdates(t *testing.T) {
	s := MustOpen(t)
	ctx := t.Context()
	created := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)
	r := &feedback.Report{
		ID: feedback.NewID(), Code: feedback.NewCode(), Text: "Cống thoát nước bị tắc",
		Channel: feedback.ChannelWeb, Status: feedback.StatusAssigned, Priority: feedback.PriorityNormal,
		Unit: "ubnd_p1", Category: "thoat_nuoc", Ward: "p1", CreatedAt: created,
	}
	stored, _, _, err := s.CreateReport(ctx, r, []feedback.Event{{Type: feedback.EventCreated}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordFirstResponse(ctx, r.ID, 90); err != nil {
		t.Fatal(err)
	}
	stored.Status = feedback.StatusInProgress
	if _, err := s.UpdateReport(ctx, stored, []feedback.Event{{Type: feedback.EventStatusChanged}}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Stats(ctx, feedback.StatsQuery{
		From: created, To: created.Add(time.Hour), Group: feedback.StatsByUnit, Now: created.Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].FirstResponseMedianH == nil || *rows[0].FirstResponseMedianH != 1.5 {
		t.Fatalf("stats after an update: %+v, want one row with a 1.5 h first response", rows)
	}
	if err := s.RecordFirstResponse(ctx, feedback.NewID(), 5); feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Fatalf("RecordFirstResponse of a missing report: %v, want not found", err)
	}
}
