package server

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
)

// citizenRoutes are the citizen's side of closure, authorized by the
// reporter token from intake (body "reporter_token" or header
// X-Reporter-Token), not by a session:
//
//	POST /api/v1/reports/:code/confirm {"reporter_token"}                     resolved -> closed
//	POST /api/v1/reports/:code/reopen  {"reporter_token","reason"}            resolved -> in_progress
//	POST /api/v1/reports/:code/rating  {"reporter_token","score","comment"}   1-5
//
// They answer 200 with the public view of the report.
func (h *staffHandlers) citizenRoutes(api *gin.RouterGroup) {
	api.POST("/reports/:code/confirm", h.citizenAction(func(ctx context.Context, code string, req closureRequest) (*feedback.Report, error) {
		return h.desk.Confirm(ctx, code, req.Token)
	}))
	api.POST("/reports/:code/reopen", h.citizenAction(func(ctx context.Context, code string, req closureRequest) (*feedback.Report, error) {
		return h.desk.Reopen(ctx, code, req.Token, req.Reason)
	}))
	api.POST("/reports/:code/rating", h.citizenAction(func(ctx context.Context, code string, req closureRequest) (*feedback.Report, error) {
		return h.desk.Rate(ctx, code, req.Token, req.Score, req.Comment)
	}))
}

type closureRequest struct {
	Token   string `json:"reporter_token"`
	Reason  string `json:"reason"`
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

const reporterTokenHeader = "X-Reporter-Token"

func (h *staffHandlers) citizenAction(fn func(context.Context, string, closureRequest) (*feedback.Report, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req closureRequest
		if err := bindJSON(c, &req); err != nil {
			RenderError(c, h.s.log, err)
			return
		}
		if req.Token == "" {
			req.Token = c.GetHeader(reporterTokenHeader)
		}
		r, err := fn(c.Request.Context(), c.Param("code"), req)
		if err != nil {
			h.renderStaffError(c, err, func(r *feedback.Report) any { return h.s.view.report(r) })
			return
		}
		c.JSON(http.StatusOK, h.s.view.report(r))
	}
}
