package server

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
	"phananh/petition"
)

// staffRoutes are the staff side of petitions; the petition service
// authorizes each (supervisors moderate and invalidate; managers and
// supervisors promote; the responsible unit and supervisors answer).
//
//	GET  /api/v1/staff/petitions?status=pending      petitions awaiting moderation
//	GET  /api/v1/staff/petitions/:id                 any petition, with its author's contact
//	POST /api/v1/staff/petitions                     {"title","text","category","ward","report_codes"} → 201
//	POST /api/v1/staff/petitions/:id/moderation      {"decision":"approve"|"reject","reason"}
//	POST /api/v1/staff/petitions/:id/answer          {"text"}
//	POST /api/v1/staff/petitions/:id/invalidations   {"email_domain","ip","from","until","reason"} → {"removed","count"}
func (h *petitionHandlers) staffRoutes(g *gin.RouterGroup) {
	g.GET("/staff/petitions", h.pending)
	g.GET("/staff/petitions/:id", h.staffGet)
	g.POST("/staff/petitions", h.promote)
	g.POST("/staff/petitions/:id/moderation", petitionAction(h, h.moderate))
	g.POST("/staff/petitions/:id/answer", petitionAction(h, h.answer))
	g.POST("/staff/petitions/:id/invalidations", h.invalidate)
}

// StaffPetitionView adds what staff may see to the public view.
type StaffPetitionView struct {
	PetitionView
	Author       feedback.Contact `json:"author"`
	CreatedBy    string           `json:"created_by"`
	RejectReason string           `json:"reject_reason,omitempty"`
	Version      int64            `json:"version"`
}

func (h *petitionHandlers) staffView(p *feedback.Petition) StaffPetitionView {
	return StaffPetitionView{PetitionView: h.view(p, nil), Author: p.Author, CreatedBy: p.CreatedBy,
		RejectReason: p.RejectReason, Version: p.Version}
}

func (h *petitionHandlers) pending(c *gin.Context) {
	if st := c.DefaultQuery("status", "pending"); st != "pending" {
		RenderError(c, h.s.log, feedback.FieldError("status", "Chỉ hỗ trợ status=pending.", "Only status=pending is supported."))
		return
	}
	ps, err := h.svc.Pending(c.Request.Context(), actor(c), 100)
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	out := make([]StaffPetitionView, len(ps))
	for i, p := range ps {
		out[i] = h.staffView(p)
	}
	c.JSON(http.StatusOK, gin.H{"petitions": out})
}

func (h *petitionHandlers) staffGet(c *gin.Context) {
	p, err := h.svc.Get(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	c.JSON(http.StatusOK, h.staffView(p))
}

type promoteRequest struct {
	Title       string   `json:"title"`
	Text        string   `json:"text"`
	Category    string   `json:"category"`
	Ward        string   `json:"ward"`
	ReportCodes []string `json:"report_codes"`
}

func (h *petitionHandlers) promote(c *gin.Context) {
	var req promoteRequest
	if err := bindJSON(c, &req); err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	p, err := h.svc.Promote(c.Request.Context(), actor(c), petition.PromoteInput{Title: req.Title, Text: req.Text,
		Category: req.Category, Ward: req.Ward, ReportCodes: req.ReportCodes})
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	c.JSON(http.StatusCreated, h.staffView(p))
}

type moderationRequest struct {
	Decision petition.Decision `json:"decision"`
	Reason   string            `json:"reason"`
}

func (h *petitionHandlers) moderate(ctx context.Context, by feedback.Actor, id string, req moderationRequest) (*feedback.Petition, error) {
	return h.svc.Moderate(ctx, by, id, req.Decision, req.Reason)
}

func (h *petitionHandlers) answer(ctx context.Context, by feedback.Actor, id string, req textRequest) (*feedback.Petition, error) {
	return h.svc.Answer(ctx, by, id, req.Text)
}

// petitionAction turns a service action taking a JSON request into a
// handler answering the staff view of the petition.
func petitionAction[T any](h *petitionHandlers, fn func(context.Context, feedback.Actor, string, T) (*feedback.Petition, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req T
		if err := bindJSON(c, &req); err != nil {
			RenderError(c, h.s.log, err)
			return
		}
		p, err := fn(c.Request.Context(), actor(c), c.Param("id"), req)
		if err != nil {
			RenderError(c, h.s.log, err)
			return
		}
		c.JSON(http.StatusOK, h.staffView(p))
	}
}

type invalidationRequest struct {
	EmailDomain string    `json:"email_domain"`
	IP          string    `json:"ip"`
	From        time.Time `json:"from"`
	Until       time.Time `json:"until"`
	Reason      string    `json:"reason"`
}

func (h *petitionHandlers) invalidate(c *gin.Context) {
	var req invalidationRequest
	if err := bindJSON(c, &req); err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	res, err := h.svc.Invalidate(c.Request.Context(), actor(c), c.Param("id"), petition.InvalidateInput{
		EmailDomain: req.EmailDomain, IP: req.IP, From: req.From, Until: req.Until, Reason: req.Reason})
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
