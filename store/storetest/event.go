package storetest

import (
	"sync"
	"testing"
	"time"

	"phananh/feedback"
)

func (st suite) eventTests() []storeTest {
	return []storeTest{
		{"EventsEmptyLog", testEmptyLog},
		{"EventsStrictlyIncreasing", testEventsIncreasing},
		{"EventsFilters", testEventFilters},
		{"AppendEventsAllOrNothing", testAppendInvalid},
		{"Checkpoints", testCheckpoints},
	}
}

func testEmptyLog(t *testing.T, s feedback.Store) {
	if got := lastSeq(t, s); got != 0 {
		t.Fatalf("LastSeq of an empty store = %d", got)
	}
	evs, err := s.Events(t.Context(), feedback.EventFilter{})
	must(t, "Events", err)
	if len(evs) != 0 {
		t.Fatalf("empty store has %d events", len(evs))
	}
}

// testEventsIncreasing writes from several goroutines through every path
// that appends events and checks the log is one strictly increasing line.
func testEventsIncreasing(t *testing.T, s feedback.Store) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 5 {
				r := minimalReport(base.Add(time.Duration(g*10+i) * time.Second))
				mustCreate(t, s, r)
				_, err := s.AppendEvents(t.Context(), []feedback.Event{petitionEvent("pet-1", true), petitionEvent("pet-2", false)})
				must(t, "AppendEvents", err)
			}
		})
	}
	wg.Wait()
	evs := allEvents(t, s)
	if len(evs) != 4*5*3 {
		t.Fatalf("%d events, want %d", len(evs), 4*5*3)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Seq <= evs[i-1].Seq {
			t.Fatalf("seq %d follows %d", evs[i].Seq, evs[i-1].Seq)
		}
	}
	if got := lastSeq(t, s); got != evs[len(evs)-1].Seq {
		t.Fatalf("LastSeq = %d, want %d", got, evs[len(evs)-1].Seq)
	}
}

func petitionEvent(id string, public bool) feedback.Event {
	return feedback.Event{
		Type: feedback.EventSupporterAdded, PetitionID: id, Public: public,
		Actor: feedback.ActorCitizen, Data: map[string]string{"count": "1"}, At: base,
	}
}

func testEventFilters(t *testing.T, s feedback.Store) {
	ctx := t.Context()
	a, b := minimalReport(base), minimalReport(base)
	mustCreate(t, s, a)
	mustCreate(t, s, b)
	note := feedback.Event{Type: feedback.EventInternalNote, ReportID: a.ID, ReportCode: a.Code, Actor: "user:u1", Text: "nội bộ", At: base}
	reply := feedback.Event{Type: feedback.EventPublicReply, ReportID: a.ID, ReportCode: a.Code, Public: true, Actor: "user:u1", Text: "Đã xử lý", At: base}
	_, err := s.AppendEvents(ctx, []feedback.Event{note, reply, petitionEvent("pet-1", true), petitionEvent("pet-2", true)})
	must(t, "AppendEvents", err)
	all := allEvents(t, s) // a created, b created, note, reply, pet-1, pet-2

	cases := []struct {
		name string
		f    feedback.EventFilter
		want []feedback.Event
	}{
		{"after seq", feedback.EventFilter{AfterSeq: all[2].Seq}, all[3:]},
		{"report", feedback.EventFilter{ReportID: a.ID}, []feedback.Event{all[0], all[2], all[3]}},
		{"report public", feedback.EventFilter{ReportID: a.ID, PublicOnly: true}, []feedback.Event{all[0], all[3]}},
		{"report after", feedback.EventFilter{ReportID: a.ID, AfterSeq: all[0].Seq}, all[2:4]},
		{"petition", feedback.EventFilter{PetitionID: "pet-2"}, all[5:]},
		{"public", feedback.EventFilter{PublicOnly: true}, []feedback.Event{all[0], all[1], all[3], all[4], all[5]}},
		{"limit", feedback.EventFilter{Limit: 2}, all[:2]},
		{"limit after", feedback.EventFilter{Limit: 2, AfterSeq: all[1].Seq}, all[2:4]},
		{"unknown report", feedback.EventFilter{ReportID: feedback.NewID()}, nil},
	}
	for _, c := range cases {
		got, err := s.Events(ctx, c.f)
		must(t, c.name, err)
		sameEvents(t, c.name, c.want, got)
	}
}

func testAppendInvalid(t *testing.T, s feedback.Store) {
	good := petitionEvent("pet-1", true)
	_, err := s.AppendEvents(t.Context(), []feedback.Event{good, {PetitionID: "pet-1", At: base}})
	wantCode(t, "event without type", err, feedback.EINVALID)
	if got := lastSeq(t, s); got != 0 {
		t.Fatalf("a rejected batch appended events: last seq %d", got)
	}
	appended, err := s.AppendEvents(t.Context(), []feedback.Event{good, good})
	must(t, "AppendEvents", err)
	if len(appended) != 2 || appended[0].Seq <= 0 || appended[1].Seq <= appended[0].Seq {
		t.Fatalf("appended = %s", dump(appended))
	}
	good.Seq = appended[0].Seq
	sameEvents(t, "first appended", []feedback.Event{good}, appended[:1])
}

func testCheckpoints(t *testing.T, s feedback.Store) {
	ctx := t.Context()
	check := func(consumer string, want int64) {
		t.Helper()
		got, err := s.Checkpoint(ctx, consumer)
		must(t, "Checkpoint", err)
		if got != want {
			t.Fatalf("Checkpoint(%s) = %d, want %d", consumer, got, want)
		}
	}
	check("telegram", 0)
	must(t, "save", s.SaveCheckpoint(ctx, "telegram", 10))
	check("telegram", 10)
	must(t, "save backwards", s.SaveCheckpoint(ctx, "telegram", 5))
	check("telegram", 10)
	must(t, "save forwards", s.SaveCheckpoint(ctx, "telegram", 12))
	check("telegram", 12)
	check("mail", 0)

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { must(t, "concurrent save", s.SaveCheckpoint(ctx, "mail", int64(100-i))) })
	}
	wg.Wait()
	check("mail", 100)
}
