package server

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"phananh/auth"
	"phananh/feedback"
	"phananh/live"
	"phananh/petition"
)

// PetitionDeps is what the petition routes need. Service is required; Auth
// enables the staff routes and Streamer the live counter.
type PetitionDeps struct {
	Service  *petition.Service
	Auth     *auth.Service
	Streamer *live.Streamer
}

// MountPetitions adds the petition routes. Call it before serving.
//
//	POST /api/v1/petitions                        JSON or multipart (photos) → 201 {"id","status"}; a repeated idempotency_key → the first petition
//	GET  /api/v1/petitions?sort=signatures|newest published petitions (offset, limit, category, ward)
//	GET  /api/v1/petitions/:id                    one published petition, with the names signers agreed to show
//	GET  /api/v1/petitions/:id/count              {"count":N} from the counter
//	POST /api/v1/petitions/:id/signatures         {"email","name","show_name","language"} → 202, link mailed
//	GET  /api/v1/petitions/:id/confirm?token=     the mailed link: a page whose button posts the token (counts nothing)
//	POST /api/v1/petitions/:id/confirm            token (form field, or JSON {"token"}) → the signature counts
//	GET  /api/v1/petitions/:id/live?since=SEQ     websocket: the petition's public events
//
// and, behind a staff session, the routes in petition_staff.go.
func (s *Server) MountPetitions(d PetitionDeps) {
	h := &petitionHandlers{s: s, svc: d.Service}
	api := s.engine.Group("/api/v1", apiHeaders())
	api.POST("/petitions", h.create)
	api.GET("/petitions", h.list)
	api.GET("/petitions/:id", h.get)
	api.GET("/petitions/:id/count", h.count)
	api.POST("/petitions/:id/signatures", h.sign)
	api.GET("/petitions/:id/confirm", h.confirmForm)
	api.POST("/petitions/:id/confirm", h.confirm)
	if d.Streamer != nil {
		api.GET("/petitions/:id/live", h.live(d.Streamer))
	}
	if d.Auth != nil {
		staff := &staffHandlers{s: s, auth: d.Auth}
		h.staffRoutes(api.Group("", staff.requireStaff))
	}
}

type petitionHandlers struct {
	s   *Server
	svc *petition.Service
}

