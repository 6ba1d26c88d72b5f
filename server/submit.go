package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
	"phananh/intake"
)

// submitForm is a submission being decoded from an HTTP request. HTTP-level
// problems (syntax, types, sizes, content types) are caught while decoding;
// the domain rules are intake's.
type submitForm struct{ intake.Submission }

// submitJSON is the JSON body of POST /api/v1/reports. Unknown fields are
// rejected: a misspelt "catgory" or a top-level "phone" is a client bug that
// would otherwise silently lose data.
type submitJSON struct {
	Text           string        `json:"text"`
	Category       string        `json:"category"`
	Lat            *float64      `json:"lat"`
	Lng            *float64      `json:"lng"`
	Address        string        `json:"address"`
	Reporter       *reporterJSON `json:"reporter"`
	Public         *bool         `json:"public"`
	IdempotencyKey string        `json:"idempotency_key"`
	Language       string        `json:"language"`
}

type reporterJSON struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// decodeSubmission reads a JSON or multipart submission. JSON comes from
// API clients, multipart from the web form.
func decodeSubmission(c *gin.Context) (intake.Submission, error) {
	mt, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var f *submitForm
	switch {
	case err == nil && mt == "application/json":
		f, err = decodeJSON(c.Request.Body)
	case err == nil && mt == "multipart/form-data" && params["boundary"] != "":
		f, err = decodeMultipart(multipart.NewReader(c.Request.Body, params["boundary"]))
	default:
		err = errUnsupportedType()
	}
	if err != nil {
		return intake.Submission{}, err
	}
	return f.Submission, nil
}

func errUnsupportedType() error {
	return feedback.Errorf(feedback.EUNSUPPORTED,
		"Chỉ nhận dữ liệu dạng application/json hoặc multipart/form-data.",
		"Send application/json or multipart/form-data.")
}

func decodeJSON(body io.Reader) (*submitForm, error) {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	var in submitJSON
	if err := dec.Decode(&in); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if bodyTooLarge(err) {
			return nil, errTooLarge()
		}
		return nil, malformed()
	}
	f := &submitForm{intake.Submission{Text: in.Text, Category: in.Category, Lat: in.Lat, Lng: in.Lng,
		Address: in.Address, Public: true, IdempotencyKey: in.IdempotencyKey, Language: in.Language,
		Channel: feedback.ChannelAPI}}
	if in.Public != nil {
		f.Public = *in.Public
	}
	if in.Reporter != nil {
		f.Reporter = feedback.Contact{Name: in.Reporter.Name, Phone: in.Reporter.Phone, Email: in.Reporter.Email}
	}
	return f, nil
}

// jsonError turns a decoding failure into a 400 naming the field when the
// decoder knows it, or a 413 when the body was cut at the limit.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case bodyTooLarge(err):
		return errTooLarge()
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return feedback.FieldError(typeErr.Field, "Kiểu dữ liệu không đúng.", "Wrong type for this field.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return feedback.FieldError(field, "Trường dữ liệu không được hỗ trợ.", "Unknown field.")
	}
	return malformed()
}

func malformed() *feedback.Error {
	return feedback.Errorf(feedback.EINVALID, "Dữ liệu JSON không hợp lệ.", "Malformed JSON.")
}

// maxFieldBytes caps one multipart text field (the report text is at most
// 5000 characters, up to 4 bytes each).
const maxFieldBytes = 32 << 10

// decodeMultipart streams the parts: photos are read with a per-photo cap
// and never spill to temporary files.
func decodeMultipart(mr *multipart.Reader) (*submitForm, error) {
	f := &submitForm{intake.Submission{Public: true, Channel: feedback.ChannelWeb}}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return nil, partError(err)
		}
		if part.FormName() == "photos" || part.FileName() != "" {
			err = f.addPhoto(part)
		} else {
			err = f.setField(part)
		}
		part.Close()
		if err != nil {
			return nil, err
		}
	}
}

func partError(err error) error {
	if bodyTooLarge(err) {
		return errTooLarge()
	}
	return feedback.Errorf(feedback.EINVALID, "Dữ liệu biểu mẫu không hợp lệ.", "Malformed multipart body.")
}

func (f *submitForm) addPhoto(part *multipart.Part) error {
	if part.FormName() != "photos" {
		return feedback.FieldError(part.FormName(), "Tệp gửi kèm phải đặt tên là photos.", "Files must be sent as photos.")
	}
	data, err := io.ReadAll(io.LimitReader(part, feedback.MaxPhotoBytes+1))
	if err != nil {
		return partError(err)
	}
	if len(data) == 0 && part.FileName() == "" {
		return nil // a browser's empty file input
	}
	if len(data) > feedback.MaxPhotoBytes {
		return &feedback.Error{Code: feedback.ETOOLARGE, Field: "photos",
			Message: "Mỗi ảnh tối đa 10 MB.", MessageEN: "Each photo may be at most 10 MB."}
	}
	if len(f.Photos) == feedback.MaxPhotos {
		return &feedback.Error{Code: feedback.ETOOLARGE, Field: "photos",
			Message: "Tối đa 5 ảnh cho mỗi phản ánh.", MessageEN: "At most 5 photos per report."}
	}
	f.Photos = append(f.Photos, intake.Upload{Name: part.FileName(), Data: data})
	return nil
}

func (f *submitForm) setField(part *multipart.Part) error {
	raw, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
	if err != nil {
		return partError(err)
	}
	name := part.FormName()
	if len(raw) > maxFieldBytes {
		return &feedback.Error{Code: feedback.ETOOLARGE, Field: name,
			Message: "Nội dung trường quá dài.", MessageEN: "Field too long."}
	}
	v := string(bytes.TrimSpace(raw))
	switch name {
	case "text":
		f.Text = string(raw)
	case "category":
		f.Category = v
	case "address":
		f.Address = v
	case "reporter_name":
		f.Reporter.Name = v
	case "reporter_phone":
		f.Reporter.Phone = v
	case "reporter_email":
		f.Reporter.Email = v
	case "idempotency_key":
		f.IdempotencyKey = v
	case "language":
		f.Language = v
	case "lat", "lng":
		return f.setCoord(name, v)
	case "public":
		b, err := parseFormBool(v)
		if err != nil {
			return feedback.FieldError(name, "Giá trị phải là true hoặc false.", "Must be true or false.")
		}
		f.Public = b
	}
	// Other fields (a submit button, a CSRF token) are not ours to refuse.
	return nil
}

func (f *submitForm) setCoord(name, v string) error {
	if v == "" {
		return nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return feedback.FieldError(name, "Toạ độ phải là một số.", "Coordinate must be a number.")
	}
	if name == "lat" {
		f.Lat = &x
	} else {
		f.Lng = &x
	}
	return nil
}

func parseFormBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "yes", "1", "true":
		return true, nil
	case "off", "no", "0", "false", "":
		return false, nil
	}
	return false, errors.New("not a boolean")
}
