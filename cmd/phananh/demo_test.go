package main

import (
	"log/slog"
	"testing"

	"phananh/feedback"
)

func TestSeedDemoFillsAnEmptyStoreOnce(t *testing.T) {
	cfg, err := loadConfig(func(k string) string {
		if k == "PHANANH_DATA" {
			return t.TempDir()
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(t.Context(), cfg, slog.New(slog.DiscardHandler), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	for range 2 { // the second run must add nothing
		if err := seedDemo(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	page, err := a.store.FindReports(t.Context(), feedback.ReportFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Reports) != len(demoReports()) {
		t.Fatalf("%d reports, want %d", len(page.Reports), len(demoReports()))
	}
	statuses, wards := map[feedback.Status]bool{}, map[string]bool{}
	for _, r := range page.Reports {
		statuses[r.Status], wards[r.Ward] = true, true
		events, err := a.store.Events(t.Context(), feedback.EventFilter{ReportID: r.ID, PublicOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if last := events[len(events)-1]; last.To != r.Status && r.Status != feedback.StatusReceived {
			t.Errorf("%s: status %s but the timeline ends at %s", r.Code, r.Status, last.To)
		}
	}
	for _, s := range []feedback.Status{feedback.StatusTriage, feedback.StatusAssigned, feedback.StatusInProgress,
		feedback.StatusResolved, feedback.StatusClosed, feedback.StatusRejected} {
		if !statuses[s] {
			t.Errorf("no demo report is %s", s)
		}
	}
	if len(wards) < 8 {
		t.Errorf("demo reports span %d wards", len(wards))
	}
}
