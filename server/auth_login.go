package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"phananh/auth"
	"phananh/feedback"
)

// authRoutes:
//
//	POST /api/v1/auth/login   {"username","password"} -> 200 {"token","csrf_token","user","expires_at"} + cookies
//	POST /api/v1/auth/logout  revokes the session (bearer or cookie + CSRF) -> 204
//	GET  /api/v1/auth/me      the signed-in account
func (h *staffHandlers) authRoutes(api *gin.RouterGroup) {
	api.POST("/auth/login", h.login)
	api.POST("/auth/logout", h.logout)
	api.GET("/auth/me", h.requireStaff, h.me)
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (h *staffHandlers) login(c *gin.Context) {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	l, err := h.auth.Login(c.Request.Context(), auth.Credentials{
		Username: req.Username, Password: req.Password, IP: c.ClientIP(), UserAgent: c.Request.UserAgent(),
	})
	if err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	h.setCookies(c, l.Token, l.CSRFToken, h.auth.AbsoluteTimeout())
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, l)
}

// logout revokes the session. A cookie-authenticated logout needs the CSRF
// token, so another site cannot sign staff out.
func (h *staffHandlers) logout(c *gin.Context) {
	token, fromCookie := sessionToken(c.Request)
	if fromCookie && !auth.CheckCSRF(token, c.GetHeader(CSRFHeader)) {
		RenderError(c, h.s.log, errCSRF())
		return
	}
	var by feedback.Actor
	if u, _, err := h.auth.Authenticate(c.Request.Context(), token); err == nil {
		by = feedback.Actor{User: u, IP: c.ClientIP()}
	}
	if err := h.auth.Logout(c.Request.Context(), by, token); err != nil {
		RenderError(c, h.s.log, err)
		return
	}
	h.setCookies(c, "", "", -1)
	c.Status(http.StatusNoContent)
}

func (h *staffHandlers) me(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"user": actor(c).User})
}

// setCookies sets (or, with a negative maxAge, clears) the session and
// CSRF cookies. The session cookie is HttpOnly; the CSRF cookie is not, so
// the page's script can echo it.
func (h *staffHandlers) setCookies(c *gin.Context, token, csrf string, maxAge time.Duration) {
	age := int(maxAge / time.Second)
	if maxAge < 0 {
		age = -1
	}
	for _, ck := range []*http.Cookie{
		{Name: SessionCookie, Value: token, HttpOnly: true},
		{Name: CSRFCookie, Value: csrf},
	} {
		ck.Path, ck.MaxAge, ck.Secure, ck.SameSite = "/", age, h.secure, http.SameSiteLaxMode
		http.SetCookie(c.Writer, ck)
	}
}
