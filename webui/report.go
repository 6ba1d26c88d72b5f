package webui

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"phananh/city"
	"phananh/feedback"
	"phananh/intake"
)

// flashCookie carries the reporter token of a report filed without
// JavaScript to its tracking page, which shows it once and clears it. It
// is scoped to that page's path and lives ten minutes.
const flashCookie = "phananh_reporter_token"

// formView is the data of the report form.
type formView struct {
	Token      string
	Categories []city.Category
	Values     formValues
	Error      string
	ErrorField string
	MaxPhotos  int
	Map        mapConfig
}

// formValues are the citizen's entries, kept when the form is shown again
// after an error (photos excepted: browsers cannot refill a file input).
type formValues struct {
	Text, Category, Address, Lat, Lng string
	Name, Phone, Email                string
	Public                            bool
}

// mapConfig is what the page scripts need to draw a map.
type mapConfig struct {
	TileURL string     `json:"tile_url"`
	Center  [2]float64 `json:"center"`
}

func (u *UI) mapConfig() mapConfig {
	return mapConfig{TileURL: u.cfg.TileURL, Center: u.cfg.MapCenter}
}

// reportForm serves the citizen's report form.
func (u *UI) reportForm(c *gin.Context) {
	u.showForm(c, http.StatusOK, formValues{Public: true}, nil)
}

func (u *UI) showForm(c *gin.Context, status int, v formValues, err error) {
	p := u.newPage(c, "form.title")
	p.Script, p.Vendor = "report.js", []string{"leaflet/leaflet.js"}
	p.Styles = []string{"leaflet/leaflet.css"}
	fv := &formView{
		Token: u.tokens.issue(u.browserID(c)), Categories: u.cfg.City.Categories(),
		Values: v, MaxPhotos: feedback.MaxPhotos, Map: u.mapConfig(),
	}
	if err != nil {
		e := feedback.AsError(err)
		fv.Error, fv.ErrorField = p.L.Msg(e.Message, e.MessageEN), e.Field
	}
	p.Data = fv
	u.render(c, status, "form", p)
}

// createdJSON answers the form's script: the tracking code and the
// reporter's secret, which the script keeps in localStorage.
type createdJSON struct {
	Code          string `json:"code"`
	URL           string `json:"url"`
	ReporterToken string `json:"reporter_token,omitempty"`
	Created       bool   `json:"created"`
}

// submitReport takes the form POST. Without JavaScript it redirects to the
// tracking page; the form's script asks for JSON instead.
func (u *UI) submitReport(c *gin.Context) {
	wantJSON := strings.Contains(c.GetHeader("Accept"), "application/json")
	sub, vals, err := u.readForm(c)
	var rc intake.Receipt
	if err == nil {
		rc, err = u.cfg.Intake.Submit(c.Request.Context(), sub)
	}
	switch {
	case err != nil && wantJSON:
		u.errs.JSON(c, err)
	case err != nil:
		u.showForm(c, u.errs.Status(feedback.ErrorCode(err)), vals, err)
	case wantJSON:
		c.JSON(http.StatusOK, createdJSON{Code: rc.Report.Code, URL: "/r/" + rc.Report.Code, ReporterToken: rc.ReporterToken, Created: rc.Created})
	default:
		if rc.ReporterToken != "" {
			http.SetCookie(c.Writer, &http.Cookie{Name: flashCookie, Value: rc.ReporterToken, Path: "/r/" + rc.Report.Code,
				MaxAge: 600, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: u.cfg.SecureCookies})
		}
		c.Redirect(http.StatusSeeOther, "/r/"+rc.Report.Code)
	}
}

// formMemory is how much of a multipart form is held in memory; larger
// photos spill to temporary files that RemoveAll deletes.
const formMemory = 8 << 20

// parseForm parses a posted form, multipart (with photos) or not; cleanup
// deletes the photos that spilled to temporary files.
func parseForm(c *gin.Context) (cleanup func(), err error) {
	if err := c.Request.ParseMultipartForm(formMemory); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return nil, feedback.Errorf(feedback.EINVALID, "Không đọc được biểu mẫu (ảnh quá lớn?).", "Could not read the form (photos too large?).")
	}
	return func() {
		if mf := c.Request.MultipartForm; mf != nil {
			mf.RemoveAll() //nolint:errcheck // temporary files only
		}
	}, nil
}

// readForm decodes and checks the posted form. The domain rules (lengths,
// coordinates, categories, photo types) are intake's.
func (u *UI) readForm(c *gin.Context) (intake.Submission, formValues, error) {
	var v formValues
	cleanup, err := parseForm(c)
	if err != nil {
		return intake.Submission{}, v, err
	}
	defer cleanup()
	f := c.Request.PostFormValue
	v = formValues{Text: f("text"), Category: strings.TrimSpace(f("category")), Address: strings.TrimSpace(f("address")),
		Lat: strings.TrimSpace(f("lat")), Lng: strings.TrimSpace(f("lng")), Name: strings.TrimSpace(f("reporter_name")),
		Phone: strings.TrimSpace(f("reporter_phone")), Email: strings.TrimSpace(f("reporter_email")), Public: f("public") != ""}
	nonce, err := u.checkForm(c, f("form_token"))
	if err != nil {
		return intake.Submission{}, v, err
	}
	sub := intake.Submission{Channel: feedback.ChannelWeb, Text: v.Text, Category: v.Category, Address: v.Address,
		Reporter: feedback.Contact{Name: v.Name, Phone: v.Phone, Email: v.Email}, Public: v.Public,
		IdempotencyKey: nonce, Language: u.lang(c).Code()}
	if sub.Lat, sub.Lng, err = parsePoint(v.Lat, v.Lng); err != nil {
		return sub, v, err
	}
	if c.Request.MultipartForm != nil {
		sub.Photos, err = readPhotos(c.Request.MultipartForm.File["photos"])
	}
	return sub, v, err
}

func parsePoint(lat, lng string) (*float64, *float64, error) {
	if lat == "" && lng == "" {
		return nil, nil, nil
	}
	a, err1 := strconv.ParseFloat(lat, 64)
	b, err2 := strconv.ParseFloat(lng, 64)
	if err1 != nil || err2 != nil {
		return nil, nil, feedback.FieldError("lat", "Toạ độ không hợp lệ.", "Invalid coordinates.")
	}
	return &a, &b, nil
}

func readPhotos(fhs []*multipart.FileHeader) ([]intake.Upload, error) {
	var out []intake.Upload
	for _, fh := range fhs {
		if fh.Size == 0 && fh.Filename == "" {
			continue // an empty file input
		}
		if len(out) == feedback.MaxPhotos {
			return nil, &feedback.Error{Code: feedback.ETOOLARGE, Field: "photos",
				Message: "Tối đa 5 ảnh cho mỗi phản ánh.", MessageEN: "At most 5 photos per report."}
		}
		if fh.Size > feedback.MaxPhotoBytes {
			return nil, &feedback.Error{Code: feedback.ETOOLARGE, Field: "photos",
				Message: "Mỗi ảnh tối đa 10 MB.", MessageEN: "Each photo may be at most 10 MB."}
		}
		f, err := fh.Open()
		if err != nil {
			return nil, feedback.Internal(err)
		}
		data, err := io.ReadAll(io.LimitReader(f, feedback.MaxPhotoBytes+1))
		f.Close()
		if err != nil {
			return nil, feedback.Internal(err)
		}
		out = append(out, intake.Upload{Name: fh.Filename, Data: data})
	}
	return out, nil
}
