package webui

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
	"phananh/petition"
)

// Petitions is the petition service as the pages use it; *petition.Service
// implements it.
type Petitions interface {
	List(ctx context.Context, f feedback.PetitionFilter) ([]*feedback.Petition, error)
	Get(ctx context.Context, by feedback.Actor, id string) (*feedback.Petition, error)
	Signers(ctx context.Context, petitionID string, limit int) ([]string, error)
	RequestEmail(ctx context.Context, in petition.SignInput) error
	Create(ctx context.Context, in petition.CreateInput) (*feedback.Petition, error)
	Pending(ctx context.Context, by feedback.Actor, limit int) ([]*feedback.Petition, error)
	Moderate(ctx context.Context, by feedback.Actor, id string, d petition.Decision, reason string) (*feedback.Petition, error)
}

var _ Petitions = (*petition.Service)(nil)

// MountPetitions adds the petition pages; call it after Mount.
//
//	GET  /petitions           published petitions, most signed or newest first
//	GET  /petitions/new       the form to write a petition (pending moderation)
//	POST /petitions/new       that form, posted without JavaScript
//	GET  /petitions/:id       one petition with its live signature counter and the signing form
//	POST /petitions/:id/sign  the signing form without JavaScript
//
// and, with Config.Auth, the supervisors' moderation page:
//
//	GET  /staff/petitions                 petitions awaiting moderation
//	POST /staff/petitions/:id/moderation  approve, or reject with a reason
func (u *UI) MountPetitions(e *gin.Engine, svc Petitions) {
	h := &petitionPages{u: u, svc: svc}
	u.petitionsOn = true
	g := e.Group("", u.pageHeaders)
	g.GET("/petitions", h.list)
	g.GET("/petitions/new", h.newForm)
	g.POST("/petitions/new", h.create)
	g.GET("/petitions/:id", h.detail)
	g.POST("/petitions/:id/sign", h.sign)
	if u.cfg.Auth != nil {
		s := g.Group("", u.requireStaff)
		s.GET("/staff/petitions", h.moderation)
		s.POST("/staff/petitions/:id/moderation", h.moderate)
	}
}

type petitionPages struct {
	u   *UI
	svc Petitions
}

// petitionListView is the data of /petitions.
type petitionListView struct {
	Petitions []*feedback.Petition
	Sort      string
	Next      int // offset of the next page, 0 when none
}

const petitionsPerPage = 20

func (h *petitionPages) list(c *gin.Context) {
	v := &petitionListView{Sort: c.DefaultQuery("sort", "signatures")}
	if v.Sort != "newest" {
		v.Sort = "signatures"
	}
	offset, _ := strconv.Atoi(c.Query("offset"))
	ps, err := h.svc.List(c.Request.Context(), feedback.PetitionFilter{Order: v.Sort, Offset: max(offset, 0), Limit: petitionsPerPage})
	if err != nil {
		h.u.errorPage(c, 0, err)
		return
	}
	v.Petitions = ps
	if len(ps) == petitionsPerPage {
		v.Next = max(offset, 0) + petitionsPerPage
	}
	p := h.u.newPage(c, "petitions.title")
	p.Title = p.L.Msg("Kiến nghị", "Petitions")
	p.Data = v
	h.u.render(c, http.StatusOK, "petitions", p)
}

// petitionView is the data of /petitions/:id.
type petitionView struct {
	P       *feedback.Petition
	Signers []string
	Open    bool
	// Sent is set after the no-script form was accepted; Error after it
	// was refused.
	Sent  bool
	Error string
	// Form keeps what the signer typed when the form is shown again.
	Email, Name string
	ShowName    bool
}

func (h *petitionPages) detail(c *gin.Context) {
	h.show(c, &petitionView{ShowName: true}, http.StatusOK)
}

func (h *petitionPages) show(c *gin.Context, v *petitionView, status int) {
	ctx := c.Request.Context()
	pt, err := h.svc.Get(ctx, feedback.Actor{}, c.Param("id"))
	if err != nil {
		h.u.errorPage(c, 0, err)
		return
	}
	if v.Signers, err = h.svc.Signers(ctx, pt.ID, 50); err != nil {
		h.u.errorPage(c, 0, err)
		return
	}
	v.P, v.Open = pt, pt.Signable(h.u.cfg.Now())
	p := h.u.newPage(c, "petition.title")
	p.Title = pt.Title
	p.Script = "petition.js"
	p.Data = v
	h.u.render(c, status, "petition", p)
}

// sign is the no-script path of the signing form: the same request the
// page's script sends to the JSON API, answered with the page again.
func (h *petitionPages) sign(c *gin.Context) {
	v := &petitionView{Email: c.PostForm("email"), Name: c.PostForm("name"), ShowName: c.PostForm("show_name") != ""}
	l := h.u.lang(c)
	err := h.svc.RequestEmail(c.Request.Context(), petition.SignInput{PetitionID: c.Param("id"), Email: v.Email,
		Name: v.Name, ShowName: v.ShowName, Language: l.Code(), IP: c.ClientIP()})
	status := http.StatusAccepted
	if err != nil {
		e := feedback.AsError(err)
		if e.Code == feedback.EINTERNAL || e.Code == feedback.ENOTFOUND {
			h.u.errorPage(c, 0, err)
			return
		}
		v.Error, status = l.Msg(e.Message, e.MessageEN), h.u.errs.Status(e.Code)
	} else {
		v.Sent, v.Email = true, ""
	}
	h.show(c, v, status)
}
