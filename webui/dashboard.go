package webui

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"phananh/desk"
	"phananh/feedback"
)

// Dashboard bounds: the chart covers chartDays; figures computed from
// report rows (median, chart) read at most scanCap reports.
const (
	chartDays   = 14
	scanCap     = 5000
	mapCap      = 1000
	overdueList = 20
)

// dashView is the data of the chairman's dashboard.
type dashView struct {
	Days                      int
	ReceivedToday, ReceivedWk int64
	Open, Overdue             int64
	SLAMet                    *float64
	MedianResolveH            *float64
	Satisfaction              *float64
	Rated                     int64
	Units                     []unitRow
	Chart                     chartData
	Points                    []mapPoint
	OverdueList               []*feedback.Report
	CSV                       string
	Map                       mapConfig
	Truncated                 bool
}

type unitRow struct {
	feedback.StatsRow
	Name string
}

// chartData is the received-vs-resolved series for uPlot: days as Unix
// seconds and one count per day.
type chartData struct {
	Days     []int64   `json:"days"`
	Dates    []string  `json:"dates"`
	Received []int     `json:"received"`
	Resolved []int     `json:"resolved"`
	Labels   [2]string `json:"labels"`
}

// dashboard serves /dashboard to supervisors (desk.Stats decides).
func (u *UI) dashboard(c *gin.Context) {
	ctx, by := c.Request.Context(), actorOf(c)
	loc := u.cfg.Desk.Location()
	now := u.cfg.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	days := 30
	if d, err := strconv.Atoi(c.Query("days")); err == nil && d >= 1 && d <= 365 {
		days = d
	}
	v := &dashView{Days: days, Map: u.mapConfig()}
	tomorrow := today.AddDate(0, 0, 1)
	from := today.AddDate(0, 0, 1-days)
	rows, err := u.cfg.Desk.Stats(ctx, by, feedback.StatsQuery{From: from, To: tomorrow, Group: feedback.StatsByUnit})
	if err != nil {
		u.errorPage(c, 0, err)
		return
	}
	if err := u.headline(ctx, by, v, today); err != nil {
		u.errorPage(c, 0, err)
		return
	}
	v.SLAMet, v.Satisfaction, v.Rated = mergeRates(rows)
	l := u.lang(c)
	for _, r := range rows {
		v.Units = append(v.Units, unitRow{StatsRow: r, Name: firstNonEmpty(l.Unit(r.Key), r.Key)})
	}
	v.CSV = "/api/v1/stats/export.csv?group=unit&from=" + from.Format("2006-01-02") + "&to=" + today.Format("2006-01-02")
	if err := u.fromReports(ctx, l, v, from, today); err != nil {
		u.errorPage(c, 0, err)
		return
	}
	page, err := u.cfg.Desk.Queue(ctx, by, desk.QueueFilter{Overdue: true, Limit: overdueList})
	if err == nil {
		v.OverdueList = page.Reports
	}
	p := u.staffPage(c, "dash.title")
	p.Script, p.Vendor = "dashboard.js", []string{"leaflet/leaflet.js", "uplot/uPlot.iife.min.js"}
	p.Styles = []string{"leaflet/leaflet.css", "uplot/uPlot.min.css"}
	p.Data = v
	u.render(c, http.StatusOK, "dashboard", p)
}

// headline fills received today and this week (from Monday), and open and
// overdue over everything received in the last five years.
func (u *UI) headline(ctx context.Context, by feedback.Actor, v *dashView, today time.Time) error {
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	tomorrow := today.AddDate(0, 0, 1)
	for _, q := range []struct {
		from time.Time
		fn   func([]feedback.StatsRow)
	}{
		{today, func(rs []feedback.StatsRow) {
			v.ReceivedToday = sum(rs, func(r feedback.StatsRow) int64 { return r.Received })
		}},
		{monday, func(rs []feedback.StatsRow) {
			v.ReceivedWk = sum(rs, func(r feedback.StatsRow) int64 { return r.Received })
		}},
		{today.AddDate(-5, 0, 1), func(rs []feedback.StatsRow) {
			v.Open = sum(rs, func(r feedback.StatsRow) int64 { return r.Open })
			v.Overdue = sum(rs, func(r feedback.StatsRow) int64 { return r.Overdue })
		}},
	} {
		rows, err := u.cfg.Desk.Stats(ctx, by, feedback.StatsQuery{From: q.from, To: tomorrow, Group: feedback.StatsByUnit})
		if err != nil {
			return err
		}
		q.fn(rows)
	}
	return nil
}

