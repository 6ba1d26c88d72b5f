package storetest

import (
	"sync"
	"testing"
	"time"

	"phananh/feedback"
)

func (st suite) reportTests() []storeTest {
	return []storeTest{
		{"CreateRoundTripEveryField", testCreateRoundTrip},
		{"CreateRoundTripMinimal", testCreateMinimal},
		{"CreateIdempotencyKey", testIdempotency},
		{"CreateCodeCollision", testCodeCollision},
		{"CreateInvalid", testCreateInvalid},
		{"CreateConcurrentMixedOutcomes", testConcurrentCreates},
		{"MissingReports", testMissingReports},
		{"UpdateCompareAndSet", testUpdateCAS},
		{"UpdateMissing", testUpdateMissing},
		{"UpdateConcurrentSameTransition", st.testConcurrentTransition},
		{"UpdateMovesReportBetweenQueues", testUpdateRefilters},
	}
}

func testCreateRoundTrip(t *testing.T, s feedback.Store) {
	r := fullReport()
	classified := feedback.Event{
		Type: feedback.EventClassified, ReportID: r.ID, ReportCode: r.Code, UnitID: r.Unit,
		Actor: feedback.ActorSystem, Text: "local model", At: r.CreatedAt,
		Data: map[string]string{"category": "rac_thai", "ward": "p1"},
	}
	in := []feedback.Event{createdEvent(r), classified}
	stored, created, appended, err := s.CreateReport(t.Context(), r, in)
	must(t, "CreateReport", err)
	if !created {
		t.Fatal("created = false for a new report")
	}
	want := *r
	want.Version = 1
	sameReport(t, "stored", &want, stored)
	if len(appended) != 2 || appended[0].Seq <= 0 || appended[1].Seq <= appended[0].Seq {
		t.Fatalf("appended seqs not strictly increasing from 1: %s", dump(appended))
	}
	in[0].Seq, in[1].Seq = appended[0].Seq, appended[1].Seq
	sameEvents(t, "appended", in, appended)
	sameEvents(t, "Events", in, allEvents(t, s))

	got, err := s.Report(t.Context(), r.Code)
	must(t, "Report", err)
	sameReport(t, "Report", &want, got)
	wantUTC(t, "Report pointers", *got.FirstResponseAt, *got.ResolvedAt, *got.ClosedAt)
	got, err = s.ReportByID(t.Context(), r.ID)
	must(t, "ReportByID", err)
	sameReport(t, "ReportByID", &want, got)
}

func testCreateMinimal(t *testing.T, s feedback.Store) {
	r := minimalReport(base)
	stored := mustCreate(t, s, r)
	got, err := s.Report(t.Context(), r.Code)
	must(t, "Report", err)
	sameReport(t, "Report", stored, got)
	if got.Location.Lat != nil || got.Location.Lng != nil || got.FirstResponseAt != nil ||
		got.ResolvedAt != nil || got.ClosedAt != nil || !got.DueAt.IsZero() || len(got.Photos) != 0 {
		t.Fatalf("unset fields came back set: %s", dump(*got))
	}
}

func testIdempotency(t *testing.T, s feedback.Store) {
	first := minimalReport(base)
	first.IdempotencyKey = "web:form-token-1"
	mustCreate(t, s, first)
	seq := lastSeq(t, s)

	again := minimalReport(base.Add(time.Second))
	again.IdempotencyKey = first.IdempotencyKey
	stored, created, appended, err := s.CreateReport(t.Context(), again, []feedback.Event{createdEvent(again)})
	must(t, "CreateReport repeat", err)
	if created || len(appended) != 0 {
		t.Fatalf("repeat: created=%v appended=%d, want false and 0", created, len(appended))
	}
	if stored == nil || stored.Code != first.Code || stored.ID != first.ID {
		t.Fatalf("repeat returned %+v, want the first report %s", stored, first.Code)
	}
	if got := lastSeq(t, s); got != seq {
		t.Fatalf("repeat appended events: last seq %d, want %d", got, seq)
	}
	_, err = s.Report(t.Context(), again.Code)
	wantCode(t, "second code must not exist", err, feedback.ENOTFOUND)

	// Reports without a key never collide with each other.
	mustCreate(t, s, minimalReport(base))
	mustCreate(t, s, minimalReport(base))
}

func testCodeCollision(t *testing.T, s feedback.Store) {
	first := mustCreate(t, s, minimalReport(base))
	seq := lastSeq(t, s)
	dup := minimalReport(base)
	dup.Code = first.Code
	_, _, _, err := s.CreateReport(t.Context(), dup, []feedback.Event{createdEvent(dup)})
	wantCode(t, "same code", err, feedback.ECONFLICT)
	_, err = s.ReportByID(t.Context(), dup.ID)
	wantCode(t, "loser stored", err, feedback.ENOTFOUND)
	if got := lastSeq(t, s); got != seq {
		t.Fatalf("collision appended events: last seq %d, want %d", got, seq)
	}
}

