package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"phananh/feedback"
)

// base is the fixed instant fixtures are built around; it lies in the past
// so that store clocks are always after it.
var base = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)

// ict is Vietnam's zone; fixtures use it to check stores return UTC.
var ict = time.FixedZone("ICT", 7*3600)

func ptr[T any](v T) *T { return &v }

// fullReport returns a report with every field set, times in ICT.
func fullReport() *feedback.Report {
	created := base.In(ict)
	return &feedback.Report{
		ID:   feedback.NewID(),
		Code: feedback.NewCode(),
		Text: "Rác thải đổ trộm tràn ra lòng đường Trần Hưng Đạo, bốc mùi hôi thối.",
		Location: feedback.Location{
			Lat: ptr(13.0955), Lng: ptr(109.3209), Address: "12 Trần Hưng Đạo, Phường 1",
		},
		Photos: []feedback.Photo{
			{ID: fmt.Sprintf("%064x", 1), ContentType: "image/jpeg", Size: 123456, Kind: feedback.PhotoBefore},
			{ID: fmt.Sprintf("%064x", 2), ContentType: "image/webp", Size: 789, Kind: feedback.PhotoAfter},
		},
		Channel: feedback.ChannelTelegram,
		Reporter: feedback.Contact{
			Name: "Nguyễn Văn An", Phone: "0905123456", Email: "an@example.vn",
			TelegramChatID: 987654321, Language: "vi",
		},
		Public:   true,
		Category: "rac_thai",
		Ward:     "p1",
		Unit:     "moi_truong",
		Classification: feedback.Classification{
			Category: "rac_thai", Confidence: 0.87,
			Alternatives: []feedback.Alternative{{Category: "o_nhiem", Confidence: 0.09}},
			Ward:         "p1", WardSpan: "Phường 1", WardSource: "text",
			Features: []string{"rác", "đổ trộm"}, Model: "local:1",
		},
		Status:            feedback.StatusInProgress,
		Priority:          feedback.PriorityUrgent,
		DueAt:             created.Add(36 * time.Hour),
		Supporters:        3,
		ReporterTokenHash: feedback.HashSecret("secret"),
		IdempotencyKey:    "telegram:987654321:42",
		AssigneeID:        "u-officer-1",
		DuplicateOf:       "ABCDEFGH",
		ReopenCount:       1,
		Rating:            4,
		RatingComment:     "Xử lý nhanh",
		FirstResponseAt:   ptr(created.Add(2 * time.Hour)),
		ResolvedAt:        ptr(created.Add(20 * time.Hour)),
		ClosedAt:          ptr(created.Add(30 * time.Hour)),
		EscalationLevel:   1,
		CreatedAt:         created,
		UpdatedAt:         created.Add(time.Minute),
	}
}

// minimalReport returns a report with only what intake always sets.
func minimalReport(created time.Time) *feedback.Report {
	return &feedback.Report{
		ID:        feedback.NewID(),
		Code:      feedback.NewCode(),
		Text:      "Đèn đường hỏng nhiều ngày",
		Channel:   feedback.ChannelWeb,
		Status:    feedback.StatusReceived,
		Priority:  feedback.PriorityNormal,
		CreatedAt: created,
		UpdatedAt: created,
	}
}

// createdEvent returns the first event intake stores with a report.
func createdEvent(r *feedback.Report) feedback.Event {
	return feedback.Event{
		Type: feedback.EventCreated, ReportID: r.ID, ReportCode: r.Code, UnitID: r.Unit,
		Public: true, Actor: feedback.ActorCitizen, To: r.Status, At: r.CreatedAt,
	}
}

// mustCreate stores r with its created event and returns the stored report.
func mustCreate(t *testing.T, s feedback.Store, r *feedback.Report) *feedback.Report {
	t.Helper()
	stored, created, _, err := s.CreateReport(t.Context(), r, []feedback.Event{createdEvent(r)})
	must(t, "CreateReport "+r.Code, err)
	if !created {
		t.Fatalf("CreateReport %s: created = false", r.Code)
	}
	return stored
}

func normTime(tm time.Time) time.Time { return tm.UTC().Truncate(time.Millisecond) }

func normTimePtr(tm *time.Time) *time.Time {
	if tm == nil {
		return nil
	}
	return ptr(normTime(*tm))
}

// normReport returns a copy comparable with reflect.DeepEqual: times in UTC
// to the millisecond, empty slices as nil.
func normReport(r *feedback.Report) feedback.Report {
	c := *r
	c.DueAt, c.CreatedAt, c.UpdatedAt = normTime(c.DueAt), normTime(c.CreatedAt), normTime(c.UpdatedAt)
	c.FirstResponseAt, c.ResolvedAt, c.ClosedAt = normTimePtr(c.FirstResponseAt), normTimePtr(c.ResolvedAt), normTimePtr(c.ClosedAt)
	if len(c.Photos) == 0 {
		c.Photos = nil
	}
	if len(c.Classification.Alternatives) == 0 {
		c.Classification.Alternatives = nil
	}
	if len(c.Classification.Features) == 0 {
		c.Classification.Features = nil
	}
	return c
}

func normEvent(e feedback.Event) feedback.Event {
	e.At = normTime(e.At)
	if len(e.Data) == 0 {
		e.Data = nil
	}
	return e
}

// sameReport fails unless got equals want field by field.
func sameReport(t *testing.T, what string, want, got *feedback.Report) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: nil report", what)
	}
	w, g := normReport(want), normReport(got)
	if !reflect.DeepEqual(w, g) {
		t.Fatalf("%s: report differs\n got: %s\nwant: %s", what, dump(g), dump(w))
	}
	wantUTC(t, what, got.CreatedAt, got.UpdatedAt, got.DueAt)
}

// sameEvents fails unless got equals want, Seq included.
func sameEvents(t *testing.T, what string, want, got []feedback.Event) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: %d events, want %d\n got: %s\nwant: %s", what, len(got), len(want), dump(got), dump(want))
	}
	for i := range want {
		if !reflect.DeepEqual(normEvent(want[i]), normEvent(got[i])) {
			t.Fatalf("%s: event %d differs\n got: %s\nwant: %s", what, i, dump(got[i]), dump(want[i]))
		}
		wantUTC(t, what, got[i].At)
	}
}

func wantUTC(t *testing.T, what string, times ...time.Time) {
	t.Helper()
	for _, tm := range times {
		if !tm.IsZero() && tm.Location() != time.UTC {
			t.Fatalf("%s: time %v is in %v, want UTC", what, tm, tm.Location())
		}
	}
}

// dump renders v for failure messages, including fields JSON would hide.
func dump(v any) string {
	if r, ok := v.(feedback.Report); ok {
		b, _ := json.Marshal(r)
		return fmt.Sprintf("%s token_hash=%q idem=%q", b, r.ReporterTokenHash, r.IdempotencyKey)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// allEvents returns every event in the store.
func allEvents(t *testing.T, s feedback.Store) []feedback.Event {
	t.Helper()
	var out []feedback.Event
	after := int64(0)
	for {
		evs, err := s.Events(t.Context(), feedback.EventFilter{AfterSeq: after, Limit: 1000})
		must(t, "Events", err)
		if len(evs) == 0 {
			return out
		}
		out = append(out, evs...)
		after = evs[len(evs)-1].Seq
	}
}

func lastSeq(t *testing.T, s feedback.Store) int64 {
	t.Helper()
	seq, err := s.LastSeq(t.Context())
	must(t, "LastSeq", err)
	return seq
}
