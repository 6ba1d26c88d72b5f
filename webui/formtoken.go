package webui

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
)

// A form token protects the citizen's report form, the "me too" button and
// the staff sign-in form against cross-site requests, and doubles as the
// idempotency key of a submission ("web:<nonce>"), so a double tap or a
// resent POST files one report.
//
// It is "<nonce>.<expiry>.<mac>", the MAC binding nonce and expiry to a
// random per-browser id kept in an HttpOnly cookie. Another site can get a
// token of its own, but cannot make a victim's browser send the cookie it
// was bound to, so a forged POST fails the check.
const (
	browserCookie = "phananh_browser"
	formTokenTTL  = 24 * time.Hour
)

type formTokens struct {
	key []byte
	now func() time.Time
	ttl time.Duration
}

func (f *formTokens) mac(browser, nonce, exp string) string {
	m := hmac.New(sha256.New, f.key)
	m.Write([]byte(browser + "\x00" + nonce + "\x00" + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// issue returns a fresh token bound to browser.
func (f *formTokens) issue(browser string) string {
	nonce := feedback.NewID()[:24]
	exp := strconv.FormatInt(f.now().Add(f.ttl).Unix(), 36)
	return nonce + "." + exp + "." + f.mac(browser, nonce, exp)
}

// check returns the nonce of a valid, unexpired token bound to browser.
func (f *formTokens) check(browser, token string) (string, bool) {
	parts := strings.Split(token, ".")
	if browser == "" || len(parts) != 3 {
		return "", false
	}
	nonce, exp, mac := parts[0], parts[1], parts[2]
	want := f.mac(browser, nonce, exp)
	if !hmac.Equal([]byte(mac), []byte(want)) {
		return "", false
	}
	sec, err := strconv.ParseInt(exp, 36, 64)
	if err != nil || f.now().Unix() > sec {
		return "", false
	}
	return nonce, true
}

// browserID returns the browser's id cookie, setting a new one if absent.
func (u *UI) browserID(c *gin.Context) string {
	if v, err := c.Cookie(browserCookie); err == nil && len(v) == 32 {
		return v
	}
	id := feedback.NewID()
	http.SetCookie(c.Writer, &http.Cookie{Name: browserCookie, Value: id, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: u.cfg.SecureCookies})
	return id
}

// checkForm validates the form token sent in the "form_token" field or the
// X-Form-Token header and returns its nonce. Errors: EFORBIDDEN.
func (u *UI) checkForm(c *gin.Context, token string) (string, error) {
	if token == "" {
		token = c.GetHeader("X-Form-Token")
	}
	browser, _ := c.Cookie(browserCookie)
	nonce, ok := u.tokens.check(browser, token)
	if !ok {
		return "", feedback.Errorf(feedback.EFORBIDDEN,
			"Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và gửi lại.",
			"The form has expired or is invalid. Please reload the page and send it again.")
	}
	return nonce, nil
}
