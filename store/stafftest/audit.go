package stafftest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"phananh/feedback"
)

func testAudit(t *testing.T, s Store) {
	ctx := context.Background()
	entries := []*feedback.AuditEntry{
		{At: base, ActorID: "u1", ActorName: "an", ActorRole: feedback.RoleOfficer, IP: "203.0.113.7",
			Action: "report.transition", Subject: "AB12CD34",
			Before: json.RawMessage(`{"status":"assigned"}`), After: json.RawMessage(`{"status":"in_progress"}`)},
		{At: base.Add(time.Minute), ActorID: "u2", Action: "report.note", Subject: "AB12CD34"},
		{At: base.Add(2 * time.Minute), ActorID: "cli", Action: "user.add", Subject: "u3"},
	}
	var last int64
	for _, e := range entries {
		must(t, s.AppendAudit(ctx, e))
		if e.Seq <= last {
			t.Fatalf("Seq %d not increasing after %d", e.Seq, last)
		}
		last = e.Seq
	}
	wantCode(t, s.AppendAudit(ctx, &feedback.AuditEntry{At: base, ActorID: "u1"}), feedback.EINVALID)

	all, err := s.Audit(ctx, feedback.AuditFilter{})
	must(t, err)
	if len(all) != 3 || all[0].Action != "user.add" || all[2].Action != "report.transition" {
		t.Fatalf("Audit() = %+v, want newest first", all)
	}
	first := all[2]
	if first.IP != "203.0.113.7" || first.ActorRole != feedback.RoleOfficer || first.ActorName != "an" ||
		!first.At.Equal(base) || string(first.Before) != `{"status":"assigned"}` || string(first.After) != `{"status":"in_progress"}` {
		t.Fatalf("entry round trip: %+v", first)
	}
	bySubject, err := s.Audit(ctx, feedback.AuditFilter{Subject: "AB12CD34", Limit: 1})
	must(t, err)
	if len(bySubject) != 1 || bySubject[0].Action != "report.note" {
		t.Fatalf("subject filter with limit 1 = %+v", bySubject)
	}
	older, err := s.Audit(ctx, feedback.AuditFilter{Subject: "AB12CD34", BeforeSeq: bySubject[0].Seq})
	must(t, err)
	if len(older) != 1 || older[0].Action != "report.transition" {
		t.Fatalf("next page = %+v", older)
	}
	window, err := s.Audit(ctx, feedback.AuditFilter{Since: base.Add(time.Minute), Until: base.Add(2 * time.Minute), ActorID: "u2"})
	must(t, err)
	if len(window) != 1 || window[0].ActorID != "u2" {
		t.Fatalf("time window = %+v", window)
	}
}
