package server

import (
	"context"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
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
	release, err := s.uploadSlot(c)
	if err != nil {
		RenderError(c, s.log, err)
		return
	}
	sub, err := decodeSubmission(c)
	release()
	if err != nil {
		RenderError(c, s.log, err)
		return
	}
	rc, err := s.intake.Submit(c.Request.Context(), sub)
	if err != nil {
		RenderError(c, s.log, formField(sub.Channel, err))
		return
	}
	status := http.StatusCreated
	if !rc.Created {
		status = http.StatusOK
	}
	c.JSON(status, CreatedView{ReportView: s.view.report(rc.Report), ReporterToken: rc.ReporterToken})
}

// uploadSlot waits for a free upload slot when the body is multipart, and
// returns the function that frees it. A client that gives up while waiting
// gets EUNAVAILABLE (it will not read the answer anyway).
func (s *Server) uploadSlot(c *gin.Context) (release func(), err error) {
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "multipart/form-data" {
		return func() {}, nil
	}
	select {
	case s.uploads <- struct{}{}:
		return func() { <-s.uploads }, nil
	case <-c.Request.Context().Done():
		return nil, feedback.Errorf(feedback.EUNAVAILABLE, "Máy chủ đang bận, vui lòng gửi lại.",
			"The server is busy, please send again.")
	}
}

// formField renames intake's "reporter.phone" to the form's own
// "reporter_phone" for multipart submissions, so the web form can put the
// message next to the input that caused it.
func formField(ch feedback.Channel, err error) error {
	e := feedback.AsError(err)
	if ch != feedback.ChannelWeb || !strings.HasPrefix(e.Field, "reporter.") {
		return err
	}
	renamed := *e
	renamed.Field = strings.Replace(e.Field, ".", "_", 1)
	return &renamed
}
