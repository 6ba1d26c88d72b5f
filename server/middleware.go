package server

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
	"phananh/ratelimit"
)

const (
	requestIDHeader = "X-Request-ID"
	requestIDKey    = "request_id"
)

// RequestID returns the id of the request being handled ("" outside the
// request-id middleware).
func RequestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// requestID takes a well-formed X-Request-ID from a proxy or makes one, and
// echoes it in the response so a citizen's complaint can be traced in logs.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(requestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
		}
		c.Set(requestIDKey, id)
		c.Header(requestIDHeader, id)
		c.Next()
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_' || b == '.') {
			return false
		}
	}
	return true
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func newRequestID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])
}

// routeOf is the route template that matched ("/api/v1/reports/:code"), so
// logs and metrics never carry raw paths or query strings (which may hold
// tokens), and their label sets stay small.
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// accessLog writes one structured line per request. It logs the route
// template, never the raw path, query string, client address or body.
func accessLog(log *slog.Logger, now func() time.Time) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(c.Request.Context(), level, "http request",
			slog.String("request_id", RequestID(c)),
			slog.String("method", c.Request.Method),
			slog.String("route", routeOf(c)),
			slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()),
			slog.Float64("duration_ms", float64(now().Sub(start).Microseconds())/1000))
	}
}

// recovery turns a panic in a handler into a logged stack trace and a
// generic JSON 500, so one bug cannot take the process down.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // the client went away; net/http handles this one
			}
			log.Error("panic in handler",
				slog.String("request_id", RequestID(c)),
				slog.String("route", routeOf(c)),
				slog.Any("panic", v),
				slog.String("stack", string(debug.Stack())))
			if c.Writer.Written() {
				c.Abort()
				return
			}
			RenderError(c, log, feedback.Internal(errors.New("panic")))
		}()
		c.Next()
	}
}

// bodyLimit caps how much of a request body handlers may read: small for
// JSON and forms, enough for MaxPhotos full-size photos for multipart.
// A declared Content-Length over the limit is refused before reading.
func bodyLimit(log *slog.Logger, jsonMax, multipartMax int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body == nil || c.Request.Body == http.NoBody {
			c.Next()
			return
		}
		limit := jsonMax
		if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt == "multipart/form-data" {
			limit = multipartMax
		}
		if c.Request.ContentLength > limit {
			c.Header("Connection", "close")
			RenderError(c, log, errTooLarge())
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		c.Next()
	}
}

// securityHeaders sets the headers every response carries. The API and
// photos additionally get a deny-all Content-Security-Policy (apiHeaders).
func securityHeaders(https bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		if https {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		c.Next()
	}
}

// apiHeaders is for JSON and image responses, which never need scripts,
// styles or frames.
func apiHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Writer.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		c.Next()
	}
}

// rateLimitPOST applies the per-client token bucket to writes only: reading
// a report must stay cheap, submitting a flood of them must not. IPv6
// clients share a bucket per /64 (ratelimit.ClientKey).
func rateLimitPOST(log *slog.Logger, l *ratelimit.Keyed, now func() time.Time) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Method != http.MethodPost || l == nil {
			c.Next()
			return
		}
		if !l.Allow(ratelimit.ClientKey(c.ClientIP()), now()) {
			RenderError(c, log, feedback.Errorf(feedback.ERATELIMIT,
				"Bạn gửi quá nhiều yêu cầu, vui lòng thử lại sau ít phút.",
				"Too many requests, please try again in a few minutes."))
			return
		}
		c.Next()
	}
}