type createPetitionRequest struct {
	Title    string `json:"title"`
	Text     string `json:"text"`
	Category string `json:"category"`
	Ward     string `json:"ward"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	// IdempotencyKey makes a retried request return the first petition.
	IdempotencyKey string `json:"idempotency_key"`
}

// maxIdempotencyKey bounds a client's idempotency key.
const maxIdempotencyKey = 200

func (h *petitionHandlers) create(c *gin.Context) {
	release, err := h.s.uploadSlot(c)
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	in, err := decodePetition(c)
	release()
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	p, err := h.svc.Create(c.Request.Context(), in)
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": p.ID, "status": p.Status})
}

// decodePetition reads a JSON body, or a multipart form whose "photo"
// parts are photos.
func decodePetition(c *gin.Context) (petition.CreateInput, error) {
	var req createPetitionRequest
	var in petition.CreateInput
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		if err := bindJSON(c, &req); err != nil {
			return in, err
		}
	} else {
		mr, err := c.Request.MultipartReader()
		if err != nil {
			return in, malformed()
		}
		if in.Photos, err = readPetitionForm(mr, &req); err != nil {
			return in, err
		}
	}
	if len(req.IdempotencyKey) > maxIdempotencyKey {
		return in, feedback.FieldError("idempotency_key", "Khóa chống gửi trùng quá dài.", "The idempotency key is too long.")
	}
	if req.IdempotencyKey != "" {
		in.IdempotencyKey = "api:" + req.IdempotencyKey
	}
	in.Title, in.Text, in.Category, in.Ward = req.Title, req.Text, req.Category, req.Ward
	in.Author = feedback.Contact{Name: strings.TrimSpace(req.Name), Email: strings.TrimSpace(req.Email), Phone: strings.TrimSpace(req.Phone)}
	return in, nil
}

func readPetitionForm(mr *multipart.Reader, req *createPetitionRequest) ([][]byte, error) {
	fields := map[string]*string{"title": &req.Title, "text": &req.Text, "category": &req.Category, "ward": &req.Ward,
		"name": &req.Name, "email": &req.Email, "phone": &req.Phone, "idempotency_key": &req.IdempotencyKey}
	var photos [][]byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return photos, nil
		}
		if err != nil {
			return nil, partError(err)
		}
		limit := int64(feedback.MaxTextLen * 4)
		if part.FormName() == "photo" {
			if len(photos) == feedback.MaxPhotos {
				return nil, feedback.Errorf(feedback.ETOOLARGE, "Tối đa 5 ảnh.", "At most 5 photos.")
			}
			limit = feedback.MaxPhotoBytes
		}
		b, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return nil, partError(err)
		}
		if int64(len(b)) > limit {
			return nil, errTooLarge()
		}
		if part.FormName() == "photo" {
			photos = append(photos, b)
		} else if dst := fields[part.FormName()]; dst != nil {
			*dst = string(b)
		}
	}
}

func (h *petitionHandlers) list(c *gin.Context) {
	offset, err := int64Param(c, "offset", 0)
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	limit, err := int64Param(c, "limit", 20)
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	order := c.DefaultQuery("sort", "newest")
	if order != "newest" && order != "signatures" {
		RenderError(c, h.s.log, feedback.FieldError("sort", `Sắp xếp phải là "signatures" hoặc "newest".`, `sort must be "signatures" or "newest".`))
		return
	}
	ps, err := h.svc.List(c.Request.Context(), feedback.PetitionFilter{Category: c.Query("category"), Ward: c.Query("ward"),
		Order: order, Offset: int(offset), Limit: int(limit)})
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	out := make([]PetitionView, len(ps))
	for i, p := range ps {
		out[i] = h.view(p, nil)
	}
	c.JSON(http.StatusOK, gin.H{"petitions": out})
}

func (h *petitionHandlers) get(c *gin.Context) {
	ctx := c.Request.Context()
	p, err := h.svc.Get(ctx, feedback.Actor{}, c.Param("id"))
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	names, err := h.svc.Signers(ctx, p.ID, 100)
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	c.JSON(http.StatusOK, h.view(p, names))
}

// count reads only the counter: it is what the pages poll when their
// websocket is down. A pending petition answers its (zero) count too; its
// id is 128 random bits, so nothing is revealed.
func (h *petitionHandlers) count(c *gin.Context) {
	n, err := h.svc.Count(c.Request.Context(), c.Param("id"))
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=2")
	c.JSON(http.StatusOK, gin.H{"count": n})
}

type signRequest struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	ShowName bool   `json:"show_name"`
	Language string `json:"language"`
}

func (h *petitionHandlers) sign(c *gin.Context) {
	var req signRequest
	if err := bindJSON(c, &req); err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	err := h.svc.RequestEmail(c.Request.Context(), petition.SignInput{PetitionID: c.Param("id"), Email: req.Email,
		Name: req.Name, ShowName: req.ShowName, Language: req.Language, IP: c.ClientIP()})
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{
		"status":     "pending_confirmation",
		"message":    "Vui lòng mở liên kết trong e-mail vừa gửi để xác nhận chữ ký.",
		"message_en": "Please open the link in the e-mail we just sent to confirm your signature.",
	})
}

func (h *petitionHandlers) live(st *live.Streamer) gin.HandlerFunc {
	return func(c *gin.Context) {
		since, err := sinceParam(c)
		if err != nil {
			RenderError(c, h.s.log, err)
			return
		}
		p, err := h.svc.Get(c.Request.Context(), feedback.Actor{}, c.Param("id"))
		if err != nil {
			RenderError(c, h.s.log, err)
			return
		}
		if err := st.Serve(c.Writer, liveRequest(c), live.PetitionTopic(p.ID), since); err != nil {
			RenderError(c, h.s.log, err)
		}
	}
}

// PetitionView is a petition as the public sees it: never the author's
// contact details or the staff account that answered.
type PetitionView struct {
	ID          string                       `json:"id"`
	Title       string                       `json:"title"`
	Text        string                       `json:"text"`
	Category    string                       `json:"category"`
	Ward        string                       `json:"ward,omitempty"`
	Unit        string                       `json:"unit,omitempty"`
	Origin      string                       `json:"origin"`
	Photos      []PhotoView                  `json:"photos"`
	Status      feedback.PetitionStatus      `json:"status"`
	Signable    bool                         `json:"signable"`
	Signatures  int                          `json:"signatures"`
	Level       int                          `json:"level"`
	Thresholds  []feedback.PetitionThreshold `json:"thresholds"`
	AnswerUnit  string                       `json:"answer_unit,omitempty"`
	AnswerDueAt *time.Time                   `json:"answer_due_at,omitempty"`
	Answer      *AnswerView                  `json:"answer,omitempty"`
	Reports     []string                     `json:"source_reports,omitempty"`
	Signers     []string                     `json:"signers,omitempty"` // names shown with consent
	CreatedAt   time.Time                    `json:"created_at"`
	PublishedAt *time.Time                   `json:"published_at,omitempty"`
	ClosesAt    *time.Time                   `json:"closes_at,omitempty"`
}

// AnswerView is the official answer as published.
type AnswerView struct {
	Text   string    `json:"text"`
	UnitID string    `json:"unit_id,omitempty"`
	At     time.Time `json:"at"`
}

func (h *petitionHandlers) view(p *feedback.Petition, signers []string) PetitionView {
	v := PetitionView{
		ID: p.ID, Title: p.Title, Text: p.Text, Category: p.Category, Ward: p.Ward, Unit: p.Unit, Origin: p.Origin,
		Photos: []PhotoView{}, Status: p.Status, Signable: p.Signable(h.s.now()), Signatures: p.Signatures, Level: p.Level,
		Thresholds: p.Thresholds, AnswerUnit: p.AnswerUnit, Reports: p.SourceReports, Signers: signers, CreatedAt: p.CreatedAt,
		AnswerDueAt: timePtr(p.AnswerDueAt), PublishedAt: timePtr(p.PublishedAt), ClosesAt: timePtr(p.ClosesAt),
	}
	for _, ph := range p.Photos {
		v.Photos = append(v.Photos, PhotoView{URL: photoURL(h.s.view.baseURL, ph.ID), ContentType: ph.ContentType, Kind: ph.Kind})
	}
	if a := p.Answer; a != nil {
		v.Answer = &AnswerView{Text: a.Text, UnitID: a.UnitID, At: a.At}
	}
	return v
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
