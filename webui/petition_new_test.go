package webui_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"phananh/feedback"
)

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// postValues posts a urlencoded form and returns the answer.
func (c *client) postValues(path string, v url.Values) (*http.Response, string) {
	c.t.Helper()
	res, err := c.hc.PostForm(c.base+path, v)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// signInForm signs in through the sign-in page, without JavaScript.
func (c *client) signInForm(user string) {
	c.t.Helper()
	_, page := c.get("/staff/login")
	m := tokenRE.FindStringSubmatch(page)
	if m == nil {
		c.t.Fatal("no form token on the sign-in page")
	}
	res, _ := c.postValues("/staff/login", url.Values{"form_token": {m[1]}, "username": {user}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign-in = %d", res.StatusCode)
	}
}

// TestPetitionFormWithoutJavaScript writes a petition by a plain form
// post; a post without the form token is refused and stores nothing.
func TestPetitionFormWithoutJavaScript(t *testing.T) {
	a := newApp(t)
	c := newClient(t, a.URL)
	fields := url.Values{"title": {"Lắp đèn chiếu sáng hẻm 45 Lê Lợi"}, "text": {"Hẻm tối, người dân đi lại buổi tối không an toàn."},
		"category": {"chieu_sang"}, "ward": {"p1"}, "email": {"tacgia@example.vn"}}
	if res, body := c.postValues("/petitions/new", fields); res.StatusCode != http.StatusForbidden || !strings.Contains(body, `role="alert"`) {
		t.Fatalf("forged post = %d, want 403 with the error shown", res.StatusCode)
	}
	_, page := c.get("/petitions/new")
	m := tokenRE.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, `href="/petitions"`) {
		t.Fatal("the petition form lacks its token or the navigation link")
	}
	fields.Set("form_token", m[1])
	fields.Set("category", "khong_co")
	if res, body := c.postValues("/petitions/new", fields); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "Lĩnh vực không hợp lệ") || !strings.Contains(body, "Lắp đèn chiếu sáng hẻm 45") {
		t.Fatalf("unknown category = %d, want 400 with the entries kept", res.StatusCode)
	}
	fields.Set("category", "chieu_sang")
	res, _ := c.postValues("/petitions/new", fields)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/petitions/new?sent=1" {
		t.Fatalf("post = %d %q, want 303 to the confirmation", res.StatusCode, loc)
	}
	// The same form posted again (a double tap, a resent POST) makes no
	// second petition.
	if res, _ := c.postValues("/petitions/new", fields); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("repeated post = %d, want 303 like the first", res.StatusCode)
	}
	ps := pendingPetitions(t, a)
	if len(ps) != 1 || ps[0].Ward != "p1" || ps[0].Author.Email != "tacgia@example.vn" || ps[0].Status != feedback.PetitionPending {
		t.Fatalf("pending = %+v", ps)
	}
}

func pendingPetitions(t *testing.T, a *app) []*feedback.Petition {
	t.Helper()
	ps, err := a.Petitions.Pending(context.Background(), feedback.Actor{User: &feedback.User{ID: "t", Role: feedback.RoleSupervisor}}, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestPetitionModerationPage: supervisors reject with a reason and approve
// by form posts carrying the session's CSRF token; officers cannot.
func TestPetitionModerationPage(t *testing.T) {
	a := newApp(t)
	for _, title := range []string{"Kiến nghị thứ nhất về rác thải chợ", "Kiến nghị thứ hai về cây xanh"} {
		c := newClient(t, a.URL)
		_, page := c.get("/petitions/new")
		c.postValues("/petitions/new", url.Values{"form_token": {tokenRE.FindStringSubmatch(page)[1]}, "title": {title},
			"text": {"Nội dung kiến nghị đủ dài để được nhận."}, "category": {"rac_thai"}})
	}
	ps := pendingPetitions(t, a)
	if len(ps) != 2 {
		t.Fatalf("%d pending, want 2", len(ps))
	}
	a.addUser(t, "canbo", feedback.RoleOfficer, "moi_truong")
	officer := newClient(t, a.URL)
	officer.signInForm("canbo")
	if res, body := officer.get("/staff/petitions"); res.StatusCode != http.StatusForbidden || strings.Contains(body, ps[0].Title) {
		t.Fatalf("officer on the moderation page = %d", res.StatusCode)
	}
	a.addUser(t, "vanphong", feedback.RoleSupervisor, "")
	sup := newClient(t, a.URL)
	sup.signInForm("vanphong")
	_, page := sup.get("/staff/petitions")
	m := csrfRE.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, ps[0].Title) || !strings.Contains(page, `href="/staff/petitions"`) {
		t.Fatal("the moderation page lacks the petition, the CSRF token or the navigation link")
	}
	path := "/staff/petitions/" + ps[0].ID + "/moderation"
	if res, _ := sup.postValues(path, url.Values{"decision": {"approve"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("approve without the CSRF token = %d, want 403", res.StatusCode)
	}
	if res, body := sup.postValues(path, url.Values{"csrf_token": {m[1]}, "decision": {"reject"}}); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "lý do") {
		t.Fatalf("reject without a reason = %d", res.StatusCode)
	}
	if res, _ := sup.postValues(path, url.Values{"csrf_token": {m[1]}, "decision": {"reject"}, "reason": {"Trùng nội dung"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject = %d, want 303", res.StatusCode)
	}
	res, _ := sup.postValues("/staff/petitions/"+ps[1].ID+"/moderation", url.Values{"csrf_token": {m[1]}, "decision": {"approve"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve = %d, want 303", res.StatusCode)
	}
	if left := pendingPetitions(t, a); len(left) != 0 {
		t.Fatalf("%d still pending", len(left))
	}
	_, list := newClient(t, a.URL).get("/petitions")
	if !strings.Contains(list, ps[1].Title) || strings.Contains(list, ps[0].Title) {
		t.Fatal("the public list does not show exactly the approved petition")
	}
}

// TestSignOutNeedsCSRF: another site cannot sign staff out; the desk's own
// sign-out form can, and the session stops working.
func TestSignOutNeedsCSRF(t *testing.T) {
	a := newApp(t)
	a.addUser(t, "canbo2", feedback.RoleOfficer, "moi_truong")
	c := newClient(t, a.URL)
	c.signInForm("canbo2")
	_, page := c.get("/staff")
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the desk has no sign-out form with a CSRF token")
	}
	if res, _ := c.postValues("/staff/logout", url.Values{"csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-out with a forged token = %d, want 403", res.StatusCode)
	}
	if res, _ := c.get("/staff"); res.StatusCode != http.StatusOK {
		t.Fatalf("session gone after a forged sign-out: %d", res.StatusCode)
	}
	if res, _ := c.postValues("/staff/logout", url.Values{"csrf_token": {m[1]}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out = %d, want 303", res.StatusCode)
	}
	if res, _ := c.get("/staff"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/staff/login") {
		t.Fatalf("desk after signing out = %d %q, want a redirect to sign in", res.StatusCode, res.Header.Get("Location"))
	}
}
