package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"phananh/feedback"
)

func (st suite) findTests() []storeTest {
	return []storeTest{
		{"FindFiltersAndPages", testFind},
		{"FindDefaultLimit", testFindDefaultLimit},
		{"FindBadCursor", testFindBadCursor},
	}
}

// findDataset returns n reports that vary every filterable field, with ties
// on created_at and due_at so that pagination must break them.
func findDataset(n int) []*feedback.Report {
	categories := []string{"rac_thai", "thoat_nuoc", "tieng_on"}
	wards := []string{"p1", "p2", "p5", "phu_lam"}
	out := make([]*feedback.Report, n)
	for i := range n {
		r := minimalReport(base.Add(time.Duration(i/2) * time.Minute))
		r.Status = feedback.Statuses[i%len(feedback.Statuses)]
		r.Category, r.Ward = categories[i%3], wards[i%4]
		r.Unit = "ubnd_" + r.Ward
		if r.Category == "rac_thai" {
			r.Unit = "moi_truong"
		}
		if i%4 == 0 {
			r.AssigneeID = "u-1"
		}
		if i%5 != 0 {
			r.DueAt = base.Add(time.Duration((i*7)%13) * time.Hour)
		}
		if i%3 != 0 {
			r.Location.Lat, r.Location.Lng = ptr(13.08+0.001*float64(i)), ptr(109.29+0.001*float64(i))
		}
		r.Public = i%4 != 1
		r.Text = fmt.Sprintf("Phản ánh số %d về vệ sinh đô thị", i)
		if i%6 == 0 {
			r.Text = fmt.Sprintf("Bãi RÁC THẢI tự phát số %d", i)
		}
		out[i] = r
	}
	return out
}

type findCase struct {
	name string
	f    feedback.ReportFilter
	keep func(r *feedback.Report) bool
}

func findCases() []findCase {
	bbox := [4]float64{109.295, 13.085, 109.31, 13.10}
	since := base.Add(10 * time.Minute)
	overdue := base.Add(6 * time.Hour)
	return []findCase{
		{"all", feedback.ReportFilter{}, func(*feedback.Report) bool { return true }},
		{"status", feedback.ReportFilter{Status: []feedback.Status{feedback.StatusAssigned, feedback.StatusInProgress}},
			func(r *feedback.Report) bool {
				return r.Status == feedback.StatusAssigned || r.Status == feedback.StatusInProgress
			}},
		{"category", feedback.ReportFilter{Category: "thoat_nuoc"}, func(r *feedback.Report) bool { return r.Category == "thoat_nuoc" }},
		{"ward", feedback.ReportFilter{Ward: "p5"}, func(r *feedback.Report) bool { return r.Ward == "p5" }},
		{"unit", feedback.ReportFilter{Unit: "moi_truong"}, func(r *feedback.Report) bool { return r.Unit == "moi_truong" }},
		{"assignee", feedback.ReportFilter{Assignee: "u-1"}, func(r *feedback.Report) bool { return r.AssigneeID == "u-1" }},
		{"bbox", feedback.ReportFilter{BBox: &bbox}, func(r *feedback.Report) bool {
			return r.Location.HasPoint() && *r.Location.Lng >= bbox[0] && *r.Location.Lat >= bbox[1] &&
				*r.Location.Lng <= bbox[2] && *r.Location.Lat <= bbox[3]
		}},
		{"since", feedback.ReportFilter{Since: since}, func(r *feedback.Report) bool { return !r.CreatedAt.Before(since) }},
		{"overdue", feedback.ReportFilter{OverdueAt: overdue}, func(r *feedback.Report) bool { return r.Overdue(overdue) }},
		{"text any case", feedback.ReportFilter{Text: "rác Thải"}, func(r *feedback.Report) bool {
			return strings.Contains(r.Text, "RÁC THẢI")
		}},
		{"public only", feedback.ReportFilter{PublicOnly: true}, func(r *feedback.Report) bool { return r.Public }},
		{"combined", feedback.ReportFilter{Category: "rac_thai", Status: []feedback.Status{feedback.StatusReceived, feedback.StatusTriage}, PublicOnly: true},
			func(r *feedback.Report) bool {
				return r.Category == "rac_thai" && r.Public &&
					(r.Status == feedback.StatusReceived || r.Status == feedback.StatusTriage)
			}},
		{"due order", feedback.ReportFilter{Order: "due"}, func(*feedback.Report) bool { return true }},
		{"due order unit", feedback.ReportFilter{Order: "due", Unit: "ubnd_p2", Status: []feedback.Status{feedback.StatusTriage, feedback.StatusAssigned, feedback.StatusResolved}},
			func(r *feedback.Report) bool {
				return r.Unit == "ubnd_p2" && slices.Contains([]feedback.Status{feedback.StatusTriage, feedback.StatusAssigned, feedback.StatusResolved}, r.Status)
			}},
	}
}

