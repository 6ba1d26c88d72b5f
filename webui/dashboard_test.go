package webui

import (
	"testing"
	"time"

	"phananh/city"
	"phananh/feedback"
)

func ptr(v float64) *float64 { return &v }

func TestMergeRates(t *testing.T) {
	rows := []feedback.StatsRow{
		{Resolved: 3, SLAMetPct: ptr(100), AvgSatisfaction: ptr(5), Rated: 1},
		{Resolved: 1, SLAMetPct: ptr(0), AvgSatisfaction: ptr(2), Rated: 3},
		{Resolved: 0, SLAMetPct: nil},
	}
	sla, sat, rated := mergeRates(rows)
	if sla == nil || *sla != 75 {
		t.Errorf("SLA met = %v, want 75 (3 of 4 resolved reports on time)", sla)
	}
	if sat == nil || *sat != 2.75 || rated != 4 {
		t.Errorf("satisfaction = %v over %d, want 2.75 over 4", sat, rated)
	}
	if sla, sat, _ := mergeRates(nil); sla != nil || sat != nil {
		t.Error("no data must show as missing, not as zero")
	}
}

func TestMedianNearestRank(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{[]float64{5}, 5}, {[]float64{9, 1, 5, 3}, 3}, {[]float64{4, 2, 8}, 4}} {
		if got := median(c.in); got == nil || *got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	if median(nil) != nil {
		t.Error("median of nothing must be missing")
	}
}

func TestDailyChart(t *testing.T) {
	loc := city.Demo().Calendar().Location()
	from := time.Date(2026, 6, 1, 0, 0, 0, 0, loc)
	at := func(day, hour int) time.Time { return time.Date(2026, 6, day, hour, 0, 0, 0, loc) }
	resolved := at(3, 9)
	rs := []*feedback.Report{
		{CreatedAt: at(1, 8)},
		{CreatedAt: at(1, 23).UTC(), ResolvedAt: &resolved}, // late evening in the city, still 1 June
		{CreatedAt: at(20, 8)},                              // after the chart
		{CreatedAt: from.Add(-time.Hour)},                   // before it
	}
	l := &lang{city: city.Demo(), loc: loc}
	cd := dailyChart(rs, from, l)
	if len(cd.Days) != chartDays || cd.Received[0] != 2 || cd.Resolved[2] != 1 {
		t.Fatalf("chart = received %v resolved %v", cd.Received, cd.Resolved)
	}
	var total int
	for _, n := range cd.Received {
		total += n
	}
	if total != 2 {
		t.Errorf("%d reports counted, want only the 2 inside the chart's days", total)
	}
}
