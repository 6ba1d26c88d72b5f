package webui_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"phananh/desk"
	"phananh/feedback"
)

// client is a browser without JavaScript: cookies, no redirects followed
// unless asked.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	res, err := c.hc.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

var tokenRE = regexp.MustCompile(`name="form_token" value="([^"]+)"`)

func (c *client) formToken() string {
	c.t.Helper()
	_, body := c.get("/")
	m := tokenRE.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatal("no form token on the report form")
	}
	return m[1]
}

// postForm posts the report form as a browser without JavaScript does.
func (c *client) postForm(fields map[string]string) (*http.Response, string) {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v) //nolint:errcheck
	}
	fw, _ := w.CreateFormFile("photos", "")
	fw.Write(nil) //nolint:errcheck // an empty file input, as browsers send it
	w.Close()
	res, err := c.hc.Post(c.base+"/report", w.FormDataContentType(), &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestFormWithoutJavaScript(t *testing.T) {
	a := newApp(t)
	c := newClient(t, a.URL)
	res, body := c.get("/")
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP = %q", csp)
	}
	if !strings.Contains(body, `lang="vi"`) || !strings.Contains(body, "Gửi phản ánh") {
		t.Fatal("the form is not Vietnamese by default")
	}
	tok := c.formToken()
	fields := map[string]string{"form_token": tok, "text": "Rác thải <script>alert(1)</script> tồn đọng trước chợ phường 5", "public": "true"}
	res, _ = c.postForm(fields)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/r/") {
		t.Fatalf("POST /report = %d %q, want 303 to /r/{code}", res.StatusCode, res.Header.Get("Location"))
	}
	loc := res.Header.Get("Location")
	_, page := c.get(loc)
	if !strings.Contains(page, `id="token-once"`) {
		t.Fatal("the reporter key is not shown after a form POST")
	}
	if strings.Contains(page, "<script>alert(1)") || !strings.Contains(page, "&lt;script&gt;alert(1)") {
		t.Fatal("the citizen's text is not escaped")
	}
	if _, again := c.get(loc); strings.Contains(again, `id="token-once"`) {
		t.Fatal("the reporter key is shown twice")
	}
	// The same form sent again (a double tap) files nothing new.
	res, _ = c.postForm(fields)
	if got := res.Header.Get("Location"); got != loc {
		t.Fatalf("resent form went to %q, want %q", got, loc)
	}
}

func TestFormRefusesForgedPost(t *testing.T) {
	a := newApp(t)
	victim := newClient(t, a.URL)
	victim.get("/")
	attacker := newClient(t, a.URL)
	tok := attacker.formToken() // valid, but bound to the attacker's browser
	res, body := victim.postForm(map[string]string{"form_token": tok, "text": "Phản ánh giả mạo từ trang khác gửi đến"})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "hết hạn hoặc không hợp lệ") {
		t.Fatalf("forged POST = %d, want 403 with the form shown again", res.StatusCode)
	}
	res, _ = victim.postForm(map[string]string{"text": "Phản ánh không có mã biểu mẫu nào cả"})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without token = %d, want 403", res.StatusCode)
	}
}

func TestEnglishSwitch(t *testing.T) {
	a := newApp(t)
	c := newClient(t, a.URL)
	_, body := c.get("/?lang=en")
	if !strings.Contains(body, `lang="en"`) || !strings.Contains(body, "Send report") {
		t.Fatal("?lang=en does not switch to English")
	}
	_, body = c.get("/reports")
	if !strings.Contains(body, `lang="en"`) {
		t.Fatal("the language choice is not remembered")
	}
}

func TestStaffPagesNeedSignIn(t *testing.T) {
	a := newApp(t)
	c := newClient(t, a.URL)
	for _, p := range []string{"/staff", "/dashboard", "/staff/r/ABCDEFGH"} {
		res, _ := c.get(p)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/staff/login") {
			t.Errorf("GET %s = %d %q, want a redirect to sign in", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	res, body := c.get("/nowhere")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "<html") {
		t.Errorf("unknown page = %d, want an HTML 404", res.StatusCode)
	}
}

var keyRE = regexp.MustCompile(`data-token="([0-9a-f]{64})"`)

// TestClosureWithoutJavaScript: the citizen confirms and rates a resolved
// report with the key shown once, by plain form posts.
func TestClosureWithoutJavaScript(t *testing.T) {
	a := newApp(t)
	c := newClient(t, a.URL)
	res, _ := c.postForm(map[string]string{"form_token": c.formToken(), "text": "Cống thoát nước bị tắc, nước tràn ra đường phường 7"})
	loc := res.Header.Get("Location")
	_, page := c.get(loc)
	m := keyRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no reporter key on the tracking page")
	}
	code := strings.TrimPrefix(loc, "/r/")
	sup := a.addUser(t, "giamsat", feedback.RoleSupervisor, "")
	by := feedback.Actor{User: sup}
	for _, to := range []feedback.Status{feedback.StatusInProgress, feedback.StatusResolved} {
		if _, err := a.Desk.Transition(context.Background(), by, code, desk.TransitionInput{To: to}); err != nil {
			t.Fatalf("to %s: %v", to, err)
		}
	}
	post := func(fields url.Values) (*http.Response, string) {
		res, err := c.hc.PostForm(a.URL+loc+"/closure", fields)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	res, body := post(url.Values{"action": {"confirm"}, "reporter_token": {strings.Repeat("0", 64)}})
	if res.StatusCode < 400 || !strings.Contains(body, `role="alert"`) {
		t.Fatalf("confirm with a wrong key = %d, want an error on the page", res.StatusCode)
	}
	if res, _ = post(url.Values{"action": {"rate"}, "score": {"4"}, "reporter_token": {m[1]}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rate = %d, want 303", res.StatusCode)
	}
	if res, _ = post(url.Values{"action": {"confirm"}, "reporter_token": {m[1]}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm = %d, want 303", res.StatusCode)
	}
	r, err := a.Store.Report(context.Background(), code)
	if err != nil || r.Status != feedback.StatusClosed || r.Rating != 4 {
		t.Fatalf("report after closure: %v rating %d (%v), want closed and rated 4", r.Status, r.Rating, err)
	}
}
