package webui

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"phananh/city"
	"phananh/feedback"
)

// langCookie remembers the language a visitor chose with ?lang=.
const langCookie = "phananh_lang"

// lang is the request's language with the city's names and time zone.
type lang struct {
	en   bool
	city *city.City
	loc  *time.Location
}

// lang picks the language: ?lang= (remembered in a cookie), else the
// cookie, else Vietnamese.
func (u *UI) lang(c *gin.Context) *lang {
	l := &lang{city: u.cfg.City, loc: u.cfg.City.Calendar().Location()}
	switch q := c.Query("lang"); q {
	case "en", "vi":
		l.en = q == "en"
		http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: u.cfg.SecureCookies})
	default:
		if ck, err := c.Cookie(langCookie); err == nil {
			l.en = ck == "en"
		}
	}
	return l
}

// Code is "vi" or "en", for the html lang attribute and API calls.
func (l *lang) Code() string {
	if l.en {
		return "en"
	}
	return "vi"
}

// EN reports whether the page is in English.
func (l *lang) EN() bool { return l.en }

// Other is the code of the other language, for the switch.
func (l *lang) Other() string {
	if l.en {
		return "vi"
	}
	return "en"
}

// T returns the text under key; a missing key shows itself, so it is seen
// in review rather than rendering blank.
func (l *lang) T(key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if l.en {
		return m[1]
	}
	return m[0]
}

// F formats the text under key with args.
func (l *lang) F(key string, args ...any) string { return fmt.Sprintf(l.T(key), args...) }

// Msg picks one of two texts.
func (l *lang) Msg(vi, en string) string {
	if l.en && en != "" {
		return en
	}
	return vi
}

// Status is a status label.
func (l *lang) Status(s feedback.Status) string { return l.Msg(s.Label(), s.LabelEN()) }

// Cat is a category name; "" for none.
func (l *lang) Cat(code string) string {
	c, ok := l.city.Category(code)
	if !ok {
		return ""
	}
	return l.Msg(c.Name, c.NameEN)
}

// Ward is a ward name (proper names are not translated).
func (l *lang) Ward(id string) string {
	w, _ := l.city.Ward(id)
	return w.Name
}

// Unit is a unit name.
func (l *lang) Unit(id string) string {
	u, _ := l.city.Unit(id)
	return u.Name
}

// Time formats an instant in the city's time zone, day first as both
// Vietnamese and British readers expect.
func (l *lang) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(l.loc).Format("02/01/2006 15:04")
}

// TimeP formats an optional instant.
func (l *lang) TimeP(t *time.Time) string {
	if t == nil {
		return ""
	}
	return l.Time(*t)
}

// ISO formats an instant for a <time datetime> attribute.
func (l *lang) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }
