package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"phananh/city"
	"phananh/desk"
	"phananh/feedback"
)

// queueView is the data of the officers' queue.
type queueView struct {
	Reports    []queueRow
	Filter     queueFilter
	Next       string
	Categories []city.Category
	Wards      []city.Ward
	Units      []city.Unit
	Statuses   []feedback.Status
	// AllUnits shows the unit filter (supervisors see every unit).
	AllUnits bool
}

// queueFilter is the queue's filter form, echoed back.
type queueFilter struct {
	Status, Category, Ward, Unit, Q string
	Overdue, Mine                   bool
}

// queueRow is one report in the queue.
type queueRow struct {
	R       *feedback.Report
	Overdue bool
}

// queue serves /staff: the reports the signed-in account handles, soonest
// due first, open ones by default.
func (u *UI) queue(c *gin.Context) {
	usr := staffUser(c)
	fl := queueFilter{Status: c.DefaultQuery("status", "open"), Category: c.Query("category"), Ward: c.Query("ward"),
		Unit: c.Query("unit"), Q: c.Query("q"), Overdue: c.Query("overdue") != "", Mine: c.Query("mine") != ""}
	f := desk.QueueFilter{Category: fl.Category, Ward: fl.Ward, Unit: fl.Unit, Text: fl.Q, Overdue: fl.Overdue,
		Cursor: c.Query("cursor"), Limit: 50}
	if g, ok := statusGroups[fl.Status]; ok {
		f.Status = g
	} else if st := feedback.Status(fl.Status); st.Valid() {
		f.Status = []feedback.Status{st}
	}
	if fl.Mine {
		f.Assignee = "me"
	}
	page, err := u.cfg.Desk.Queue(c.Request.Context(), actorOf(c), f)
	if err != nil {
		u.errorPage(c, 0, err)
		return
	}
	now := u.cfg.Now()
	v := &queueView{Filter: fl, Next: page.NextCursor, Categories: u.cfg.City.Categories(), Wards: u.cfg.City.Wards(),
		Units: u.cfg.City.Units(), Statuses: feedback.Statuses, AllUnits: !usr.Role.UnitScoped()}
	for _, r := range page.Reports {
		v.Reports = append(v.Reports, queueRow{R: r, Overdue: r.Overdue(now)})
	}
	p := u.staffPage(c, "queue.title")
	p.Script = "staff.js"
	p.Data = v
	u.render(c, http.StatusOK, "queue", p)
}
