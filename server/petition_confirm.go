package server

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
)

// confirm follows a mailed confirmation link. A browser (Accept: text/html)
// gets a small page in Vietnamese and English; API clients get JSON. The
// token is one-time for counting: following it again answers "already".
func (h *petitionHandlers) confirm(c *gin.Context) {
	res, err := h.svc.Confirm(c.Request.Context(), c.Query("token"))
	html := strings.Contains(c.GetHeader("Accept"), "text/html")
	// The link must not leak through Referer to anything the page loads.
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Cache-Control", "no-store")
	switch {
	case err != nil && !html:
		RenderError(c, h.s.log, err)
	case err != nil:
		e := feedback.AsError(err)
		if e.Code == feedback.EINTERNAL {
			RenderError(c, h.s.log, err) // logged there
			return
		}
		h.confirmPage(c, StatusOf(e.Code), confirmData{Title: "Chưa xác nhận được chữ ký", Message: e.Message, MessageEN: e.MessageEN, ID: c.Param("id")})
	case !html:
		c.JSON(http.StatusOK, res)
	default:
		d := confirmData{Title: "Cảm ơn bạn đã ký!", Message: "Chữ ký của bạn đã được xác nhận.",
			MessageEN: "Your signature is confirmed.", ID: res.PetitionID, Count: res.Count}
		if res.Already {
			d.Title, d.Message, d.MessageEN = "Chữ ký đã được xác nhận trước đó", "Liên kết này đã được dùng; chữ ký của bạn vẫn được tính.", "This link was used before; your signature still counts."
		}
		h.confirmPage(c, http.StatusOK, d)
	}
}

type confirmData struct {
	Title, Message, MessageEN, ID string
	Count                         int
}

var confirmTemplate = template.Must(template.New("confirm").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
.count{font-size:2rem;font-weight:600}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Message}}</p><p lang="en"><small>{{.MessageEN}}</small></p>
{{if .Count}}<p>Số chữ ký hiện tại: <span class="count">{{.Count}}</span></p>{{end}}
{{if .ID}}<p><a href="/petitions/{{.ID}}">Xem kiến nghị</a></p>{{end}}</body></html>`))

func (h *petitionHandlers) confirmPage(c *gin.Context, status int, d confirmData) {
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	if err := confirmTemplate.Execute(c.Writer, d); err != nil {
		h.s.log.Error("petition confirm page failed", "error", err)
	}
	c.Abort()
}
