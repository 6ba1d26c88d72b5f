package desk

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"phananh/feedback"
)

func TestConcurrentTransitionsOneWins(t *testing.T) {
	f := newFixture(t)
	r := f.report(t, "ubnd_p1", feedback.StatusAssigned)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = f.desk.Transition(context.Background(), f.as("officer"), r.Code,
				TransitionInput{To: feedback.StatusInProgress, Note: "nhận xử lý"})
		}()
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, err := range errs {
		var ce *ConflictError
		switch {
		case err == nil:
			wins++
		case errors.As(err, &ce):
			if feedback.ErrorCode(err) != feedback.ECONFLICT || ce.Current == nil || ce.Current.Status != feedback.StatusInProgress {
				t.Errorf("conflict without the current state: %v %+v", err, ce.Current)
			}
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d transitions won, want exactly 1", wins)
	}
	if got := len(f.events(t, r, feedback.EventStatusChanged)); got != 1 {
		t.Fatalf("%d status events stored, want 1", got)
	}
}

func TestTransitionRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.report(t, "ubnd_p1", feedback.StatusAssigned)
	_, err := f.desk.Transition(ctx, f.as("officer"), r.Code, TransitionInput{To: feedback.StatusClosed})
	wantCode(t, err, feedback.EINVALID)
	_, err = f.desk.Transition(ctx, f.as("officer"), r.Code, TransitionInput{To: feedback.StatusRejected})
	wantCode(t, err, feedback.EINVALID) // a rejection needs a reason
	_, err = f.desk.Transition(ctx, f.as("officer"), r.Code, TransitionInput{To: feedback.StatusInProgress, Version: r.Version + 5})
	wantCode(t, err, feedback.ECONFLICT) // a stale view
	f.clock.Add(2 * time.Hour)
	got, err := f.desk.Transition(ctx, f.as("officer"), r.Code, TransitionInput{
		To: feedback.StatusInProgress, Note: "Nội bộ: đã gọi đội vệ sinh", PublicReply: "Phường đang xử lý"})
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstResponseAt == nil || !got.FirstResponseAt.Equal(f.clock.Now().UTC()) {
		t.Errorf("first response not recorded: %v", got.FirstResponseAt)
	}
	notes, replies := f.events(t, r, feedback.EventInternalNote), f.events(t, r, feedback.EventPublicReply)
	if len(notes) != 1 || notes[0].Public || len(replies) != 1 || !replies[0].Public {
		t.Fatalf("notes %+v replies %+v: the note must be staff-only, the reply public", notes, replies)
	}
	if notes[0].Actor != feedback.UserActor(f.users["officer"].ID) || notes[0].UnitID != "ubnd_p1" {
		t.Errorf("event actor/unit = %q/%q", notes[0].Actor, notes[0].UnitID)
	}
	f.clock.Add(3 * time.Hour)
	got, err = f.desk.Transition(ctx, f.as("officer"), r.Code, TransitionInput{To: feedback.StatusResolved})
	if err != nil || got.ResolvedAt == nil {
		t.Fatalf("resolve: %v %v", got, err)
	}
	audit, _ := f.store.Audit(ctx, feedback.AuditFilter{Subject: r.Code, Action: string(ActTransition)})
	if len(audit) != 2 || audit[0].IP != "203.0.113.7" || audit[0].ActorID != f.users["officer"].ID ||
		string(audit[0].Before) == string(audit[0].After) {
		t.Fatalf("audit = %+v", audit)
	}
}

// TestTimingsFeedStats checks that working minutes recorded by the desk
// reach the statistics: received Monday 09:00, first response at 11:00
// (2 working hours), resolved Tuesday 09:00 (7.5 working hours + 1.5 h).
func TestTimingsFeedStats(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.report(t, "ubnd_p1", feedback.StatusAssigned)
	f.clock.Add(2 * time.Hour)
	if _, err := f.desk.Transition(ctx, f.as("officer"), r.Code, TransitionInput{To: feedback.StatusInProgress}); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(22 * time.Hour)
	if _, err := f.desk.Transition(ctx, f.as("officer"), r.Code, TransitionInput{To: feedback.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	rows, err := f.desk.Stats(ctx, f.as("supervisor"), feedback.StatsQuery{From: monday09, To: monday09.Add(time.Hour), Group: feedback.StatsByUnit})
	if err != nil || len(rows) != 1 {
		t.Fatalf("stats: %v %v", rows, err)
	}
	// Monday 09:00-11:30 and 13:30-17:00 is 6 h; Tuesday 07:30-09:00 1.5 h.
	if fr, rs := rows[0].FirstResponseMedianH, rows[0].ResolutionMedianH; fr == nil || *fr != 2 || rs == nil || *rs != 7.5 {
		t.Fatalf("first response %v h, resolution %v h; want 2 and 7.5", deref(fr), deref(rs))
	}
}

func deref(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

func TestTransferIsARoutingCorrection(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.report(t, "ubnd_p1", feedback.StatusInProgress)
	_, err := f.desk.Transfer(ctx, f.as("manager"), r.Code, "moi_truong", " ", 0)
	wantCode(t, err, feedback.EINVALID)
	_, err = f.desk.Transfer(ctx, f.as("manager"), r.Code, "khong_co", "lý do", 0)
	wantCode(t, err, feedback.EINVALID)
	got, err := f.desk.Transition(ctx, f.as("manager"), r.Code, TransitionInput{
		To: feedback.StatusAssigned, Unit: "moi_truong", Reason: "Rác trên trục đường chính do công ty môi trường thu gom"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Unit != "moi_truong" || got.Status != feedback.StatusAssigned || got.AssigneeID != "" {
		t.Fatalf("after transfer: %+v", got)
	}
	evs := f.events(t, r, feedback.EventStatusChanged)
	e := evs[len(evs)-1]
	if e.From != feedback.StatusInProgress || e.To != feedback.StatusAssigned || e.Data["unit"] != "moi_truong" ||
		e.Data["old_unit"] != "ubnd_p1" || e.Text == "" || e.UnitID != "moi_truong" {
		t.Fatalf("transfer event = %+v", e)
	}
	// The report has left the manager's unit: it is now invisible to them.
	_, err = f.desk.Report(ctx, f.as("manager"), r.Code)
	wantCode(t, err, feedback.ENOTFOUND)
}

func TestRecategorizeEvent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.report(t, "ubnd_p1", feedback.StatusAssigned)
	_, err := f.desk.Recategorize(ctx, f.as("officer"), r.Code, "rac_thai", "p1")
	wantCode(t, err, feedback.EINVALID) // nothing changes
	if _, err := f.desk.Recategorize(ctx, f.as("officer"), r.Code, "", "p2"); err != nil {
		t.Fatal(err)
	}
	evs := f.events(t, r, feedback.EventRecategorized)
	want := map[string]string{"ward": "p2", "old_ward": "p1", "old_category": "rac_thai"}
	if len(evs) != 1 || len(evs[0].Data) != len(want) || evs[0].Public {
		t.Fatalf("recategorized = %+v", evs)
	}
	for k, v := range want {
		if evs[0].Data[k] != v {
			t.Errorf("Data[%q] = %q, want %q", k, evs[0].Data[k], v)
		}
	}
}

func TestAssignWithinUnit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.report(t, "ubnd_p1", feedback.StatusAssigned)
	_, err := f.desk.Assign(ctx, f.as("manager"), r.Code, f.users["officer_p2"].ID)
	wantCode(t, err, feedback.EINVALID) // not of the handling unit
	_, err = f.desk.Assign(ctx, f.as("officer"), r.Code, f.users["officer2"].ID)
	wantCode(t, err, feedback.EFORBIDDEN) // officers only take reports themselves
	got, err := f.desk.Assign(ctx, f.as("manager"), r.Code, f.users["officer2"].ID)
	if err != nil || got.AssigneeID != f.users["officer2"].ID {
		t.Fatalf("assign: %v %v", got, err)
	}
	mine, _ := f.desk.Queue(ctx, f.as("officer2"), QueueFilter{Assignee: "me"})
	if len(mine.Reports) != 1 {
		t.Fatalf("officer2's own queue has %d reports", len(mine.Reports))
	}
}

func TestMarkDuplicate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	orig := f.report(t, "ubnd_p1", feedback.StatusInProgress)
	first := f.report(t, "ubnd_p1", feedback.StatusAssigned)
	second := f.report(t, "ubnd_p1", feedback.StatusAssigned)
	if _, err := f.desk.MarkDuplicate(ctx, f.as("officer"), first.Code, orig.Code); err != nil {
		t.Fatal(err)
	}
	// Pointing at a duplicate follows it to the original.
	got, err := f.desk.MarkDuplicate(ctx, f.as("officer"), second.Code, first.Code)
	if err != nil {
		t.Fatal(err)
	}
	if got.DuplicateOf != orig.Code || got.Status != feedback.StatusRejected {
		t.Fatalf("duplicate = %+v", got)
	}
	o := f.reload(t, orig)
	if o.Supporters != 2 || len(f.events(t, orig, feedback.EventSupporterAdded)) != 2 {
		t.Fatalf("original supporters = %d", o.Supporters)
	}
	_, err = f.desk.MarkDuplicate(ctx, f.as("officer"), orig.Code, orig.Code)
	wantCode(t, err, feedback.EINVALID)
	other := f.report(t, "ubnd_p2", feedback.StatusAssigned)
	third := f.report(t, "ubnd_p1", feedback.StatusAssigned)
	_, err = f.desk.MarkDuplicate(ctx, f.as("officer"), third.Code, other.Code)
	wantCode(t, err, feedback.EINVALID) // another unit's original is not found
}

func TestAfterPhoto(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.report(t, "ubnd_p1", feedback.StatusAssigned)
	_, err := f.desk.AddPhoto(ctx, f.as("officer"), r.Code, pngBytes(t))
	wantCode(t, err, feedback.EINVALID) // not yet in progress
	r2 := f.report(t, "ubnd_p1", feedback.StatusResolved)
	_, err = f.desk.AddPhoto(ctx, f.as("officer"), r2.Code, []byte("không phải ảnh"))
	if err == nil {
		t.Fatal("junk accepted as a photo")
	}
	got, err := f.desk.AddPhoto(ctx, f.as("officer"), r2.Code, pngBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Photos) != 1 || got.Photos[0].Kind != feedback.PhotoAfter || len(got.Photos[0].ID) != 64 {
		t.Fatalf("photos = %+v", got.Photos)
	}
	if evs := f.events(t, r2, feedback.EventPhotoAdded); len(evs) != 1 || evs[0].Data["kind"] != "after" || !evs[0].Public {
		t.Fatalf("photo events = %+v", evs)
	}
}

// TestConflictDoesNotLeakATransferredReport: an officer whose change loses
// to a transfer out of their unit must not receive the report's new state.
func TestConflictDoesNotLeakATransferredReport(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.report(t, "ubnd_p1", feedback.StatusAssigned)
	if _, err := f.desk.Transfer(ctx, f.as("manager"), r.Code, "ubnd_p2", "Thuộc địa bàn phường 2", 0); err != nil {
		t.Fatal(err)
	}
	// The officer's change was prepared on the old version.
	_, err := f.desk.apply(ctx, f.as("officer"), string(ActNote), r, func(r *feedback.Report, now time.Time) ([]feedback.Event, error) {
		return textEvent(feedback.EventInternalNote, "ghi chú muộn")
	})
	var ce *ConflictError
	if errors.As(err, &ce) || feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Fatalf("lost race after a transfer: %v (conflict carries a report: %v)", err, ce != nil)
	}
}
