package server

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
)

// confirmForm answers a mailed confirmation link (GET) with a page whose
// button posts the token back; following the link counts nothing. Mail
// providers' link scanners open every link in a message, so a GET that
// counted would sign for whoever typed the address, without its owner.
func (h *petitionHandlers) confirmForm(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Cache-Control", "no-store")
	tok := c.Query("token")
	if !strings.Contains(c.GetHeader("Accept"), "text/html") {
		c.JSON(http.StatusOK, gin.H{"status": "confirmation_required", "method": http.MethodPost,
			"message":    "Gửi lại mã này bằng POST để xác nhận chữ ký.",
			"message_en": "POST this token back to confirm the signature."})
		return
	}
	h.confirmPage(c, http.StatusOK, confirmData{Title: "Xác nhận chữ ký kiến nghị",
		Message: "Bấm nút bên dưới để xác nhận chữ ký của bạn.", MessageEN: "Press the button below to confirm your signature.",
		ID: c.Param("id"), Token: tok})
}

// confirm counts a signature: the token comes from the confirmation page's
// form, or from an API client's JSON {"token"}. A browser (Accept:
// text/html) gets a small page in Vietnamese and English; API clients get
// JSON. Confirming again answers "already".
func (h *petitionHandlers) confirm(c *gin.Context) {
	tok, err := confirmToken(c)
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	res, err := h.svc.Confirm(c.Request.Context(), tok)
	html := strings.Contains(c.GetHeader("Accept"), "text/html")
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

// confirmToken reads the token of a confirmation POST: a form field, or
// JSON {"token"}.
func confirmToken(c *gin.Context) (string, error) {
	var req struct {
		Token string `json:"token"`
	}
	if ct := c.ContentType(); ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data" {
		req.Token = c.PostForm("token")
	} else if err := bindJSON(c, &req); err != nil {
		return "", err
	}
	if req.Token == "" {
		return "", feedback.FieldError("token", "Thiếu mã xác nhận.", "The token is missing.")
	}
	return req.Token, nil
}

type confirmData struct {
	Title, Message, MessageEN, ID string
	// Token, when set, shows the form that confirms it.
	Token string
	Count int
}

var confirmTemplate = template.Must(template.New("confirm").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
.count{font-size:2rem;font-weight:600}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Message}}</p><p lang="en"><small>{{.MessageEN}}</small></p>
{{if .Token}}<form method="post"><input type="hidden" name="token" value="{{.Token}}">
<button type="submit">Xác nhận chữ ký / Confirm my signature</button></form>{{end}}
{{if .Count}}<p>Số chữ ký hiện tại: <span class="count">{{.Count}}</span></p>{{end}}
{{if .ID}}<p><a href="/petitions/{{.ID}}">Xem kiến nghị</a></p>{{end}}</body></html>`))

func (h *petitionHandlers) confirmPage(c *gin.Context, status int, d confirmData) {
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	if err := confirmTemplate.Execute(c.Writer, d); err != nil {
		h.s.log.Error("petition confirm page failed", "error", err)
	}
	c.Abort()
}
