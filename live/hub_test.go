package live

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"phananh/feedback"
)

func nextEvent(t *testing.T, s *Subscription) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := s.Next(ctx)
	if err != nil {
		t.Fatalf("next: %v", err)
	}
	var v map[string]any
	if err := json.Unmarshal(m.Data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestHubReportTopicGetsOnlyItsPublicEvents(t *testing.T) {
	store := mustOpenStore(t, "")
	h := mustRunHub(t, store, HubOptions{})
	sub, _, err := h.Subscribe(context.Background(), ReportTopic("AAA", "id-AAA"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	mustAppend(t, store, h,
		reportEvent("AAA", false, "internal note"),
		reportEvent("BBB", true, "other report"),
		reportEvent("AAA", true, "Đã tiếp nhận"))
	got := nextEvent(t, sub)
	if got["text"] != "Đã tiếp nhận" || got["report_code"] != "AAA" {
		t.Fatalf("got %v, want the public event of AAA", got)
	}
	mustAppend(t, store, h, reportEvent("AAA", true, "second"))
	if got := nextEvent(t, sub); got["text"] != "second" {
		t.Fatalf("got %v, want the next public event", got)
	}
}

func TestHubUnitAndCityTopics(t *testing.T) {
	store := mustOpenStore(t, "")
	h := mustRunHub(t, store, HubOptions{})
	ctx := context.Background()
	unit, _, _ := h.Subscribe(ctx, UnitTopic("unit-2"), nil)
	city, _, _ := h.Subscribe(ctx, CityTopic(), nil)
	defer unit.Close()
	defer city.Close()
	transfer := reportEvent("AAA", false, "chuyển đơn vị")
	transfer.UnitID, transfer.Data = "unit-3", map[string]string{"old_unit": "unit-2"}
	mustAppend(t, store, h, reportEvent("AAA", false, "unit-1 note"), transfer)
	if got := nextEvent(t, unit); got["text"] != "chuyển đơn vị" {
		t.Fatalf("unit-2 got %v, want the transfer away from it", got)
	}
	if a, b := nextEvent(t, city), nextEvent(t, city); a["text"] != "unit-1 note" || b["text"] != "chuyển đơn vị" {
		t.Fatalf("city got %v then %v", a, b)
	}
}

func TestPublicViewHidesPersonalAndStaffData(t *testing.T) {
	e := reportEvent("AAA", true, "Đã xử lý xong")
	e.ReportID, e.Actor = "internal-id", feedback.UserActor("u-42")
	e.Data = map[string]string{"ward": "phuong-5", "phone": "0905123456", "email": "a@b.vn"}
	m, err := encode(e, true)
	if err != nil {
		t.Fatal(err)
	}
	s := string(m.Data)
	for _, leak := range []string{"0905123456", "a@b.vn", "internal-id", "u-42"} {
		if strings.Contains(s, leak) {
			t.Errorf("public message %s leaks %q", s, leak)
		}
	}
	if !strings.Contains(s, `"actor":"staff"`) || !strings.Contains(s, "phuong-5") {
		t.Errorf("public message %s lost its public fields", s)
	}
}

// TestPublicViewWithholdsCitizenText: a reopen reason is public on a
// public report only, which the hub cannot tell, so the wire never carries
// what a citizen wrote; staff streams keep it.
func TestPublicViewWithholdsCitizenText(t *testing.T) {
	e := reportEvent("AAA", true, "Rác vẫn còn trước nhà số 12, gọi 0905123456")
	e.Type, e.Actor = feedback.EventStatusChanged, feedback.ActorCitizen
	e.From, e.To = feedback.StatusResolved, feedback.StatusInProgress
	pub, err := encode(e, true)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(pub.Data); strings.Contains(s, "0905123456") || !strings.Contains(s, `"to":"in_progress"`) {
		t.Errorf("public message %s: want the status change without the citizen's text", s)
	}
	staff, err := encode(e, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(staff.Data), "0905123456") {
		t.Errorf("staff message %s lost the citizen's text", staff.Data)
	}
}

// TestPublicViewWithholdsInvalidationReason: the petition's public stream
// carries the corrected count, not why (nor whose) signatures were struck.
func TestPublicViewWithholdsInvalidationReason(t *testing.T) {
	e := feedback.Event{Type: feedback.EventSignaturesRemoved, PetitionID: "p-1", Public: true, Actor: feedback.ActorSystem,
		Text: "nhiều chữ ký từ 203.0.113.9, tên miền mailinator.com", Data: map[string]string{"supporters": "41"}}
	m, err := encode(e, true)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(m.Data); strings.Contains(s, "203.0.113.9") || !strings.Contains(s, `"supporters":"41"`) {
		t.Errorf("public message %s: want the count without the reason", s)
	}
}

func TestSlowSubscriberIsClosedWithoutStallingOthers(t *testing.T) {
	store := mustOpenStore(t, "")
	h := mustRunHub(t, store, HubOptions{QueueSize: 2})
	ctx := context.Background()
	slow, _, _ := h.Subscribe(ctx, CityTopic(), func() {}) // never reads
	fast, _, _ := h.Subscribe(ctx, CityTopic(), nil)
	defer slow.Close()
	defer fast.Close()
	for i := 0; i < 5; i++ {
		mustAppend(t, store, h, reportEvent("AAA", true, "e"))
		nextEvent(t, fast)
	}
	if err := slow.Err(); !errors.Is(err, ErrSlowSubscriber) {
		t.Fatalf("slow subscriber err = %v, want ErrSlowSubscriber", err)
	}
}

func TestPublishNeverBlocks(t *testing.T) {
	h := NewHub(mustOpenStore(t, ""), HubOptions{}) // not running
	done := make(chan struct{})
	go func() {
		for i := 0; i < 10000; i++ {
			h.Publish([]feedback.Event{{Seq: int64(i + 1)}})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked")
	}
}

func TestStoppedHubEndsSubscriptions(t *testing.T) {
	h := NewHub(mustOpenStore(t, ""), HubOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- h.Run(ctx) }()
	sub, _, err := h.Subscribe(ctx, CityTopic(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
	if _, err := sub.Next(context.Background()); !errors.Is(err, ErrHubStopped) {
		t.Fatalf("next after stop = %v, want ErrHubStopped", err)
	}
	if _, _, err := h.Subscribe(context.Background(), CityTopic(), nil); !errors.Is(err, ErrHubStopped) {
		t.Fatalf("subscribe after stop = %v, want ErrHubStopped", err)
	}
}

func TestHubHoldsBackEventsBehindALateCommit(t *testing.T) {
	g := newGapStore()
	h := mustRunHub(t, g, HubOptions{PollInterval: 5 * time.Millisecond, GapGrace: 5 * time.Second})
	sub, _, err := h.Subscribe(context.Background(), CityTopic(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	s1, s2 := g.reserve(), g.reserve()
	g.commit(s2)
	time.Sleep(100 * time.Millisecond) // several polls see s2 without s1
	g.commit(s1)
	for _, want := range []int64{s1, s2} {
		if got := nextEvent(t, sub); int64(got["seq"].(float64)) != want {
			t.Fatalf("got seq %v, want %d (sequence order despite commit order)", got["seq"], want)
		}
	}
}
