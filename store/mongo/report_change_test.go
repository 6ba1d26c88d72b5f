package mongo

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"phananh/feedback"
)

// TestApplyChangeValidatesFirst checks that a change with an audit entry
// AppendAudit would refuse is refused before anything is written, on every
// server (without transactions too), and that the timings follow the
// RecordFirstResponse rule: a later change keeps the first value.
func TestApplyChangeValidatesFirst(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)
	r := &feedback.Report{ID: feedback.NewID(), Code: feedback.NewCode(), Text: "Cây đổ chắn đường",
		Status: feedback.StatusInProgress, Priority: feedback.PriorityNormal, Unit: "u_a", CreatedAt: at}
	stored, _, _, err := s.CreateReport(ctx, r, []feedback.Event{{Type: feedback.EventCreated}})
	mustOK(t, err)
	next := *stored
	next.Status = feedback.StatusResolved
	fr := int64(45)
	c := feedback.ReportChange{Report: &next, FirstResponseMinutes: &fr,
		Events: []feedback.Event{{Type: feedback.EventStatusChanged}},
		Audit:  &feedback.AuditEntry{At: at, Action: "report.transition", Subject: r.Code}} // no actor
	if _, err := s.ApplyChange(ctx, c); feedback.ErrorCode(err) != feedback.EINVALID {
		t.Fatalf("ApplyChange with an audit entry without actor: %v, want EINVALID", err)
	}
	got, err := s.ReportByID(ctx, r.ID)
	mustOK(t, err)
	if got.Version != stored.Version || got.Status != feedback.StatusInProgress {
		t.Fatalf("report changed by a refused change: %+v", got)
	}
	var td timingDoc
	if err := s.timings.FindOne(ctx, bson.D{{Key: "_id", Value: r.ID}}).Decode(&td); !errors.Is(err, mongo.ErrNoDocuments) {
		t.Fatalf("timings after a refused change: %+v (%v)", td, err)
	}

	c.Audit.ActorID = "u1"
	_, err = s.ApplyChange(ctx, c)
	mustOK(t, err)
	again := next
	later := int64(999)
	_, err = s.ApplyChange(ctx, feedback.ReportChange{Report: &again, FirstResponseMinutes: &later})
	mustOK(t, err)
	mustOK(t, s.timings.FindOne(ctx, bson.D{{Key: "_id", Value: r.ID}}).Decode(&td))
	if td.FirstResponseMin == nil || *td.FirstResponseMin != 45 {
		t.Fatalf("first response = %v, want the first value 45 kept", td.FirstResponseMin)
	}
}
