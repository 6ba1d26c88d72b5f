package server

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"phananh/intake"
)

// Submitter is the intake pipeline as the API uses it; *intake.Service
// implements it.
type Submitter interface {
	Submit(ctx context.Context, s intake.Submission) (intake.Receipt, error)
}

var _ Submitter = (*intake.Service)(nil)

// CreatedView is the body of POST /api/v1/reports: the public view plus
// the reporter's secret, shown this once and never again.
type CreatedView struct {
	ReportView
	ReporterToken string `json:"reporter_token,omitempty"`
}

// createReport accepts a report as JSON (API clients) or multipart with
// photos (the web form): 201 with the public view and the reporter token.
// A repeated idempotency key answers 200 with the existing report and no
// token.
func (s *Server) createReport(c *gin.Context) {
	sub, err := decodeSubmission(c)
	if err != nil {
		RenderError(c, s.log, err)
		return
	}
	rc, err := s.intake.Submit(c.Request.Context(), sub)
	if err != nil {
		RenderError(c, s.log, err)
		return
	}
	status := http.StatusCreated
	if !rc.Created {
		status = http.StatusOK
	}
	c.JSON(status, CreatedView{ReportView: s.view.report(rc.Report), ReporterToken: rc.ReporterToken})
}
