package server

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"phananh/auth"
	"phananh/desk"
	"phananh/feedback"
	"phananh/live"
)

// Cookie and header names of staff sessions.
const (
	// SessionCookie holds the session token: HttpOnly, SameSite=Lax,
	// Secure when served over https.
	SessionCookie = "phananh_session"
	// CSRFCookie holds the session's CSRF token, readable by the page's
	// script, which echoes it in CSRFHeader on state-changing requests.
	CSRFCookie = "phananh_csrf"
	// CSRFHeader carries the CSRF token of cookie-authenticated requests.
	CSRFHeader = "X-CSRF-Token"
)

const actorKey = "staff_actor"

// StaffDeps is what the staff routes need.
type StaffDeps struct {
	Auth *auth.Service
	Desk *desk.Service
	// SecureCookies marks cookies Secure (the base URL is https).
	SecureCookies bool
}

// MountStaff adds the sign-in, staff, statistics and citizen-closure
// routes (see the handler comments for each). Call it before serving.
func (s *Server) MountStaff(d StaffDeps) {
	h := &staffHandlers{s: s, auth: d.Auth, desk: d.Desk, secure: d.SecureCookies}
	api := s.engine.Group("/api/v1", apiHeaders())
	h.authRoutes(api)
	h.citizenRoutes(api)
	staff := api.Group("", h.requireStaff)
	h.reportRoutes(staff)
	h.statsRoutes(staff)
	h.userRoutes(staff)
}

// staffHandlers holds the services behind the staff routes.
type staffHandlers struct {
	s      *Server
	auth   *auth.Service
	desk   *desk.Service
	secure bool
}

// sessionToken returns the session token of a request: the bearer token
// of API clients, else the session cookie of the web UI.
func sessionToken(r *http.Request) (token string, fromCookie bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t), false
		}
		return "", false
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value, true
	}
	return "", false
}

// safeMethod reports whether a method changes nothing, so needs no CSRF
// token.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func errCSRF() *feedback.Error {
	return feedback.Errorf(feedback.EFORBIDDEN, "Thiếu hoặc sai mã chống giả mạo (CSRF). Vui lòng tải lại trang.",
		"Missing or wrong CSRF token. Please reload the page.")
}

// requireStaff authenticates the request and, for cookie-authenticated
// state-changing requests, checks the CSRF token. Bearer requests need
// none: browsers never attach that header on their own.
func (h *staffHandlers) requireStaff(c *gin.Context) {
	token, fromCookie := sessionToken(c.Request)
	u, _, err := h.auth.Authenticate(c.Request.Context(), token)
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	if fromCookie && !safeMethod(c.Request.Method) && !auth.CheckCSRF(token, c.GetHeader(CSRFHeader)) {
		RenderError(c, h.s.log, errCSRF())
		return
	}
	c.Set(actorKey, feedback.Actor{User: u, IP: c.ClientIP()})
	// Staff responses carry personal data: no shared or browser cache.
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// actor returns the signed-in staff member of the request.
func actor(c *gin.Context) feedback.Actor {
	a, _ := c.Get(actorKey)
	act, _ := a.(feedback.Actor)
	return act
}

// bindJSON decodes a JSON request body into v, refusing other media types
// (which also keeps cross-site HTML forms out) and unknown fields.
func bindJSON(c *gin.Context, v any) error {
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "application/json" {
		return feedback.Errorf(feedback.EUNSUPPORTED, "Dữ liệu phải ở dạng JSON.", "The body must be JSON.")
	}
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if bodyTooLarge(err) {
			return errTooLarge()
		}
		if errors.Is(err, io.EOF) {
			return feedback.FieldError("body", "Thiếu dữ liệu.", "The body is empty.")
		}
		return feedback.FieldError("body", "Dữ liệu JSON không hợp lệ.", "Malformed JSON: "+err.Error())
	}
	return nil
}

// renderStaffError renders err; a lost compare-and-set is a 409 that also
// carries the report as it now stands, in the view the caller may see.
func (h *staffHandlers) renderStaffError(c *gin.Context, err error, current func(*feedback.Report) any) {
	var ce *desk.ConflictError
	if !errors.As(err, &ce) || ce.Current == nil {
		RenderError(c, h.s.log, err)
		return
	}
	e := feedback.AsError(err)
	c.AbortWithStatusJSON(http.StatusConflict, gin.H{
		"error":   ErrorDetail{Code: e.Code, Message: e.Message, MessageEN: e.MessageEN, Field: e.Field},
		"current": current(ce.Current),
	})
}

// liveAuth adapts staff sessions to the websocket endpoint.
type liveAuth struct{ auth *auth.Service }

// LiveAuthenticator returns the live.Authenticator of staff sessions: the
// bearer token or session cookie of the upgrade request. Origin checks
// against cross-site websocket hijacking are the streamer's.
func LiveAuthenticator(a *auth.Service) live.Authenticator { return liveAuth{a} }

// Authenticate implements live.Authenticator. Errors: EUNAUTHORIZED.
func (l liveAuth) Authenticate(r *http.Request) (live.Viewer, error) {
	token, _ := sessionToken(r)
	u, _, err := l.auth.Authenticate(r.Context(), token)
	if err != nil {
		return live.Viewer{}, err
	}
	return live.Viewer{UserID: u.ID, Role: u.Role, UnitID: u.UnitID}, nil
}
