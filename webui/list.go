package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"phananh/city"
	"phananh/feedback"
)

// listView is the data of the public map and list.
type listView struct {
	Reports    []*feedback.Report
	Status     string
	Category   string
	Ward       string
	Categories []city.Category
	Wards      []city.Ward
	Next       string
	Map        mapConfig
	Points     []mapPoint
}

// mapPoint is a report on a map, for the page scripts.
type mapPoint struct {
	Code   string  `json:"code"`
	Lat    float64 `json:"lat"`
	Lng    float64 `json:"lng"`
	Status string  `json:"status"`
	Label  string  `json:"label"`
	// AgeDays colours the dashboard's map of open reports.
	AgeDays float64 `json:"age_days"`
}

// statusGroups are the status choices of the public filter.
var statusGroups = map[string][]feedback.Status{
	"open":     {feedback.StatusReceived, feedback.StatusTriage, feedback.StatusAssigned, feedback.StatusInProgress},
	"resolved": {feedback.StatusResolved, feedback.StatusClosed},
	"rejected": {feedback.StatusRejected},
}

// publicList serves /reports: the public map and list with filters.
func (u *UI) publicList(c *gin.Context) {
	v := &listView{Status: c.Query("status"), Category: c.Query("category"), Ward: c.Query("ward"),
		Categories: u.cfg.City.Categories(), Wards: u.cfg.City.Wards(), Map: u.mapConfig()}
	f := feedback.ReportFilter{Status: statusGroups[v.Status], Order: "newest", Limit: 100, Cursor: c.Query("cursor")}
	if _, ok := u.cfg.City.Category(v.Category); ok {
		f.Category = v.Category
	}
	if _, ok := u.cfg.City.Ward(v.Ward); ok {
		f.Ward = v.Ward
	}
	page, err := u.cfg.Reports.FindReports(c.Request.Context(), f)
	if err != nil {
		u.errorPage(c, 0, err)
		return
	}
	p := u.newPage(c, "list.title")
	p.Script, p.Vendor, p.Styles = "list.js", []string{"leaflet/leaflet.js"}, []string{"leaflet/leaflet.css"}
	v.Reports, v.Next = page.Reports, page.NextCursor
	v.Points = u.points(p.L, page.Reports)
	p.Data = v
	u.render(c, http.StatusOK, "list", p)
}

// points lists the reports that have coordinates.
func (u *UI) points(l *lang, rs []*feedback.Report) []mapPoint {
	now := u.cfg.Now()
	out := []mapPoint{}
	for _, r := range rs {
		if !r.Location.HasPoint() {
			continue
		}
		out = append(out, mapPoint{Code: r.Code, Lat: *r.Location.Lat, Lng: *r.Location.Lng,
			Status: string(r.Status), Label: l.Status(r.Status) + " · " + l.Cat(r.Category),
			AgeDays: now.Sub(r.CreatedAt).Hours() / 24})
	}
	return out
}
