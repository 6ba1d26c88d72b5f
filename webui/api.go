package webui

import (
	"encoding/json"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"phananh/feedback"
	"phananh/ratelimit"
)

// NearbyRadius is how far "already reported nearby?" looks, in meters.
const NearbyRadius = 200

// Limits of the live category suggestion: a citizen typing triggers about
// one request a second; a script hammering the classifier does not get far.
const (
	classifyRate  = rate.Limit(2)
	classifyBurst = 20
)

// apiRoutes are the small JSON endpoints behind the form's live features:
//
//	POST /api/v1/classify                {"text","lat","lng"} -> {"category","category_name","confidence","ward","ward_name"}
//	GET  /api/v1/nearby?lat=&lng=&category=   open reports within 200 m
//	POST /api/v1/reports/:code/support   "me too" (X-Form-Token header)
func (u *UI) apiRoutes(g *gin.RouterGroup) {
	g.POST("/classify", u.classifyText)
	g.GET("/nearby", u.nearby)
	g.POST("/reports/:code/support", u.support)
}

type classifyRequest struct {
	Text string   `json:"text"`
	Lat  *float64 `json:"lat"`
	Lng  *float64 `json:"lng"`
}

// suggestion is the live category suggestion.
type suggestion struct {
	Category       string  `json:"category"`
	CategoryName   string  `json:"category_name"`
	CategoryNameEN string  `json:"category_name_en"`
	Confidence     float64 `json:"confidence"`
	Ward           string  `json:"ward,omitempty"`
	WardName       string  `json:"ward_name,omitempty"`
}

func (u *UI) classifyText(c *gin.Context) {
	if !u.classify.Allow(ratelimit.ClientKey(c.ClientIP()), u.cfg.Now()) {
		u.errs.JSON(c, feedback.Errorf(feedback.ERATELIMIT, "Bạn gửi quá nhanh, vui lòng chờ một chút.", "Too many requests, please wait a moment."))
		return
	}
	var req classifyRequest
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		u.errs.JSON(c, feedback.FieldError("body", "Dữ liệu JSON không hợp lệ.", "Malformed JSON."))
		return
	}
	if n := utf8.RuneCountInString(req.Text); n < 3 || n > feedback.MaxTextLen {
		u.errs.JSON(c, feedback.FieldError("text", "Nội dung phải từ 3 đến 5000 ký tự.", "The text must be 3 to 5000 characters long."))
		return
	}
	cls, err := u.cfg.Classifier.Classify(c.Request.Context(), feedback.ClassifyInput{Text: req.Text, Lat: req.Lat, Lng: req.Lng})
	if err != nil {
		u.errs.JSON(c, err)
		return
	}
	out := suggestion{Category: cls.Category, Confidence: cls.Confidence, Ward: cls.Ward}
	if cat, ok := u.cfg.City.Category(cls.Category); ok {
		out.CategoryName, out.CategoryNameEN = cat.Name, cat.NameEN
	}
	if w, ok := u.cfg.City.Ward(cls.Ward); ok {
		out.WardName = w.Name
	}
	c.JSON(http.StatusOK, out)
}

// nearbyItem is an open report near the citizen, in public terms.
type nearbyItem struct {
	Code         string `json:"code"`
	URL          string `json:"url"`
	Status       string `json:"status_label"`
	Category     string `json:"category_name"`
	Distance     int    `json:"distance_m"`
	Supporters   int    `json:"supporters"`
	Text         string `json:"text,omitempty"`
	CreatedAt    string `json:"created_at"`
	SupportedURL string `json:"support_url"`
}

func (u *UI) nearby(c *gin.Context) {
	lat, err1 := strconv.ParseFloat(c.Query("lat"), 64)
	lng, err2 := strconv.ParseFloat(c.Query("lng"), 64)
	if err1 != nil || err2 != nil {
		u.errs.JSON(c, feedback.FieldError("lat", "Thiếu hoặc sai toạ độ.", "Missing or invalid coordinates."))
		return
	}
	found, err := u.cfg.Intake.Nearby(c.Request.Context(), lat, lng, c.Query("category"), NearbyRadius)
	if err != nil {
		u.errs.JSON(c, err)
		return
	}
	l := u.lang(c)
	out := make([]nearbyItem, 0, min(len(found), 10))
	for _, n := range found[:min(len(found), 10)] {
		r := n.Report
		it := nearbyItem{Code: r.Code, URL: "/r/" + r.Code, Status: l.Status(r.Status), Category: l.Cat(r.Category),
			Distance: int(n.Distance + 0.5), Supporters: r.Supporters, CreatedAt: l.Time(r.CreatedAt),
			SupportedURL: "/api/v1/reports/" + r.Code + "/support"}
		if r.Public {
			it.Text = truncate(r.Text, 160)
		}
		out = append(out, it)
	}
	c.JSON(http.StatusOK, gin.H{"reports": out, "radius_m": NearbyRadius})
}

// support adds the browser as a supporter of a report, once per browser.
func (u *UI) support(c *gin.Context) {
	if _, err := u.checkForm(c, ""); err != nil {
		u.errs.JSON(c, err)
		return
	}
	browser, _ := c.Cookie(browserCookie)
	r, added, err := u.cfg.Intake.Support(c.Request.Context(), c.Param("code"), feedback.Contact{}, "web:"+browser)
	if err != nil {
		u.errs.JSON(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"code": r.Code, "supporters": r.Supporters, "added": added, "url": "/r/" + r.Code})
}

// truncate cuts s to at most n characters, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
