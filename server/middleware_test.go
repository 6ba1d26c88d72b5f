package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"phananh/feedback"
	"phananh/ratelimit"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	os.Exit(m.Run())
}

// serve runs one request through a bare engine with the given middleware
// and final handler.
func serve(t *testing.T, req *http.Request, h gin.HandlerFunc, mw ...gin.HandlerFunc) *httptest.ResponseRecorder {
	t.Helper()
	e := gin.New()
	e.Use(mw...)
	e.Any("/x/:id", h)
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	return w
}

func decodeError(t *testing.T, w *httptest.ResponseRecorder) ErrorDetail {
	t.Helper()
	var body ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body %q: %v", w.Body.String(), err)
	}
	return body.Error
}

func TestStatusOfEveryCode(t *testing.T) {
	want := map[string]int{
		feedback.EINVALID: 400, feedback.ENOTFOUND: 404, feedback.ECONFLICT: 409,
		feedback.ETOOLARGE: 413, feedback.EUNSUPPORTED: 415, feedback.EUNAUTHORIZED: 401,
		feedback.EFORBIDDEN: 403, feedback.ERATELIMIT: 429, feedback.EUNAVAILABLE: 503,
		feedback.EINTERNAL: 500, "something_new": 500,
	}
	for code, status := range want {
		if got := StatusOf(code); got != status {
			t.Errorf("StatusOf(%q) = %d, want %d", code, got, status)
		}
	}
}

func TestRenderErrorHidesInternalCause(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	w := serve(t, httptest.NewRequest("GET", "/x/1", nil), func(c *gin.Context) {
		RenderError(c, log, errors.New("sql: database is locked at /var/secret/path"))
	}, requestID())
	if w.Code != 500 {
		t.Fatalf("status = %d", w.Code)
	}
	if strings.Contains(w.Body.String(), "secret") || strings.Contains(w.Body.String(), "locked") {
		t.Errorf("cause leaked to client: %s", w.Body.String())
	}
	e := decodeError(t, w)
	if e.Code != feedback.EINTERNAL || e.Message == "" || e.MessageEN == "" {
		t.Errorf("body = %+v", e)
	}
	if !strings.Contains(logs.String(), "database is locked") || !strings.Contains(logs.String(), w.Header().Get(requestIDHeader)) {
		t.Errorf("log lacks cause or request id: %s", logs.String())
	}
}

func TestRenderErrorField(t *testing.T) {
	w := serve(t, httptest.NewRequest("GET", "/x/1", nil), func(c *gin.Context) {
		RenderError(c, slog.Default(), feedback.FieldError("lat", "Vĩ độ sai.", "Bad latitude."))
	})
	e := decodeError(t, w)
	if w.Code != 400 || e.Code != "invalid" || e.Field != "lat" || e.Message != "Vĩ độ sai." || e.MessageEN != "Bad latitude." {
		t.Errorf("%d %+v", w.Code, e)
	}
}

func TestRequestID(t *testing.T) {
	ok := func(c *gin.Context) { c.String(200, RequestID(c)) }
	tests := []struct {
		name, in string
		keep     bool
	}{
		{"generated when absent", "", false},
		{"proxy id kept", "abc-123.X_y", true},
		{"header injection refused", "abc\r\nSet-Cookie: x", false},
		{"overlong refused", strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/x/1", nil)
			req.Header.Set(requestIDHeader, tt.in)
			w := serve(t, req, ok, requestID())
			got := w.Header().Get(requestIDHeader)
			if got == "" || got != w.Body.String() {
				t.Fatalf("header %q, handler saw %q", got, w.Body.String())
			}
			if (got == tt.in) != tt.keep {
				t.Errorf("id = %q, in = %q, keep = %v", got, tt.in, tt.keep)
			}
		})
	}
}

func TestRecoveryRendersJSON500(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	w := serve(t, httptest.NewRequest("GET", "/x/1", nil), func(c *gin.Context) {
		panic("boom")
	}, requestID(), recovery(log))
	if w.Code != 500 || decodeError(t, w).Code != feedback.EINTERNAL {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "stack") {
		t.Errorf("panic not logged: %s", logs.String())
	}
}

