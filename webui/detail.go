package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"phananh/city"
	"phananh/desk"
	"phananh/feedback"
)

// detailView is the data of a report's staff page.
type detailView struct {
	R        *feedback.Report
	Overdue  bool
	Timeline []entry
	Photos   []photoView
	LastSeq  int64
	// Next lists the statuses the report may move to (transfers aside).
	Next        []feedback.Status
	CanTransfer bool
	Officers    []*feedback.User
	Categories  []city.Category
	Wards       []city.Ward
	Units       []city.Unit
	Map         mapConfig
}

// detail serves /staff/r/{code}: the report with its contact details and
// full history, and a form for every staff action. The forms post JSON to
// the staff API through staff.js.
func (u *UI) detail(c *gin.Context) {
	d, err := u.cfg.Desk.Report(c.Request.Context(), actorOf(c), c.Param("code"))
	if err != nil {
		u.errorPage(c, 0, err)
		return
	}
	r := d.Report
	p := u.staffPage(c, "detail.title")
	p.Script, p.Vendor, p.Styles = "staff.js", []string{"leaflet/leaflet.js"}, []string{"leaflet/leaflet.css"}
	v := &detailView{R: r, Overdue: r.Overdue(u.cfg.Now()),
		Photos: photoViews(r.Photos), CanTransfer: desk.Allowed(p.Staff.Role, desk.ActTransfer),
		Categories: u.cfg.City.Categories(), Wards: u.cfg.City.Wards(), Units: u.cfg.City.Units(), Map: u.mapConfig()}
	if n := len(d.Events); n > 0 {
		v.LastSeq = d.Events[n-1].Seq
	}
	for _, st := range feedback.Statuses {
		if feedback.CanTransition(r.Status, st) && st != r.Status {
			v.Next = append(v.Next, st)
		}
	}
	names := map[string]string{p.Staff.ID: displayName(p.Staff)}
	if offs, err := u.cfg.Desk.Officers(c.Request.Context(), actorOf(c), r.Unit); err == nil {
		v.Officers = offs
		for _, o := range offs {
			names[o.ID] = displayName(o)
		}
	}
	v.Timeline = p.L.timeline(d.Events, true, true, names)
	// Newest first: staff read the latest change first.
	for i, j := 0, len(v.Timeline)-1; i < j; i, j = i+1, j-1 {
		v.Timeline[i], v.Timeline[j] = v.Timeline[j], v.Timeline[i]
	}
	p.Title = p.L.T("detail.title") + " " + r.Code
	p.Data = v
	u.render(c, http.StatusOK, "detail", p)
}

func displayName(u *feedback.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Username
}
