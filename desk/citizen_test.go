package desk

import (
	"context"
	"testing"

	"phananh/feedback"
)

func TestCitizenConfirm(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.report(t, "ubnd_p1", feedback.StatusResolved)
	_, err := f.desk.Confirm(ctx, r.Code, "sai")
	wantCode(t, err, feedback.EFORBIDDEN)
	got, err := f.desk.Confirm(ctx, r.Code, token)
	if err != nil || got.Status != feedback.StatusClosed || got.ClosedAt == nil {
		t.Fatalf("confirm: %+v %v", got, err)
	}
	_, err = f.desk.Confirm(ctx, r.Code, token)
	wantCode(t, err, feedback.EINVALID) // already closed
	evs := f.events(t, r, feedback.EventStatusChanged)
	if len(evs) != 1 || evs[0].Actor != feedback.ActorCitizen || !evs[0].Public {
		t.Fatalf("events = %+v", evs)
	}
	_, err = f.desk.Confirm(ctx, "ZZZZZZZZ", token)
	wantCode(t, err, feedback.ENOTFOUND)
}

func TestCitizenReopenAndRate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.report(t, "ubnd_p1", feedback.StatusResolved)
	_, err := f.desk.Reopen(ctx, r.Code, token, "  ")
	wantCode(t, err, feedback.EINVALID)
	got, err := f.desk.Reopen(ctx, r.Code, token, "Rác vẫn còn nguyên ở đầu hẻm")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != feedback.StatusInProgress || got.ReopenCount != 1 || got.ResolvedAt != nil {
		t.Fatalf("reopened = %+v", got)
	}
	_, err = f.desk.Rate(ctx, r.Code, token, 4, "")
	wantCode(t, err, feedback.EINVALID) // not resolved any more
	if _, err := f.desk.Transition(ctx, f.as("officer"), r.Code, TransitionInput{To: feedback.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []int{0, 6} {
		_, err = f.desk.Rate(ctx, r.Code, token, bad, "")
		wantCode(t, err, feedback.EINVALID)
	}
	got, err = f.desk.Rate(ctx, r.Code, token, 2, "Lần hai mới xong")
	if err != nil || got.Rating != 2 || got.RatingComment != "Lần hai mới xong" {
		t.Fatalf("rate: %+v %v", got, err)
	}
	evs := f.events(t, r, feedback.EventRated)
	if len(evs) != 1 || evs[0].Data["score"] != "2" || evs[0].Public {
		t.Fatalf("rated events = %+v", evs)
	}
	// No staff audit entry for the citizen's actions; the officer's is there.
	audit, _ := f.store.Audit(ctx, feedback.AuditFilter{Subject: r.Code})
	if len(audit) != 1 || audit[0].ActorID != f.users["officer"].ID {
		t.Fatalf("audit = %+v", audit)
	}
}
