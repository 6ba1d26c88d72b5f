package webui

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"phananh/city"
	"phananh/feedback"
	"phananh/petition"
)

// petitionFormView is the data of /petitions/new.
type petitionFormView struct {
	Token      string
	Categories []city.Category
	Wards      []city.Ward
	Values     petitionValues
	Error      string
	ErrorField string
	// Sent is set after a petition was accepted for moderation.
	Sent bool
}

// petitionValues are the author's entries, kept when the form is shown
// again after an error (photos excepted).
type petitionValues struct {
	Title, Text, Category, Ward string
	Name, Email, Phone          string
}

func (h *petitionPages) newForm(c *gin.Context) {
	h.showForm(c, http.StatusOK, petitionValues{}, nil, c.Query("sent") != "")
}

func (h *petitionPages) showForm(c *gin.Context, status int, v petitionValues, err error, sent bool) {
	p := h.u.newPage(c, "petition.new.title")
	p.Title = p.L.Msg("Tạo kiến nghị", "Start a petition")
	fv := &petitionFormView{Token: h.u.tokens.issue(h.u.browserID(c)), Categories: h.u.cfg.City.Categories(),
		Wards: h.u.cfg.City.Wards(), Values: v, Sent: sent}
	if err != nil {
		e := feedback.AsError(err)
		fv.Error, fv.ErrorField = p.L.Msg(e.Message, e.MessageEN), e.Field
	}
	p.Data = fv
	h.u.render(c, status, "petition_new", p)
}

// create takes the petition form. The form token guards it against
// cross-site posts, as for the report form; the petition waits for a
// supervisor's approval before anyone else sees it.
func (h *petitionPages) create(c *gin.Context) {
	in, v, err := h.readPetition(c)
	if err == nil {
		_, err = h.svc.Create(c.Request.Context(), in)
	}
	if err != nil {
		if feedback.ErrorCode(err) == feedback.EINTERNAL {
			h.u.errorPage(c, 0, err)
			return
		}
		h.showForm(c, h.u.errs.Status(feedback.ErrorCode(err)), v, err, false)
		return
	}
	c.Redirect(http.StatusSeeOther, "/petitions/new?sent=1")
}

func (h *petitionPages) readPetition(c *gin.Context) (petition.CreateInput, petitionValues, error) {
	var v petitionValues
	cleanup, err := parseForm(c)
	if err != nil {
		return petition.CreateInput{}, v, err
	}
	defer cleanup()
	f := func(k string) string { return strings.TrimSpace(c.Request.PostFormValue(k)) }
	v = petitionValues{Title: f("title"), Text: f("text"), Category: f("category"), Ward: f("ward"),
		Name: f("name"), Email: f("email"), Phone: f("phone")}
	nonce, err := h.u.checkForm(c, f("form_token"))
	if err != nil {
		return petition.CreateInput{}, v, err
	}
	// The form token doubles as the idempotency key: a double tap or a
	// resent POST makes one petition.
	in := petition.CreateInput{Title: v.Title, Text: v.Text, Category: v.Category, Ward: v.Ward,
		Author: feedback.Contact{Name: v.Name, Email: v.Email, Phone: v.Phone}, IdempotencyKey: "web:" + nonce}
	if mf := c.Request.MultipartForm; mf != nil {
		ups, err := readPhotos(mf.File["photos"])
		if err != nil {
			return in, v, err
		}
		for _, up := range ups {
			in.Photos = append(in.Photos, up.Data)
		}
	}
	return in, v, nil
}
