package classifier

import (
	"context"
	"slices"
	"testing"

	"phananh/feedback"
)

// eventLog is an in-memory event log and report table; it implements only
// the two methods Corrections calls (the rest of the interfaces panic).
type eventLog struct {
	feedback.EventStore
	feedback.ReportStore
	events  []feedback.Event
	reports map[string]*feedback.Report
}

func (l *eventLog) Events(_ context.Context, f feedback.EventFilter) ([]feedback.Event, error) {
	var out []feedback.Event
	for _, e := range l.events {
		if e.Seq > f.AfterSeq && len(out) < 2 { // tiny pages exercise paging
			out = append(out, e)
		}
	}
	return out, nil
}

func (l *eventLog) ReportByID(_ context.Context, id string) (*feedback.Report, error) {
	if r, ok := l.reports[id]; ok {
		return r, nil
	}
	return nil, feedback.NotFound("report")
}

func TestCorrectionsTakeTheLastStaffDecision(t *testing.T) {
	recat := func(seq int64, report string, data map[string]string) feedback.Event {
		return feedback.Event{Seq: seq, Type: feedback.EventRecategorized, ReportID: report, Data: data}
	}
	l := &eventLog{
		reports: map[string]*feedback.Report{
			"r1": {ID: "r1", Text: "đèn đường tắt", Category: CatWaste},
			"r2": {ID: "r2", Text: "cây đổ ở phường 3", Category: CatTrees, Ward: "p3"},
		},
		events: []feedback.Event{
			{Seq: 1, Type: feedback.EventCreated, ReportID: "r1"},
			recat(2, "r1", map[string]string{"category": CatTraffic, "old_category": CatWaste, "old_ward": ""}),
			recat(3, "r2", map[string]string{"ward": "p3", "old_category": CatTrees, "old_ward": "p8"}),
			{Seq: 4, Type: feedback.EventStatusChanged, ReportID: "r2"},
			recat(5, "r1", map[string]string{"category": CatLighting, "old_category": CatTraffic, "old_ward": ""}),
			recat(6, "gone", map[string]string{"category": CatOther, "old_category": CatWaste}),
		},
	}
	got, err := Corrections(context.Background(), l, l)
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{
		{Text: "đèn đường tắt", Category: CatLighting},
		{Text: "cây đổ ở phường 3", Category: CatTrees, Ward: "p3"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("corrections %+v, want %+v", got, want)
	}
}
