package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
)

// timelineLimit caps the public events shown with a report; a report never
// has nearly as many.
const timelineLimit = 500

// getReport serves the public view of one report with its timeline.
func (s *Server) getReport(c *gin.Context) {
	r, ok := s.reportByCode(c)
	if !ok {
		return
	}
	es, err := s.store.Events(c.Request.Context(), feedback.EventFilter{
		ReportID: r.ID, PublicOnly: true, Limit: timelineLimit,
	})
	if err != nil {
		RenderError(c, s.log, err)
		return
	}
	v := s.view.report(r)
	v.Timeline = s.view.events(es, r.Public)
	c.JSON(http.StatusOK, v)
}

// EventsPage is the body of GET /api/v1/reports/{code}/events.
type EventsPage struct {
	Events []EventView `json:"events"`
	// LastSeq is the sequence to pass as since= next time.
	LastSeq int64 `json:"last_seq"`
}

// reportEvents serves the public events of a report after ?since=SEQ, so
// a client that reconnects misses nothing.
func (s *Server) reportEvents(c *gin.Context) {
	since, err := int64Param(c, "since", 0)
	if err != nil {
		RenderError(c, s.log, err)
		return
	}
	r, ok := s.reportByCode(c)
	if !ok {
		return
	}
	es, err := s.store.Events(c.Request.Context(), feedback.EventFilter{
		ReportID: r.ID, PublicOnly: true, AfterSeq: since, Limit: timelineLimit,
	})
	if err != nil {
		RenderError(c, s.log, err)
		return
	}
	page := EventsPage{Events: s.view.events(es, r.Public), LastSeq: since}
	if n := len(es); n > 0 {
		page.LastSeq = es[n-1].Seq
	}
	c.JSON(http.StatusOK, page)
}

// reportByCode loads the report named by the :code parameter, rendering
// 404 for malformed and unknown codes alike.
func (s *Server) reportByCode(c *gin.Context) (*feedback.Report, bool) {
	code := feedback.NormalizeCode(c.Param("code"))
	if code == "" {
		RenderError(c, s.log, feedback.NotFound("report"))
		return nil, false
	}
	r, err := s.store.Report(c.Request.Context(), code)
	if err != nil {
		RenderError(c, s.log, err)
		return nil, false
	}
	return r, true
}

// ReportList is the body of GET /api/v1/reports.
type ReportList struct {
	Reports []ReportView `json:"reports"`
	// NextCursor fetches the next page (?cursor=); "" on the last page.
	NextCursor string `json:"next_cursor"`
}

// listReports serves the public list, newest first, with filters status
// (comma separated), category, ward, bbox (minLng,minLat,maxLng,maxLat),
// since (RFC 3339 or YYYY-MM-DD), limit and cursor.
func (s *Server) listReports(c *gin.Context) {
	f, err := s.listFilter(c)
	if err != nil {
		RenderError(c, s.log, err)
		return
	}
	page, err := s.store.FindReports(c.Request.Context(), f)
	if err != nil {
		RenderError(c, s.log, err)
		return
	}
	out := ReportList{Reports: make([]ReportView, 0, len(page.Reports)), NextCursor: page.NextCursor}
	for _, r := range page.Reports {
		out.Reports = append(out.Reports, s.view.report(r))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) listFilter(c *gin.Context) (feedback.ReportFilter, error) {
	f := feedback.ReportFilter{Order: "newest", Cursor: c.Query("cursor")}
	for _, st := range splitList(c.Query("status")) {
		if !feedback.Status(st).Valid() {
			return f, feedback.FieldError("status", "Trạng thái không hợp lệ.", "Unknown status.")
		}
		f.Status = append(f.Status, feedback.Status(st))
	}
	if f.Category = c.Query("category"); f.Category != "" {
		if _, _, ok := s.view.dir.CategoryName(f.Category); !ok {
			return f, feedback.FieldError("category", "Lĩnh vực không tồn tại.", "Unknown category.")
		}
	}
	if f.Ward = c.Query("ward"); f.Ward != "" {
		if _, _, ok := s.view.dir.WardName(f.Ward); !ok {
			return f, feedback.FieldError("ward", "Phường, xã không tồn tại.", "Unknown ward.")
		}
	}
	var err error
	if f.BBox, err = parseBBox(c.Query("bbox")); err != nil {
		return f, err
	}
	if f.Since, err = parseSince(c.Query("since")); err != nil {
		return f, err
	}
	limit, err := int64Param(c, "limit", 50)
	if err != nil || limit < 1 || limit > 200 {
		return f, feedback.FieldError("limit", "Số lượng phải từ 1 đến 200.", "limit must be from 1 to 200.")
	}
	f.Limit = int(limit)
	return f, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseBBox reads "minLng,minLat,maxLng,maxLat".
func parseBBox(s string) (*[4]float64, error) {
	if s == "" {
		return nil, nil
	}
	bad := feedback.FieldError("bbox",
		"Vùng bản đồ phải có dạng minLng,minLat,maxLng,maxLat.",
		"bbox must be minLng,minLat,maxLng,maxLat.")
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, bad
	}
	var b [4]float64
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, bad
		}
		b[i] = v
	}
	if b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] > b[2] || b[1] > b[3] {
		return nil, bad
	}
	return &b, nil
}

var vietnam = time.FixedZone("ICT", 7*60*60)

// parseSince reads an RFC 3339 time or a bare date, which is a day in
// Vietnam (UTC+7), where the city is. Years outside 1970..2200 are refused:
// stores keep times as Unix nanoseconds.
func parseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.ParseInLocation(time.DateOnly, s, vietnam)
	}
	if err == nil && t.Year() >= 1970 && t.Year() <= 2200 {
		return t, nil
	}
	return time.Time{}, feedback.FieldError("since",
		"Thời điểm phải có dạng 2025-06-01 hoặc RFC 3339.",
		"since must be a date (2025-06-01) or an RFC 3339 time.")
}

// int64Param reads a non-negative integer query parameter.
func int64Param(c *gin.Context, name string, def int64) (int64, error) {
	s := c.Query(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, feedback.FieldError(name, "Giá trị phải là số nguyên không âm.", name+" must be a non-negative integer.")
	}
	return n, nil
}
