package server

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"phananh/desk"
	"phananh/feedback"
)

// reportRoutes are the staff queue and actions; every one needs a session
// and is authorized by the desk service (another unit's report is a 404).
//
//	GET  /api/v1/staff/reports                   queue: status, category, ward, unit, overdue, assignee, q, cursor, limit
//	GET  /api/v1/staff/reports/:code             report with contact, notes and full history
//	POST /api/v1/staff/reports/:code/transitions {"to","note","public_reply","reason","unit","version"}
//	POST /api/v1/staff/reports/:code/assign      {"assignee_id"}
//	POST /api/v1/staff/reports/:code/transfer    {"unit","reason","version"}
//	POST /api/v1/staff/reports/:code/category    {"category","ward"}
//	POST /api/v1/staff/reports/:code/notes       {"text"}   staff-only
//	POST /api/v1/staff/reports/:code/replies     {"text"}   public
//	POST /api/v1/staff/reports/:code/photos      multipart "photo": an "after" photo
//	POST /api/v1/staff/reports/:code/duplicate   {"original"}
//	GET  /api/v1/staff/officers?unit=            who reports can be assigned to
//
// Actions answer 200 {"report"}; a lost compare-and-set answers 409 with
// {"error","current"}.
func (h *staffHandlers) reportRoutes(g *gin.RouterGroup) {
	g.GET("/staff/reports", h.queue)
	g.GET("/staff/reports/:code", h.detail)
	g.POST("/staff/reports/:code/transitions", jsonAction(h, h.transition))
	g.POST("/staff/reports/:code/assign", jsonAction(h, func(ctx context.Context, by feedback.Actor, code string, req assignRequest) (*feedback.Report, error) {
		return h.desk.Assign(ctx, by, code, req.AssigneeID)
	}))
	g.POST("/staff/reports/:code/transfer", jsonAction(h, func(ctx context.Context, by feedback.Actor, code string, req transferRequest) (*feedback.Report, error) {
		return h.desk.Transfer(ctx, by, code, req.Unit, req.Reason, req.Version)
	}))
	g.POST("/staff/reports/:code/category", jsonAction(h, func(ctx context.Context, by feedback.Actor, code string, req categoryRequest) (*feedback.Report, error) {
		return h.desk.Recategorize(ctx, by, code, req.Category, req.Ward)
	}))
	g.POST("/staff/reports/:code/notes", jsonAction(h, func(ctx context.Context, by feedback.Actor, code string, req textRequest) (*feedback.Report, error) {
		return h.desk.Note(ctx, by, code, req.Text)
	}))
	g.POST("/staff/reports/:code/replies", jsonAction(h, func(ctx context.Context, by feedback.Actor, code string, req textRequest) (*feedback.Report, error) {
		return h.desk.Reply(ctx, by, code, req.Text)
	}))
	g.POST("/staff/reports/:code/duplicate", jsonAction(h, func(ctx context.Context, by feedback.Actor, code string, req duplicateRequest) (*feedback.Report, error) {
		return h.desk.MarkDuplicate(ctx, by, code, req.Original)
	}))
	g.POST("/staff/reports/:code/photos", h.addPhoto)
	g.GET("/staff/officers", h.officers)
}

type (
	transitionRequest struct {
		To          feedback.Status `json:"to"`
		Note        string          `json:"note"`
		PublicReply string          `json:"public_reply"`
		Reason      string          `json:"reason"`
		Unit        string          `json:"unit"`
		Version     int64           `json:"version"`
	}
	assignRequest struct {
		AssigneeID string `json:"assignee_id"`
	}
	transferRequest struct {
		Unit    string `json:"unit"`
		Reason  string `json:"reason"`
		Version int64  `json:"version"`
	}
	categoryRequest struct {
		Category string `json:"category"`
		Ward     string `json:"ward"`
	}
	textRequest struct {
		Text string `json:"text"`
	}
	duplicateRequest struct {
		Original string `json:"original"`
	}
)

func (h *staffHandlers) transition(ctx context.Context, by feedback.Actor, code string, req transitionRequest) (*feedback.Report, error) {
	return h.desk.Transition(ctx, by, code, desk.TransitionInput{
		To: req.To, Note: req.Note, PublicReply: req.PublicReply, Reason: req.Reason, Unit: req.Unit, Version: req.Version,
	})
}

// jsonAction turns a desk action taking a JSON request into a handler.
func jsonAction[T any](h *staffHandlers, fn func(context.Context, feedback.Actor, string, T) (*feedback.Report, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req T
		if err := bindJSON(c, &req); err != nil {
			RenderError(c, h.s.log, err)
			return
		}
		r, err := fn(c.Request.Context(), actor(c), c.Param("code"), req)
		h.answer(c, r, err)
	}
}

func (h *staffHandlers) answer(c *gin.Context, r *feedback.Report, err error) {
	if err != nil {
		h.renderStaffError(c, err, func(r *feedback.Report) any { return r })
		return
	}
	c.JSON(http.StatusOK, gin.H{"report": r})
}

func (h *staffHandlers) queue(c *gin.Context) {
	f := desk.QueueFilter{
		Category: c.Query("category"), Ward: c.Query("ward"), Unit: c.Query("unit"),
		Assignee: c.Query("assignee"), Text: c.Query("q"), Cursor: c.Query("cursor"),
		Overdue: c.Query("overdue") == "true" || c.Query("overdue") == "1",
	}
	for _, st := range splitList(c.Query("status")) {
		f.Status = append(f.Status, feedback.Status(st))
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			RenderError(c, h.s.log, feedback.FieldError("limit", "Số lượng không hợp lệ.", "Bad limit."))
			return
		}
		f.Limit = n
	}
	page, err := h.desk.Queue(c.Request.Context(), actor(c), f)
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	if page.Reports == nil {
		page.Reports = []*feedback.Report{}
	}
	c.JSON(http.StatusOK, gin.H{"reports": page.Reports, "next_cursor": page.NextCursor})
}

func (h *staffHandlers) detail(c *gin.Context) {
	d, err := h.desk.Report(c.Request.Context(), actor(c), c.Param("code"))
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// addPhoto takes one multipart file field "photo".
func (h *staffHandlers) addPhoto(c *gin.Context) {
	fh, err := c.FormFile("photo")
	if err != nil {
		if bodyTooLarge(err) {
			RenderError(c, h.s.log, errTooLarge())
			return
		}
		RenderError(c, h.s.log, feedback.FieldError("photo", "Thiếu ảnh.", "The photo is missing."))
		return
	}
	f, err := fh.Open()
	if err != nil {
		RenderError(c, h.s.log, feedback.Internal(err))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, feedback.MaxPhotoBytes+1))
	if err != nil {
		RenderError(c, h.s.log, feedback.Internal(err))
		return
	}
	r, err := h.desk.AddPhoto(c.Request.Context(), actor(c), c.Param("code"), data)
	h.answer(c, r, err)
}

func (h *staffHandlers) officers(c *gin.Context) {
	us, err := h.desk.Officers(c.Request.Context(), actor(c), c.Query("unit"))
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"users": us})
}