func sum(rs []feedback.StatsRow, f func(feedback.StatsRow) int64) int64 {
	var n int64
	for _, r := range rs {
		n += f(r)
	}
	return n
}

// mergeRates combines per-unit rates into city-wide ones: SLA-met weighted
// by resolved reports, satisfaction by ratings.
func mergeRates(rows []feedback.StatsRow) (sla, sat *float64, rated int64) {
	var slaW, slaSum, satSum float64
	for _, r := range rows {
		if r.SLAMetPct != nil && r.Resolved > 0 {
			slaW += float64(r.Resolved)
			slaSum += *r.SLAMetPct * float64(r.Resolved)
		}
		if r.AvgSatisfaction != nil && r.Rated > 0 {
			rated += r.Rated
			satSum += *r.AvgSatisfaction * float64(r.Rated)
		}
	}
	if slaW > 0 {
		x := slaSum / slaW
		sla = &x
	}
	if rated > 0 {
		x := satSum / float64(rated)
		sat = &x
	}
	return sla, sat, rated
}

// fromReports computes what the statistics store does not give: the
// city-wide median time to resolve, the daily chart and the map of open
// reports. It reads report rows, at most scanCap of them.
func (u *UI) fromReports(ctx context.Context, l *lang, v *dashView, from, today time.Time) error {
	chartFrom := today.AddDate(0, 0, 1-chartDays)
	since := from
	if chartFrom.Before(since) {
		since = chartFrom
	}
	rs, truncated, err := u.scan(ctx, feedback.ReportFilter{Since: since.AddDate(0, 0, -30)}, scanCap)
	if err != nil {
		return err
	}
	v.Truncated = truncated
	v.Chart = dailyChart(rs, chartFrom, l)
	var hours []float64
	for _, r := range rs {
		if r.ResolvedAt != nil && !r.CreatedAt.Before(from) {
			hours = append(hours, u.cfg.City.WorkingDuration(r.CreatedAt, *r.ResolvedAt).Hours())
		}
	}
	v.MedianResolveH = median(hours)
	open, _, err := u.scan(ctx, feedback.ReportFilter{Status: statusGroups["open"]}, mapCap)
	if err != nil {
		return err
	}
	v.Points = u.points(l, open)
	return nil
}

// scan reads pages of reports up to max.
func (u *UI) scan(ctx context.Context, f feedback.ReportFilter, max int) ([]*feedback.Report, bool, error) {
	f.Limit = 200
	var out []*feedback.Report
	for len(out) < max {
		page, err := u.cfg.Reports.FindReports(ctx, f)
		if err != nil {
			return nil, false, err
		}
		out = append(out, page.Reports...)
		if page.NextCursor == "" {
			return out, false, nil
		}
		f.Cursor = page.NextCursor
	}
	return out, true, nil
}

// dailyChart counts reports received and resolved per day since from.
func dailyChart(rs []*feedback.Report, from time.Time, l *lang) chartData {
	cd := chartData{Labels: [2]string{l.T("dash.received"), l.T("dash.resolved")}}
	idx := map[string]int{}
	for i := 0; i < chartDays; i++ {
		d := from.AddDate(0, 0, i)
		idx[d.Format(time.DateOnly)] = i
		cd.Days = append(cd.Days, d.Unix())
		cd.Dates = append(cd.Dates, d.Format("02/01"))
	}
	cd.Received, cd.Resolved = make([]int, chartDays), make([]int, chartDays)
	loc := from.Location()
	for _, r := range rs {
		if i, ok := idx[r.CreatedAt.In(loc).Format(time.DateOnly)]; ok {
			cd.Received[i]++
		}
		if r.ResolvedAt != nil {
			if i, ok := idx[r.ResolvedAt.In(loc).Format(time.DateOnly)]; ok {
				cd.Resolved[i]++
			}
		}
	}
	return cd
}

// median is the nearest-rank median, as the statistics store computes it.
func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	sort.Float64s(xs)
	m := xs[(len(xs)+1)/2-1]
	return &m
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
