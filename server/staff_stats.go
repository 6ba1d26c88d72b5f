package server

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
)

// statsRoutes:
//
//	GET /api/v1/stats?from=&to=&group=unit|category|ward   supervisors
//	GET /api/v1/stats/export.csv?same                      the same as CSV (UTF-8 with BOM)
//	GET /api/v1/staff/audit?actor=&subject=&action=&before=&limit=   supervisors and admins
//
// from and to are YYYY-MM-DD days in the city's time zone (to inclusive)
// or RFC 3339 instants (to exclusive); the default is the last 30 days.
func (h *staffHandlers) statsRoutes(g *gin.RouterGroup) {
	g.GET("/stats", h.stats)
	g.GET("/stats/export.csv", h.statsCSV)
	g.GET("/staff/audit", h.audit)
}

// StatsView is the body of GET /api/v1/stats.
type StatsView struct {
	From  time.Time           `json:"from"`
	To    time.Time           `json:"to"`
	Group feedback.StatsGroup `json:"group"`
	Rows  []StatsRowView      `json:"rows"`
}

// StatsRowView is one group's figures with the group's display name.
type StatsRowView struct {
	feedback.StatsRow
	Name string `json:"name"`
}

func (h *staffHandlers) statsQuery(c *gin.Context) (feedback.StatsQuery, error) {
	loc := h.desk.Location()
	now := h.s.now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	q := feedback.StatsQuery{From: today.AddDate(0, 0, -29), To: today.AddDate(0, 0, 1), Group: feedback.StatsByUnit}
	if g := c.Query("group"); g != "" {
		q.Group = feedback.StatsGroup(g)
	}
	var err error
	if v := c.Query("from"); v != "" {
		if q.From, err = parseDay(v, loc, false); err != nil {
			return q, feedback.FieldError("from", "Ngày bắt đầu không hợp lệ (YYYY-MM-DD).", "Bad from date (YYYY-MM-DD).")
		}
	}
	if v := c.Query("to"); v != "" {
		if q.To, err = parseDay(v, loc, true); err != nil {
			return q, feedback.FieldError("to", "Ngày kết thúc không hợp lệ (YYYY-MM-DD).", "Bad to date (YYYY-MM-DD).")
		}
	}
	return q, nil
}

// parseDay reads a day in loc (the next midnight when end is set, so the
// day is included) or an RFC 3339 instant.
func parseDay(s string, loc *time.Location, end bool) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

func (h *staffHandlers) statsView(c *gin.Context) (*StatsView, bool) {
	q, err := h.statsQuery(c)
	if err == nil {
		var rows []feedback.StatsRow
		if rows, err = h.desk.Stats(c.Request.Context(), actor(c), q); err == nil {
			v := &StatsView{From: q.From, To: q.To, Group: q.Group, Rows: make([]StatsRowView, 0, len(rows))}
			for _, r := range rows {
				v.Rows = append(v.Rows, StatsRowView{StatsRow: r, Name: h.groupName(q.Group, r.Key)})
			}
			return v, true
		}
	}
	RenderError(c, h.s.log, err)
	return nil, false
}

func (h *staffHandlers) groupName(g feedback.StatsGroup, key string) string {
	var name string
	switch g {
	case feedback.StatsByUnit:
		name, _, _ = h.s.view.dir.UnitName(key)
	case feedback.StatsByCategory:
		name, _, _ = h.s.view.dir.CategoryName(key)
	case feedback.StatsByWard:
		name, _, _ = h.s.view.dir.WardName(key)
	}
	if name == "" {
		return key
	}
	return name
}

func (h *staffHandlers) stats(c *gin.Context) {
	if v, ok := h.statsView(c); ok {
		c.JSON(http.StatusOK, v)
	}
}

// utf8BOM makes Excel read the CSV as UTF-8, so Vietnamese shows correctly.
const utf8BOM = "\ufeff"

var csvHeader = []string{
	"Mã", "Tên", "Tiếp nhận", "Đã giải quyết", "Đang xử lý", "Quá hạn", "Đúng hạn (%)",
	"Phản hồi đầu tiên - trung vị (giờ làm việc)", "Phản hồi đầu tiên - P90 (giờ làm việc)",
	"Giải quyết - trung vị (giờ làm việc)", "Giải quyết - P90 (giờ làm việc)",
	"Tỷ lệ mở lại (%)", "Mức hài lòng trung bình (1-5)", "Số lượt đánh giá",
}

func (h *staffHandlers) statsCSV(c *gin.Context) {
	v, ok := h.statsView(c)
	if !ok {
		return
	}
	loc := h.desk.Location()
	name := fmt.Sprintf("thong-ke-%s-%s_%s.csv", v.Group, v.From.In(loc).Format("20060102"), v.To.In(loc).Format("20060102"))
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Status(http.StatusOK)
	c.Writer.WriteString(utf8BOM) //nolint:errcheck // a write error surfaces in w.Error below
	w := csv.NewWriter(c.Writer)
	w.Write(csvHeader) //nolint:errcheck
	for _, r := range v.Rows {
		w.Write([]string{ //nolint:errcheck
			cell(r.Key), cell(r.Name), intCell(r.Received), intCell(r.Resolved), intCell(r.Open), intCell(r.Overdue),
			num(r.SLAMetPct, 1), num(r.FirstResponseMedianH, 1), num(r.FirstResponseP90H, 1),
			num(r.ResolutionMedianH, 1), num(r.ResolutionP90H, 1), num(r.ReopenRate, 100),
			num(r.AvgSatisfaction, 1), intCell(r.Rated),
		})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		h.s.log.Warn("stats csv write failed", "request_id", RequestID(c), "error", err)
	}
}

// cell neutralises text a spreadsheet would run as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func intCell(n int64) string { return strconv.FormatInt(n, 10) }

// num formats an optional figure times scale with two decimals; "" when
// there is nothing to measure.
func num(v *float64, scale float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v*scale, 'f', 2, 64)
}

func (h *staffHandlers) audit(c *gin.Context) {
	f := feedback.AuditFilter{ActorID: c.Query("actor"), Subject: c.Query("subject"), Action: c.Query("action")}
	var err error
	if f.BeforeSeq, err = int64Param(c, "before", 0); err == nil {
		var limit int64
		limit, err = int64Param(c, "limit", 100)
		f.Limit = int(min(max(limit, 1), 500))
	}
	var entries []feedback.AuditEntry
	if err == nil {
		entries, err = h.desk.Audit(c.Request.Context(), actor(c), f)
	}
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	var next int64
	if n := len(entries); n > 0 && n == f.Limit {
		next = entries[n-1].Seq
	}
	c.JSON(http.StatusOK, gin.H{"entries": entries, "next_before": next})
}
