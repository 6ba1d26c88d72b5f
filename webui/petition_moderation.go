package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
	"phananh/petition"
)

// moderationView is the data of /staff/petitions.
type moderationView struct {
	Pending []*feedback.Petition
	// Done is the decision just taken ("approve", "reject"); Error the
	// message of a refused one.
	Done, Error string
}

// pendingShown bounds the moderation list; the oldest wait longest, and
// the list shrinks as they are decided.
const pendingShown = 100

// moderation serves the supervisors' list of petitions awaiting approval;
// the petition service refuses other roles.
func (h *petitionPages) moderation(c *gin.Context) {
	v := &moderationView{Done: c.Query("done")}
	if v.Done != string(petition.Approve) && v.Done != string(petition.Reject) {
		v.Done = ""
	}
	h.showModeration(c, http.StatusOK, v)
}

func (h *petitionPages) showModeration(c *gin.Context, status int, v *moderationView) {
	ps, err := h.svc.Pending(c.Request.Context(), actorOf(c), pendingShown)
	if err != nil {
		h.u.errorPage(c, 0, err)
		return
	}
	v.Pending = ps
	p := h.u.staffPage(c, "petition.moderation.title")
	p.Title = p.L.Msg("Kiểm duyệt kiến nghị", "Petition moderation")
	p.Data = v
	h.u.render(c, status, "petition_moderation", p)
}

// moderate takes an approve or reject form. The forms carry the session's
// CSRF token, like the sign-out form.
func (h *petitionPages) moderate(c *gin.Context) {
	if _, ok := h.u.checkCSRF(c); !ok {
		return
	}
	d := petition.Decision(c.PostForm("decision"))
	_, err := h.svc.Moderate(c.Request.Context(), actorOf(c), c.Param("id"), d, c.PostForm("reason"))
	if err != nil {
		e := feedback.AsError(err)
		if e.Code == feedback.EINTERNAL || e.Code == feedback.EUNAUTHORIZED || e.Code == feedback.EFORBIDDEN {
			h.u.errorPage(c, 0, err)
			return
		}
		h.showModeration(c, h.u.errs.Status(e.Code), &moderationView{Error: h.u.lang(c).Msg(e.Message, e.MessageEN)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/staff/petitions?done="+string(d))
}
