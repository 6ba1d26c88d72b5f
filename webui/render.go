package webui

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
)

// parsePages parses each page template together with the shared layout,
// so every page has its own "content" and "scripts" blocks.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || strings.HasPrefix(base, "part_") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/part_*.html", n)
		if err != nil {
			return nil, err
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// page is what every page template receives.
type page struct {
	L     *lang
	Title string
	// Script names the page's script in static/js; Vendor lists library
	// files from static/vendor it needs first.
	Script string
	Vendor []string
	Styles []string
	// Staff is the signed-in staff member on staff pages.
	Staff *feedback.User
	// CSRF is the staff session's CSRF token (logout form).
	CSRF string
	// Path is the current path and query, for the language switch.
	Path string
	// Petitions links the petition pages in the navigation.
	Petitions bool
	Data      any
}

// LangURL returns the current page in the other language.
func (p *page) LangURL() string {
	u, err := url.Parse(p.Path)
	if err != nil {
		return "/?lang=" + p.L.Other()
	}
	q := u.Query()
	q.Set("lang", p.L.Other())
	u.RawQuery = q.Encode()
	return u.String()
}

// newPage starts the data of a page in the request's language.
func (u *UI) newPage(c *gin.Context, title string) *page {
	l := u.lang(c)
	return &page{L: l, Title: l.T(title), Path: c.Request.URL.RequestURI(), Petitions: u.petitionsOn}
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (u *UI) render(c *gin.Context, status int, name string, p *page) {
	t, ok := u.pages[name]
	if !ok {
		u.cfg.Logger.Error("webui: no such page", "page", name)
		c.Status(http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		u.cfg.Logger.Error("webui: template failed", "page", name, "error", err.Error())
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("500"))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorPage renders a domain error as a page, in the request's language.
func (u *UI) errorPage(c *gin.Context, status int, err error) {
	e := feedback.AsError(err)
	if e.Code == feedback.EINTERNAL {
		u.cfg.Logger.Error("webui: page failed", "route", c.FullPath(), "error", err.Error())
	}
	if status == 0 {
		status = u.errs.Status(e.Code)
	}
	p := u.newPage(c, "error.title")
	p.Data = p.L.Msg(e.Message, e.MessageEN)
	u.render(c, status, "error", p)
}