func TestAccessLogHasNoQueryOrPath(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	req := httptest.NewRequest("GET", "/x/AB12CD34?token=s3cr3t&phone=0905123456", nil)
	serve(t, req, func(c *gin.Context) { c.Status(204) }, requestID(), accessLog(log, time.Now))
	line := logs.String()
	for _, leak := range []string{"s3cr3t", "0905123456", "AB12CD34", "192.0.2.1"} {
		if strings.Contains(line, leak) {
			t.Errorf("access log contains %q: %s", leak, line)
		}
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["route"] != "/x/:id" || rec["status"] != float64(204) || rec["request_id"] == "" {
		t.Errorf("log record = %v", rec)
	}
}

func TestBodyLimit(t *testing.T) {
	read := func(c *gin.Context) {
		if _, err := io.ReadAll(c.Request.Body); err != nil {
			if bodyTooLarge(err) {
				RenderError(c, slog.Default(), errTooLarge())
				return
			}
			t.Errorf("read: %v", err)
		}
		c.Status(204)
	}
	mw := bodyLimit(slog.Default(), 10, 100)
	tests := []struct {
		name, ctype string
		size        int
		hideLength  bool
		want        int
	}{
		{"json under", "application/json", 10, false, 204},
		{"json over declared", "application/json", 11, false, 413},
		{"json over streamed", "application/json", 11, true, 413},
		{"multipart under", "multipart/form-data; boundary=x", 100, false, 204},
		{"multipart over", "multipart/form-data; boundary=x", 101, true, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(strings.Repeat("a", tt.size))
			if tt.hideLength {
				body = io.MultiReader(body) // no Content-Length
			}
			req := httptest.NewRequest("POST", "/x/1", body)
			req.Header.Set("Content-Type", tt.ctype)
			if w := serve(t, req, read, mw); w.Code != tt.want {
				t.Errorf("status = %d, want %d", w.Code, tt.want)
			}
		})
	}
}

func TestRateLimitPOSTOnly(t *testing.T) {
	now := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	lim := ratelimit.New(rate.Limit(1), 2, 0)
	e := gin.New()
	e.Use(rateLimitPOST(slog.Default(), lim, clock))
	e.Any("/x", func(c *gin.Context) { c.Status(204) })
	do := func(method, ip string) int {
		req := httptest.NewRequest(method, "/x", nil)
		req.RemoteAddr = ip + ":1234"
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		return w.Code
	}
	for i, want := range []int{204, 204, 429} {
		if got := do("POST", "192.0.2.1"); got != want {
			t.Errorf("POST %d = %d, want %d", i, got, want)
		}
	}
	if got := do("GET", "192.0.2.1"); got != 204 {
		t.Errorf("GET limited: %d", got)
	}
	if got := do("POST", "192.0.2.2"); got != 204 {
		t.Errorf("other client limited: %d", got)
	}
	now = now.Add(time.Second)
	if got := do("POST", "192.0.2.1"); got != 204 {
		t.Errorf("bucket did not refill: %d", got)
	}
	// One IPv6 subscriber rotating through its /64 keeps one bucket.
	for i, want := range []int{204, 204, 429} {
		if got := do("POST", "[2001:db8:5:6::"+strconv.Itoa(i+1)+"]"); got != want {
			t.Errorf("IPv6 POST %d = %d, want %d", i, got, want)
		}
	}
	now = now.Add(ratelimit.DefaultIdle + 2*time.Minute)
	do("POST", "192.0.2.3") // a new client triggers the sweep
	if n := lim.Len(); n != 1 {
		t.Errorf("idle buckets kept: %d", n)
	}
}

func TestSecurityHeaders(t *testing.T) {
	w := serve(t, httptest.NewRequest("GET", "/x/1", nil), func(c *gin.Context) { c.Status(204) },
		securityHeaders(true), apiHeaders())
	for h, want := range map[string]string{
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Strict-Transport-Security": "max-age=31536000; includeSubDomains",
		"Content-Security-Policy":   "default-src 'none'; frame-ancestors 'none'",
	} {
		if got := w.Header().Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
}
