package webui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"phananh/auth"
	"phananh/feedback"
)

const staffUserKey = "webui_staff"

// staffRoutes are the officers' desk and the chairman's dashboard.
func (u *UI) staffRoutes(g *gin.RouterGroup) {
	g.GET("/staff/login", u.loginForm)
	g.POST("/staff/login", u.login)
	g.POST("/staff/logout", u.logout)
	s := g.Group("", u.requireStaff)
	s.GET("/staff", u.queue)
	s.GET("/staff/r/:code", u.detail)
	s.GET("/dashboard", u.dashboard)
}

// requireStaff sends visitors without a valid session to the sign-in page.
func (u *UI) requireStaff(c *gin.Context) {
	token, _ := c.Cookie(u.cfg.SessionCookie)
	usr, _, err := u.cfg.Auth.Authenticate(c.Request.Context(), token)
	if err != nil {
		c.Redirect(http.StatusSeeOther, "/staff/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	c.Set(staffUserKey, usr)
	c.Next()
}

func staffUser(c *gin.Context) *feedback.User {
	v, _ := c.Get(staffUserKey)
	usr, _ := v.(*feedback.User)
	return usr
}

func actorOf(c *gin.Context) feedback.Actor {
	return feedback.Actor{User: staffUser(c), IP: c.ClientIP()}
}

// staffPage starts a staff page with the signed-in user and the CSRF token
// the logout form and the page scripts need.
func (u *UI) staffPage(c *gin.Context, title string) *page {
	p := u.newPage(c, title)
	p.Staff = staffUser(c)
	token, _ := c.Cookie(u.cfg.SessionCookie)
	p.CSRF = auth.CSRFToken(token)
	return p
}

type loginView struct {
	Token, Next, Username, Error string
}

func (u *UI) loginForm(c *gin.Context) {
	u.showLogin(c, http.StatusOK, &loginView{Next: safeNext(c.Query("next"))})
}

func (u *UI) showLogin(c *gin.Context, status int, v *loginView) {
	p := u.newPage(c, "login.title")
	v.Token = u.tokens.issue(u.browserID(c))
	p.Data = v
	u.render(c, status, "login", p)
}

// login signs in with the posted form; the session and CSRF cookies are
// the ones the JSON API reads, so the desk's scripts can call it.
func (u *UI) login(c *gin.Context) {
	v := &loginView{Next: safeNext(c.PostForm("next")), Username: c.PostForm("username")}
	if _, err := u.checkForm(c, c.PostForm("form_token")); err != nil {
		v.Error = u.lang(c).Msg(feedback.AsError(err).Message, feedback.AsError(err).MessageEN)
		u.showLogin(c, http.StatusForbidden, v)
		return
	}
	l, err := u.cfg.Auth.Login(c.Request.Context(), auth.Credentials{Username: v.Username, Password: c.PostForm("password"),
		IP: c.ClientIP(), UserAgent: c.Request.UserAgent()})
	if err != nil {
		e := feedback.AsError(err)
		v.Error = u.lang(c).Msg(e.Message, e.MessageEN)
		u.showLogin(c, u.errs.Status(e.Code), v)
		return
	}
	u.setSession(c, l.Token, l.CSRFToken, int(u.cfg.Auth.AbsoluteTimeout().Seconds()))
	next := v.Next
	if next == "" {
		next = "/staff"
		if l.User.Role == feedback.RoleSupervisor {
			next = "/dashboard"
		}
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (u *UI) setSession(c *gin.Context, token, csrf string, maxAge int) {
	for _, ck := range []*http.Cookie{
		{Name: u.cfg.SessionCookie, Value: token, HttpOnly: true},
		{Name: u.cfg.CSRFCookie, Value: csrf},
	} {
		ck.Path, ck.MaxAge, ck.Secure, ck.SameSite = "/", maxAge, u.cfg.SecureCookies, http.SameSiteLaxMode
		http.SetCookie(c.Writer, ck)
	}
}

// logout revokes the session; the form carries the session's CSRF token.
func (u *UI) logout(c *gin.Context) {
	token, ok := u.checkCSRF(c)
	if !ok {
		return
	}
	var by feedback.Actor
	if usr, _, err := u.cfg.Auth.Authenticate(c.Request.Context(), token); err == nil {
		by = feedback.Actor{User: usr, IP: c.ClientIP()}
	}
	if err := u.cfg.Auth.Logout(c.Request.Context(), by, token); err != nil {
		u.errorPage(c, 0, err)
		return
	}
	u.setSession(c, "", "", -1)
	c.Redirect(http.StatusSeeOther, "/staff/login")
}

// checkCSRF checks the session's CSRF token posted by a staff form (sign
// out, moderation) and returns the session token; on a mismatch it renders
// the error page and reports false.
func (u *UI) checkCSRF(c *gin.Context) (session string, ok bool) {
	session, _ = c.Cookie(u.cfg.SessionCookie)
	if !auth.CheckCSRF(session, c.PostForm("csrf_token")) {
		u.errorPage(c, http.StatusForbidden, feedback.Errorf(feedback.EFORBIDDEN,
			"Thiếu hoặc sai mã chống giả mạo. Vui lòng tải lại trang.", "Missing or wrong CSRF token. Please reload the page."))
		return "", false
	}
	return session, true
}

// safeNext keeps only local paths, so the sign-in form cannot be used to
// send staff to another site. Browsers drop tabs and newlines inside a URL
// and read a backslash as a slash, so "/\t/evil.example" would leave the
// site: any control character or backslash refuses the path.
func safeNext(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b == 0x7f || b == '\\' {
			return ""
		}
	}
	return s
}
