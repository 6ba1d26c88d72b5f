package stafftest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"phananh/feedback"
)

// testApplyChange checks feedback.ChangeStore: a change stores the report,
// its events, the audit entry and the timings together; a change against a
// stale version stores none of them.
func testApplyChange(t *testing.T, s Store) {
	cs, ok := s.(feedback.ChangeStore)
	if !ok {
		t.Skip("store does not implement feedback.ChangeStore")
	}
	ctx := context.Background()
	r := &feedback.Report{
		ID: feedback.NewID(), Code: feedback.NewCode(), Text: "Đèn đường hỏng ở ngõ 12",
		Channel: feedback.ChannelWeb, Status: feedback.StatusInProgress, Priority: feedback.PriorityNormal,
		Unit: "u_a", Category: "den_duong", Ward: "p1", CreatedAt: base, DueAt: base.Add(5 * day),
	}
	r, _, _, err := s.CreateReport(ctx, r, []feedback.Event{{Type: feedback.EventCreated, ReportID: r.ID, At: base}})
	must(t, err)
	stale := *r

	next := *r
	at := base.Add(10 * time.Hour)
	next.Status, next.ResolvedAt, next.FirstResponseAt = feedback.StatusResolved, &at, &at
	fr, rs := int64(30), int64(600)
	audit := changeAudit(next.Code, at)
	appended, err := cs.ApplyChange(ctx, feedback.ReportChange{
		Report: &next, Events: []feedback.Event{changeEvent(&next, at)},
		Audit: audit, FirstResponseMinutes: &fr, ResolutionMinutes: &rs,
	})
	must(t, err)
	if len(appended) != 1 || appended[0].Seq == 0 || next.Version != r.Version+1 || audit.Seq == 0 {
		t.Fatalf("ApplyChange: appended %+v, version %d (from %d), audit seq %d", appended, next.Version, r.Version, audit.Seq)
	}
	got, err := s.ReportByID(ctx, r.ID)
	must(t, err)
	if got.Status != feedback.StatusResolved || got.Version != next.Version {
		t.Fatalf("stored report: status %s version %d, want resolved %d", got.Status, got.Version, next.Version)
	}
	wantChangeState(t, s, r, 1, 2)

	// The same change against the version it started from lost the race:
	// nothing of it may be stored.
	stale.Status = feedback.StatusRejected
	late, lateRS := int64(5), int64(5)
	_, err = cs.ApplyChange(ctx, feedback.ReportChange{
		Report: &stale, Events: []feedback.Event{changeEvent(&stale, at)},
		Audit: changeAudit(stale.Code, at.Add(time.Minute)), FirstResponseMinutes: &late, ResolutionMinutes: &lateRS,
	})
	wantCode(t, err, feedback.ECONFLICT)
	got, err = s.ReportByID(ctx, r.ID)
	must(t, err)
	if got.Status != feedback.StatusResolved || got.Version != next.Version {
		t.Fatalf("after a lost race: status %s version %d", got.Status, got.Version)
	}
	wantChangeState(t, s, r, 1, 2)
}

func changeEvent(r *feedback.Report, at time.Time) feedback.Event {
	return feedback.Event{Type: feedback.EventStatusChanged, ReportID: r.ID, ReportCode: r.Code, UnitID: r.Unit,
		Actor: "user:u1", At: at, Data: map[string]string{"from": "in_progress", "to": string(r.Status)}}
}

func changeAudit(code string, at time.Time) *feedback.AuditEntry {
	return &feedback.AuditEntry{At: at, ActorID: "u1", ActorName: "an", ActorRole: feedback.RoleOfficer,
		Action: "report.transition", Subject: code,
		Before: json.RawMessage(`{"status":"in_progress"}`), After: json.RawMessage(`{"status":"resolved"}`)}
}

// wantChangeState checks what the one successful change left: its audit
// entries, the report's events and the timings (30 and 600 minutes).
func wantChangeState(t *testing.T, s Store, r *feedback.Report, audits, events int) {
	t.Helper()
	ctx := context.Background()
	entries, err := s.Audit(ctx, feedback.AuditFilter{Subject: r.Code})
	must(t, err)
	if len(entries) != audits || entries[0].Action != "report.transition" || entries[0].ActorID != "u1" ||
		string(entries[0].After) != `{"status":"resolved"}` {
		t.Fatalf("audit of %s = %+v, want %d report.transition entry", r.Code, entries, audits)
	}
	evs, err := s.Events(ctx, feedback.EventFilter{ReportID: r.ID})
	must(t, err)
	if len(evs) != events || evs[len(evs)-1].Type != feedback.EventStatusChanged {
		t.Fatalf("events of the report = %+v, want %d ending with status_changed", evs, events)
	}
	rows, err := s.Stats(ctx, feedback.StatsQuery{From: base, To: base.Add(day), Group: feedback.StatsByUnit, Now: now})
	must(t, err)
	if len(rows) != 1 || rows[0].Resolved != 1 || ptr(rows[0].FirstResponseMedianH) != 0.5 || ptr(rows[0].ResolutionMedianH) != 10 {
		t.Fatalf("stats = %s, want one resolved report, first response 0.5 h, resolution 10 h", dump(rows))
	}
}

func ptr(f *float64) float64 {
	if f == nil {
		return -1
	}
	return *f
}
