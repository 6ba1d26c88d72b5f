package sqlite

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"phananh/feedback"
)

// changeFixture stores a report in progress and returns it with a change
// that resolves it, carrying an audit entry and both timings.
func changeFixture(t *testing.T, s *Store) (*feedback.Report, feedback.ReportChange) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)
	r := &feedback.Report{ID: feedback.NewID(), Code: feedback.NewCode(), Text: "Ống nước vỡ trước nhà số 5",
		Status: feedback.StatusInProgress, Priority: feedback.PriorityNormal, Unit: "u_a", CreatedAt: at}
	stored, _, _, err := s.CreateReport(ctx, r, []feedback.Event{{Type: feedback.EventCreated, ReportID: r.ID}})
	if err != nil {
		t.Fatal(err)
	}
	next := *stored
	done := at.Add(time.Hour)
	next.Status, next.ResolvedAt, next.FirstResponseAt = feedback.StatusResolved, &done, &done
	fr, rs := int64(60), int64(60)
	return stored, feedback.ReportChange{
		Report:               &next,
		Events:               []feedback.Event{{Type: feedback.EventStatusChanged, ReportID: r.ID, From: "in_progress", To: "resolved"}},
		Audit:                &feedback.AuditEntry{At: done, ActorID: "u1", Action: "report.transition", Subject: r.Code},
		FirstResponseMinutes: &fr, ResolutionMinutes: &rs,
	}
}

// wantUntouched checks that a failed change left no trace: the report as
// it was, only its first event, no audit entry and no timings.
func wantUntouched(t *testing.T, s *Store, before *feedback.Report) {
	t.Helper()
	ctx := context.Background()
	got, err := s.ReportByID(ctx, before.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != before.Status || got.Version != before.Version {
		t.Fatalf("report changed: status %s version %d, want %s %d", got.Status, got.Version, before.Status, before.Version)
	}
	evs, err := s.Events(ctx, feedback.EventFilter{ReportID: before.ID})
	if err != nil || len(evs) != 1 {
		t.Fatalf("events = %+v (%v), want only the created event", evs, err)
	}
	audit, err := s.Audit(ctx, feedback.AuditFilter{Subject: before.Code})
	if err != nil || len(audit) != 0 {
		t.Fatalf("audit = %+v (%v), want none", audit, err)
	}
	if err := s.syncStats(ctx); err != nil {
		t.Fatal(err)
	}
	var fr, rs sql.NullInt64
	if err := s.rdb.QueryRowContext(ctx, `SELECT fr, rs FROM report_stats WHERE report_id = ?`, before.ID).Scan(&fr, &rs); err != nil {
		t.Fatal(err)
	}
	if fr.Valid || rs.Valid {
		t.Fatalf("timings fr=%v rs=%v stored by a failed change", fr, rs)
	}
}

func TestApplyChangeRefusesInvalidAudit(t *testing.T) {
	s := MustOpen(t)
	before, c := changeFixture(t, s)
	c.Audit.ActorID = ""
	_, err := s.ApplyChange(context.Background(), c)
	if feedback.ErrorCode(err) != feedback.EINVALID {
		t.Fatalf("ApplyChange with an audit entry without actor: %v, want EINVALID", err)
	}
	wantUntouched(t, s, before)
}

// TestApplyChangeFailingPartWritesNothing makes the last part, the audit
// insert, fail inside the write, after the report, its events and the
// timings were written: all of them must be undone.
func TestApplyChangeFailingPartWritesNothing(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	before, c := changeFixture(t, s)
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TRIGGER test_audit_fails BEFORE INSERT ON audit_log
			BEGIN SELECT RAISE(ABORT, 'audit refused by test'); END`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyChange(ctx, c); err == nil {
		t.Fatal("ApplyChange succeeded although its audit insert failed")
	}
	wantUntouched(t, s, before)
	if c.Audit.Seq != 0 {
		t.Fatalf("audit Seq = %d after a failed change", c.Audit.Seq)
	}

	// Without the failure the same change goes through whole.
	if err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DROP TRIGGER test_audit_fails`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	appended, err := s.ApplyChange(ctx, c)
	if err != nil || len(appended) != 1 || c.Audit.Seq == 0 || c.Report.Version != before.Version+1 {
		t.Fatalf("retry: appended %+v, audit seq %d, version %d, err %v", appended, c.Audit.Seq, c.Report.Version, err)
	}
}