func testFind(t *testing.T, s feedback.Store) {
	reports := findDataset(40)
	for _, r := range reports {
		mustCreate(t, s, r)
	}
	for _, c := range findCases() {
		var want []string
		for _, r := range reports {
			if c.keep(r) {
				want = append(want, r.Code)
			}
		}
		if len(want) == 0 || (len(want) == len(reports) && c.name != "all" && !strings.HasPrefix(c.name, "due")) {
			t.Fatalf("%s: dataset does not exercise the filter (%d of %d match)", c.name, len(want), len(reports))
		}
		for _, limit := range []int{3, 7, 200} {
			got := pageAll(t, s, c.f, limit)
			checkOrder(t, c.name, c.f.Order, got)
			gotCodes := make([]string, len(got))
			for i, r := range got {
				gotCodes[i] = r.Code
			}
			slices.Sort(want)
			slices.Sort(gotCodes)
			if !slices.Equal(want, gotCodes) {
				t.Fatalf("%s (limit %d): got %d reports %v, want %d %v", c.name, limit, len(gotCodes), gotCodes, len(want), want)
			}
		}
	}
}

// pageAll follows cursors to the end and fails on a repeated report or an
// empty page in the middle.
func pageAll(t *testing.T, s feedback.Store, f feedback.ReportFilter, limit int) []*feedback.Report {
	t.Helper()
	f.Limit = limit
	var out []*feedback.Report
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		page, err := s.FindReports(t.Context(), f)
		must(t, "FindReports", err)
		if len(page.Reports) > limit {
			t.Fatalf("page of %d reports, limit %d", len(page.Reports), limit)
		}
		if len(page.Reports) == 0 && pages > 0 {
			t.Fatalf("empty page %d after a non-empty NextCursor", pages)
		}
		for _, r := range page.Reports {
			if seen[r.Code] {
				t.Fatalf("report %s on two pages", r.Code)
			}
			seen[r.Code] = true
			out = append(out, r)
		}
		if page.NextCursor == "" {
			return out
		}
		if len(page.Reports) < limit {
			t.Fatalf("short page (%d of %d) with a NextCursor", len(page.Reports), limit)
		}
		f.Cursor = page.NextCursor
	}
}

// checkOrder checks the sort key never goes backwards across all pages.
func checkOrder(t *testing.T, name, order string, got []*feedback.Report) {
	t.Helper()
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		var ok bool
		if order == "due" {
			ok = b.DueAt.IsZero() || (!a.DueAt.IsZero() && !b.DueAt.Before(a.DueAt))
		} else {
			ok = !b.CreatedAt.After(a.CreatedAt)
		}
		if !ok {
			t.Fatalf("%s: %s (created %v, due %v) sorted after %s (created %v, due %v)", name,
				b.Code, b.CreatedAt, b.DueAt, a.Code, a.CreatedAt, a.DueAt)
		}
	}
}

func testFindDefaultLimit(t *testing.T, s feedback.Store) {
	for _, r := range findDataset(55) {
		mustCreate(t, s, r)
	}
	page, err := s.FindReports(t.Context(), feedback.ReportFilter{})
	must(t, "FindReports", err)
	if len(page.Reports) != 50 || page.NextCursor == "" {
		t.Fatalf("default page: %d reports, cursor %q; want 50 and a cursor", len(page.Reports), page.NextCursor)
	}
	page, err = s.FindReports(t.Context(), feedback.ReportFilter{Cursor: page.NextCursor})
	must(t, "FindReports page 2", err)
	if len(page.Reports) != 5 || page.NextCursor != "" {
		t.Fatalf("last page: %d reports, cursor %q; want 5 and none", len(page.Reports), page.NextCursor)
	}
}

func testFindBadCursor(t *testing.T, s feedback.Store) {
	mustCreate(t, s, minimalReport(base))
	for _, cur := range []string{"not a cursor!", strings.Repeat("A", 300)} {
		_, err := s.FindReports(t.Context(), feedback.ReportFilter{Cursor: cur})
		wantCode(t, "cursor "+cur, err, feedback.EINVALID)
	}
	_, err := s.FindReports(t.Context(), feedback.ReportFilter{Order: "oldest"})
	wantCode(t, "unknown order", err, feedback.EINVALID)
	// A cursor of one order is not valid for the other.
	mustCreate(t, s, minimalReport(base.Add(time.Minute)))
	page, err := s.FindReports(t.Context(), feedback.ReportFilter{Limit: 1})
	must(t, "FindReports", err)
	_, err = s.FindReports(t.Context(), feedback.ReportFilter{Order: "due", Cursor: page.NextCursor})
	wantCode(t, "newest cursor used for due order", err, feedback.EINVALID)
}