func testCreateInvalid(t *testing.T, s feedback.Store) {
	cases := map[string]func(r *feedback.Report, evs []feedback.Event){
		"no id":         func(r *feedback.Report, _ []feedback.Event) { r.ID = "" },
		"no code":       func(r *feedback.Report, _ []feedback.Event) { r.Code = "" },
		"untyped event": func(_ *feedback.Report, evs []feedback.Event) { evs[0].Type = "" },
	}
	for name, spoil := range cases {
		r := minimalReport(base)
		evs := []feedback.Event{createdEvent(r)}
		spoil(r, evs)
		_, _, _, err := s.CreateReport(t.Context(), r, evs)
		wantCode(t, name, err, feedback.EINVALID)
	}
	if got := lastSeq(t, s); got != 0 {
		t.Fatalf("invalid creates appended events: last seq %d", got)
	}
}

// testConcurrentCreates races distinct reports, code collisions and a shared
// idempotency key: each write must succeed or fail on its own.
func testConcurrentCreates(t *testing.T, s feedback.Store) {
	const distinct, idem = 12, 4
	reports := make([]*feedback.Report, 0, distinct+4+idem)
	for i := 0; i < distinct; i++ {
		reports = append(reports, minimalReport(base.Add(time.Duration(i)*time.Second)))
	}
	for i := 0; i < 4; i++ { // losers or winners of a code race
		r := minimalReport(base)
		r.Code = reports[i].Code
		reports = append(reports, r)
	}
	for i := 0; i < idem; i++ {
		r := minimalReport(base)
		r.IdempotencyKey = "telegram:1:1"
		reports = append(reports, r)
	}
	results := make([]createResult, len(reports))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, r := range reports {
		wg.Go(func() {
			<-start
			stored, created, _, err := s.CreateReport(t.Context(), r, []feedback.Event{createdEvent(r)})
			results[i] = createResult{stored, created, err}
		})
	}
	close(start)
	wg.Wait()

	storedIDs := map[string]bool{}
	for i := 0; i < distinct+4; i++ {
		res := results[i]
		switch {
		case res.err == nil && res.created:
			storedIDs[reports[i].ID] = true
		case i >= 4 && i < distinct:
			t.Fatalf("distinct report %d: created=%v err=%v", i, res.created, res.err)
		default:
			wantCode(t, "code race loser", res.err, feedback.ECONFLICT)
		}
	}
	for i := 0; i < 4; i++ {
		if storedIDs[reports[i].ID] == storedIDs[reports[distinct+i].ID] {
			t.Fatalf("code race %d: want exactly one winner", i)
		}
	}
	checkIdemRace(t, results[distinct+4:])
	if idemWinners(t, s, reports[distinct+4:], storedIDs); len(storedIDs) != distinct+1 {
		t.Fatalf("%d reports stored, want %d", len(storedIDs), distinct+1)
	}
	checkOneCreatedEventEach(t, s, storedIDs)
}

// createResult is what one racing CreateReport returned.
type createResult struct {
	stored  *feedback.Report
	created bool
	err     error
}

// checkIdemRace checks that racers sharing a key all succeed, one creating.
func checkIdemRace(t *testing.T, results []createResult) {
	t.Helper()
	created := 0
	for _, res := range results {
		must(t, "idempotent create", res.err)
		if res.stored == nil || res.stored.Code != results[0].stored.Code {
			t.Fatalf("idempotency race: racers got different reports")
		}
		if res.created {
			created++
		}
	}
	if created != 1 {
		t.Fatalf("idempotency race: %d creates, want exactly 1", created)
	}
}

// idemWinners adds the one report stored under the shared key to ids.
func idemWinners(t *testing.T, s feedback.Store, racers []*feedback.Report, ids map[string]bool) {
	t.Helper()
	found := 0
	for _, r := range racers {
		if _, err := s.ReportByID(t.Context(), r.ID); err == nil {
			ids[r.ID] = true
			found++
		}
	}
	if found != 1 {
		t.Fatalf("idempotency race stored %d reports, want 1", found)
	}
}

// checkOneCreatedEventEach checks the log holds one event per stored report
// and nothing for the losers, in strictly increasing order.
func checkOneCreatedEventEach(t *testing.T, s feedback.Store, ids map[string]bool) {
	t.Helper()
	evs := allEvents(t, s)
	seen := map[string]bool{}
	for i, e := range evs {
		if i > 0 && e.Seq <= evs[i-1].Seq {
			t.Fatalf("seq not increasing: %d after %d", e.Seq, evs[i-1].Seq)
		}
		if !ids[e.ReportID] || seen[e.ReportID] {
			t.Fatalf("unexpected event for report %s (stored=%v, repeat=%v)", e.ReportID, ids[e.ReportID], seen[e.ReportID])
		}
		seen[e.ReportID] = true
	}
	if len(seen) != len(ids) {
		t.Fatalf("%d created events, want %d", len(seen), len(ids))
	}
}

func testMissingReports(t *testing.T, s feedback.Store) {
	_, err := s.Report(t.Context(), "ZZZZZZZZ")
	wantCode(t, "Report", err, feedback.ENOTFOUND)
	_, err = s.ReportByID(t.Context(), feedback.NewID())
	wantCode(t, "ReportByID", err, feedback.ENOTFOUND)
}
