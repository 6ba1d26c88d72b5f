package intake

import (
	"math"
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"phananh/feedback"
)

// Submission is a report as a channel received it, before validation. It
// is the same for every channel.
type Submission struct {
	Channel feedback.Channel
	Text    string
	// Category is the citizen's own choice, optional.
	Category string
	// Lat and Lng are both set or both nil.
	Lat, Lng *float64
	Address  string
	Reporter feedback.Contact
	// Public is the citizen's consent to publish the text.
	Public bool
	// IdempotencyKey identifies the submission within its channel (form
	// token, "<chat>:<message id>", Message-ID). A repeated key returns the
	// first report. Intake prefixes it with the channel.
	IdempotencyKey string
	Photos         []Upload
	// Language is "vi" (the default) or "en", for replies to the citizen.
	Language string
}

// Upload is a photo as received. Name is informational only: the type is
// judged from the bytes.
type Upload struct {
	Name string
	Data []byte
}

// Receipt is the outcome of Submit.
type Receipt struct {
	Report *feedback.Report
	// ReporterToken is the secret the citizen uses to confirm, reopen or
	// rate; only set when the report was created now.
	ReporterToken string
	// Created is false when the idempotency key matched an existing report.
	Created bool
}

// Limits on free-text fields besides the report text.
const (
	maxNameLen    = 200
	maxAddressLen = 500
	maxKeyLen     = 200
	maxEmailLen   = 254
)

// validate checks a submission and returns it normalised: trimmed NFC text,
// canonical phone number, default language.
func (s *Service) validate(sub Submission) (Submission, error) {
	if !sub.Channel.Valid() {
		return sub, feedback.FieldError("channel", "Kênh gửi không hợp lệ.", "Unknown channel.")
	}
	sub.Text = norm.NFC.String(strings.TrimSpace(sub.Text))
	if n := utf8.RuneCountInString(sub.Text); n < feedback.MinTextLen || n > feedback.MaxTextLen {
		return sub, feedback.FieldError("text",
			"Nội dung phản ánh phải từ 10 đến 5000 ký tự.", "The text must be 10 to 5000 characters long.")
	}
	if err := checkPoint(sub.Lat, sub.Lng); err != nil {
		return sub, err
	}
	sub.Category = strings.TrimSpace(sub.Category)
	if _, ok := s.city.Category(sub.Category); sub.Category != "" && !ok {
		return sub, feedback.FieldError("category", "Lĩnh vực phản ánh không hợp lệ.", "Unknown category.")
	}
	sub.Address = norm.NFC.String(strings.TrimSpace(sub.Address))
	if utf8.RuneCountInString(sub.Address) > maxAddressLen {
		return sub, feedback.FieldError("address", "Địa chỉ quá dài (tối đa 500 ký tự).", "The address is too long (500 characters at most).")
	}
	if len(sub.IdempotencyKey) > maxKeyLen {
		return sub, feedback.FieldError("idempotency_key", "Khóa chống gửi trùng quá dài.", "The idempotency key is too long.")
	}
	if len(sub.Photos) > feedback.MaxPhotos {
		return sub, &feedback.Error{Code: feedback.ETOOLARGE, Field: "photos",
			Message: "Tối đa 5 ảnh cho mỗi phản ánh.", MessageEN: "At most 5 photos per report."}
	}
	switch sub.Language {
	case "":
		sub.Language = "vi"
	case "vi", "en":
	default:
		return sub, feedback.FieldError("language", "Ngôn ngữ không được hỗ trợ.", "Unsupported language.")
	}
	c, err := checkContact(sub.Reporter)
	sub.Reporter = c
	sub.Reporter.Language = sub.Language
	return sub, err
}

func checkPoint(lat, lng *float64) error {
	switch {
	case lat == nil && lng == nil:
		return nil
	case lat == nil:
		return feedback.FieldError("lat", "Thiếu vĩ độ (cần cả vĩ độ và kinh độ).", "lat is missing (send both lat and lng).")
	case lng == nil:
		return feedback.FieldError("lng", "Thiếu kinh độ (cần cả vĩ độ và kinh độ).", "lng is missing (send both lat and lng).")
	case math.IsNaN(*lat) || *lat < -90 || *lat > 90:
		return feedback.FieldError("lat", "Vĩ độ phải nằm trong khoảng -90 đến 90.", "lat must be between -90 and 90.")
	case math.IsNaN(*lng) || *lng < -180 || *lng > 180:
		return feedback.FieldError("lng", "Kinh độ phải nằm trong khoảng -180 đến 180.", "lng must be between -180 and 180.")
	}
	return nil
}

// checkContact validates and normalises the reporter's contact details.
func checkContact(c feedback.Contact) (feedback.Contact, error) {
	c.Name = strings.TrimSpace(c.Name)
	if utf8.RuneCountInString(c.Name) > maxNameLen {
		return c, feedback.FieldError("reporter.name", "Họ tên quá dài.", "The name is too long.")
	}
	c.Email = strings.TrimSpace(c.Email)
	if c.Email != "" {
		a, err := mail.ParseAddress(c.Email)
		if err != nil || a.Address != c.Email || len(c.Email) > maxEmailLen || !strings.Contains(c.Email[strings.LastIndexByte(c.Email, '@'):], ".") {
			return c, feedback.FieldError("reporter.email", "Địa chỉ e-mail không hợp lệ.", "Invalid e-mail address.")
		}
	}
	if c.Phone != "" {
		p, ok := NormalizePhone(c.Phone)
		if !ok {
			return c, feedback.FieldError("reporter.phone",
				"Số điện thoại không hợp lệ (ví dụ 0905 123 456 hoặc +84 905 123 456).",
				"Invalid phone number (e.g. 0905 123 456 or +84 905 123 456).")
		}
		c.Phone = p
	}
	return c, nil
}

// NormalizePhone returns a phone number in canonical form: Vietnamese
// numbers as 0XXXXXXXXX (10 or 11 digits, "+84"/"84" prefixes folded into
// 0), foreign numbers as +<8-15 digits>. Spaces, dots, dashes and
// parentheses are ignored. ok is false for anything else.
func NormalizePhone(s string) (string, bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	p := b.String()
	switch {
	case strings.HasPrefix(p, "+84"):
		p = "0" + p[3:]
	case strings.HasPrefix(p, "+"):
		if n := len(p) - 1; n >= 8 && n <= 15 {
			return p, true
		}
		return "", false
	case strings.HasPrefix(p, "84") && (len(p) == 11 || len(p) == 12):
		p = "0" + p[2:]
	}
	if len(p) < 10 || len(p) > 11 || p[0] != '0' || p[1] == '0' {
		return "", false
	}
	return p, true
}
