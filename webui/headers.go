package webui

import (
	"strings"

	"github.com/gin-gonic/gin"
)

// contentSecurityPolicy allows scripts, styles and connections from the
// site only (websockets included), and images from the site, from photos
// previewed in the browser (blob:, data:) and from the map tile server. No
// inline script or style attribute is ever allowed.
func contentSecurityPolicy(tileURL string) string {
	img := "'self' data: blob:"
	if o := tileOrigin(tileURL); o != "" {
		img += " " + o
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src " + img,
		"connect-src 'self'",
		"font-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// tileOrigin returns the CSP source of a tile URL template: its scheme and
// host, with a "{s}." subdomain placeholder turned into a wildcard.
func tileOrigin(t string) string {
	scheme, rest, ok := strings.Cut(t, "://")
	if !ok || (scheme != "https" && scheme != "http") {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	host = strings.Replace(host, "{s}.", "*.", 1)
	if host == "" || strings.ContainsAny(host, "{} ;'") {
		return ""
	}
	return scheme + "://" + host
}

// pageHeaders sets the headers of HTML pages. The server's middleware has
// already set nosniff, frame denial and the referrer policy.
func (u *UI) pageHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", u.csp)
	h.Set("Cache-Control", "no-store")
	h.Set("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Vary", "Cookie")
	c.Next()
}

// apiHeaders is for the JSON endpoints of this package.
func apiHeaders(c *gin.Context) {
	c.Writer.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	c.Header("Cache-Control", "no-store")
	c.Next()
}
