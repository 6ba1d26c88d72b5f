package storetest

import (
	"sync"
	"testing"
	"time"

	"phananh/feedback"
)

// startWork moves r from assigned to in_progress and returns its event.
func startWork(r *feedback.Report, actor string) feedback.Event {
	from := r.Status
	r.Status = feedback.StatusInProgress
	r.AssigneeID = actor
	r.FirstResponseAt = ptr(base.Add(time.Hour))
	return feedback.Event{
		Type: feedback.EventStatusChanged, ReportID: r.ID, ReportCode: r.Code, UnitID: r.Unit,
		Public: true, Actor: feedback.UserActor(actor), From: from, To: r.Status,
		Text: "Đã cử người xuống hiện trường", At: base.Add(time.Hour),
	}
}

func assignedReport() *feedback.Report {
	r := minimalReport(base)
	r.Status, r.Unit, r.Category, r.Ward = feedback.StatusAssigned, "ubnd_p5", "lan_chiem", "p5"
	return r
}

func testUpdateCAS(t *testing.T, s feedback.Store) {
	ctx := t.Context()
	mustCreate(t, s, assignedReport())
	first := lastSeq(t, s)
	stored, err := s.Report(ctx, allEvents(t, s)[0].ReportCode)
	must(t, "Report", err)
	stale := *stored

	r := *stored
	ev := startWork(&r, "u1")
	before := time.Now().Add(-time.Millisecond)
	appended, err := s.UpdateReport(ctx, &r, []feedback.Event{ev})
	must(t, "UpdateReport", err)
	if r.Version != stored.Version+1 {
		t.Fatalf("version after update = %d, want %d", r.Version, stored.Version+1)
	}
	if r.UpdatedAt.Before(before) || r.UpdatedAt.After(time.Now().Add(time.Second)) {
		t.Fatalf("UpdatedAt = %v, want the store's clock (about %v)", r.UpdatedAt, before)
	}
	if len(appended) != 1 || appended[0].Seq <= first {
		t.Fatalf("appended = %s, want one event after seq %d", dump(appended), first)
	}
	ev.Seq = appended[0].Seq
	sameEvents(t, "appended", []feedback.Event{ev}, appended)
	got, err := s.ReportByID(ctx, r.ID)
	must(t, "ReportByID", err)
	sameReport(t, "after update", &r, got)

	// The stale copy still carries the old version: it must lose and write
	// nothing, neither the report nor an event.
	stale.Status = feedback.StatusRejected
	_, err = s.UpdateReport(ctx, &stale, []feedback.Event{{Type: feedback.EventStatusChanged, ReportID: r.ID, At: base}})
	wantCode(t, "stale update", err, feedback.ECONFLICT)
	if got := lastSeq(t, s); got != appended[0].Seq {
		t.Fatalf("failed CAS appended an event: last seq %d, want %d", got, appended[0].Seq)
	}
	got, err = s.ReportByID(ctx, r.ID)
	must(t, "ReportByID", err)
	sameReport(t, "after lost CAS", &r, got)
}

// testUpdateRefilters checks that filters see the updated fields, not the
// ones the report was created with.
func testUpdateRefilters(t *testing.T, s feedback.Store) {
	ctx := t.Context()
	r := assignedReport()
	r.Location = feedback.Location{Lat: ptr(13.05), Lng: ptr(109.25)}
	r = mustCreate(t, s, r)
	ev := startWork(r, "u-7")
	r.Unit, r.Ward, r.Category, r.Public = "qldt", "p9", "xay_dung", false
	r.DueAt = base.Add(time.Hour)
	r.Location = feedback.Location{Lat: ptr(13.1), Lng: ptr(109.3)}
	r.Text = "Công trình xây dựng không phép lấn chiếm vỉa hè"
	_, err := s.UpdateReport(ctx, r, []feedback.Event{ev})
	must(t, "UpdateReport", err)
	overdue := base.Add(2 * time.Hour)
	cases := []struct {
		name string
		f    feedback.ReportFilter
		want int
	}{
		{"new status", feedback.ReportFilter{Status: []feedback.Status{feedback.StatusInProgress}}, 1},
		{"old status", feedback.ReportFilter{Status: []feedback.Status{feedback.StatusAssigned}}, 0},
		{"new unit", feedback.ReportFilter{Unit: "qldt"}, 1},
		{"old unit", feedback.ReportFilter{Unit: "ubnd_p5"}, 0},
		{"new ward and category", feedback.ReportFilter{Ward: "p9", Category: "xay_dung"}, 1},
		{"assignee", feedback.ReportFilter{Assignee: "u-7"}, 1},
		{"no longer public", feedback.ReportFilter{PublicOnly: true}, 0},
		{"new due time", feedback.ReportFilter{OverdueAt: overdue}, 1},
		{"new text", feedback.ReportFilter{Text: "LẤN CHIẾM"}, 1},
		{"new point", feedback.ReportFilter{BBox: &[4]float64{109.29, 13.09, 109.31, 13.11}}, 1},
		{"old point", feedback.ReportFilter{BBox: &[4]float64{109.24, 13.04, 109.26, 13.06}}, 0},
		{"old text", feedback.ReportFilter{Text: "đèn đường"}, 0},
	}
	for _, c := range cases {
		page, err := s.FindReports(ctx, c.f)
		must(t, c.name, err)
		if len(page.Reports) != c.want {
			t.Errorf("%s: %d reports, want %d", c.name, len(page.Reports), c.want)
		}
	}
}

func testUpdateMissing(t *testing.T, s feedback.Store) {
	r := assignedReport()
	r.Version = 1
	_, err := s.UpdateReport(t.Context(), r, []feedback.Event{startWork(r, "u1")})
	wantCode(t, "update of a missing report", err, feedback.ENOTFOUND)
	if got := lastSeq(t, s); got != 0 {
		t.Fatalf("missing update appended events: last seq %d", got)
	}
}

// testConcurrentTransition has 8 officers start work on one report at once.
func (st suite) testConcurrentTransition(t *testing.T, s feedback.Store) {
	if !st.caps.AtomicConcurrentUpdates {
		t.Skip("backend lacks atomic compare-and-set under concurrency (e.g. FerretDB); run against a real MongoDB via PHANANH_TEST_MONGO_URI")
	}
	const racers = 8
	stored := mustCreate(t, s, assignedReport())
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			r := *stored
			ev := startWork(&r, feedback.NewID())
			<-start
			_, errs[i] = s.UpdateReport(t.Context(), &r, []feedback.Event{ev})
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		wantCode(t, "racing transition", err, feedback.ECONFLICT)
	}
	if wins != 1 {
		t.Fatalf("%d of %d racing transitions won, want exactly 1", wins, racers)
	}
	evs, err := s.Events(t.Context(), feedback.EventFilter{ReportID: stored.ID})
	must(t, "Events", err)
	if len(evs) != 2 || evs[1].Type != feedback.EventStatusChanged {
		t.Fatalf("events after the race: %s, want created + one status_changed", dump(evs))
	}
	got, err := s.ReportByID(t.Context(), stored.ID)
	must(t, "ReportByID", err)
	if got.Version != stored.Version+1 || got.Status != feedback.StatusInProgress {
		t.Fatalf("after the race: version %d status %s", got.Version, got.Status)
	}
	if feedback.UserActor(got.AssigneeID) != evs[1].Actor {
		t.Fatalf("stored assignee %q is not the winner %q", got.AssigneeID, evs[1].Actor)
	}
}
