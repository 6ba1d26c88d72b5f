package webui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
)

// trackView is the data of the tracking page.
type trackView struct {
	R        *feedback.Report
	Overdue  bool
	Timeline []entry
	Photos   []photoView
	LastSeq  int64
	// Token is the reporter's secret, shown once after a form POST made
	// without JavaScript.
	Token string
	// CanClose shows confirm / reopen; CanRate shows the rating form.
	CanClose, CanRate bool
	Map               mapConfig
	// Error is the message of a refused closure form.
	Error string
}

// photoView is a photo link.
type photoView struct {
	URL  string
	Kind string
}

// publicTimelineLimit caps the events shown; a report never has that many.
const publicTimelineLimit = 500

// track serves /r/{code}: status, timeline, replies and photos.
func (u *UI) track(c *gin.Context) {
	code := feedback.NormalizeCode(c.Param("code"))
	if code != "" && code != c.Param("code") {
		c.Redirect(http.StatusMovedPermanently, "/r/"+code)
		return
	}
	u.showTrack(c, code, http.StatusOK, "")
}

// showTrack renders the tracking page, with an error message from a
// closure form when there is one.
func (u *UI) showTrack(c *gin.Context, code string, status int, errMsg string) {
	if code == "" {
		u.errorPage(c, http.StatusNotFound, feedback.NotFound("report"))
		return
	}
	r, err := u.cfg.Reports.Report(c.Request.Context(), code)
	if err != nil {
		u.errorPage(c, 0, err)
		return
	}
	es, err := u.cfg.Reports.Events(c.Request.Context(), feedback.EventFilter{ReportID: r.ID, PublicOnly: true, Limit: publicTimelineLimit})
	if err != nil {
		u.errorPage(c, 0, err)
		return
	}
	p := u.newPage(c, "track.title")
	p.Title += " " + r.Code
	p.Script, p.Vendor, p.Styles = "track.js", []string{"leaflet/leaflet.js"}, []string{"leaflet/leaflet.css"}
	v := &trackView{R: r, Overdue: r.Overdue(u.cfg.Now()), Timeline: p.L.timeline(es, r.Public, false, nil),
		CanClose: r.Status == feedback.StatusResolved && u.cfg.Desk != nil,
		CanRate:  (r.Status == feedback.StatusResolved || r.Status == feedback.StatusClosed) && r.Rating == 0 && u.cfg.Desk != nil,
		Map:      u.mapConfig(), Error: errMsg}
	if n := len(es); n > 0 {
		v.LastSeq = es[n-1].Seq
	}
	if r.Public {
		v.Photos = photoViews(r.Photos)
	}
	if ck, err := c.Cookie(flashCookie); err == nil && len(ck) == 64 {
		v.Token = ck
		http.SetCookie(c.Writer, &http.Cookie{Name: flashCookie, Value: "", Path: "/r/" + code, MaxAge: -1,
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: u.cfg.SecureCookies})
	}
	p.Data = v
	u.render(c, status, "track", p)
}

// closure takes the tracking page's closure form without JavaScript:
// confirm, reopen with a reason, or rate. The reporter key in the form is
// the authorization, so a forged cross-site post cannot act: it does not
// know the key.
func (u *UI) closure(c *gin.Context) {
	code := feedback.NormalizeCode(c.Param("code"))
	if u.cfg.Desk == nil || code == "" {
		u.errorPage(c, http.StatusNotFound, feedback.NotFound("report"))
		return
	}
	ctx, token := c.Request.Context(), strings.TrimSpace(c.PostForm("reporter_token"))
	var err error
	switch c.PostForm("action") {
	case "confirm":
		_, err = u.cfg.Desk.Confirm(ctx, code, token)
	case "reopen":
		_, err = u.cfg.Desk.Reopen(ctx, code, token, c.PostForm("reason"))
	case "rate":
		score, _ := strconv.Atoi(c.PostForm("score"))
		_, err = u.cfg.Desk.Rate(ctx, code, token, score, c.PostForm("comment"))
	default:
		err = feedback.FieldError("action", "Thao tác không hợp lệ.", "Unknown action.")
	}
	if err != nil {
		e := feedback.AsError(err)
		u.showTrack(c, code, u.errs.Status(e.Code), u.lang(c).Msg(e.Message, e.MessageEN))
		return
	}
	c.Redirect(http.StatusSeeOther, "/r/"+code)
}

func photoViews(ps []feedback.Photo) []photoView {
	out := make([]photoView, 0, len(ps))
	for _, ph := range ps {
		out = append(out, photoView{URL: "/api/v1/photos/" + ph.ID, Kind: ph.Kind})
	}
	return out
}

// lookup takes the home page's "look up a report" form (GET /r?code=).
func (u *UI) lookup(c *gin.Context) {
	code := feedback.NormalizeCode(c.Query("code"))
	if code == "" {
		u.errorPage(c, http.StatusNotFound, feedback.NotFound("report"))
		return
	}
	c.Redirect(http.StatusSeeOther, "/r/"+code)
}
