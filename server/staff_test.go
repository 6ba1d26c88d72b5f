package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"phananh/auth"
	"phananh/city"
	"phananh/desk"
	"phananh/feedback"
	"phananh/intake"
	"phananh/store/sqlite"
)

// staffFixture is a server over a real SQLite store with the staff routes
// mounted and three accounts: an officer of ubnd_p1, a supervisor and an
// admin. It does not depend on intake: reports are stored directly.
type staffFixture struct {
	t     *testing.T
	store *sqlite.Store
	srv   *Server
	auth  *auth.Service
}

// noIntake is a Submitter for tests that never submit.
type noIntake struct{}

func (noIntake) Submit(context.Context, intake.Submission) (intake.Receipt, error) {
	return intake.Receipt{}, feedback.Errorf(feedback.EUNAVAILABLE, "không dùng", "not used in these tests")
}

const staffPassword = "mật khẩu đủ dài 2026"

func newStaffFixture(t *testing.T) *staffFixture {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	st, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := city.Demo()
	srv, err := New(Deps{Store: st, Intake: noIntake{}, City: CityDirectory(c), BaseURL: "https://phananh.example.vn", PostRate: rate.Inf})
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(st, auth.Config{Hash: auth.HashParams{Memory: 1024, Time: 1, Threads: 1}, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	d := desk.New(st, c, desk.Config{Log: quiet})
	srv.MountStaff(StaffDeps{Auth: a, Desk: d, SecureCookies: true})
	for _, u := range []auth.NewUser{
		{Username: "officer", Role: feedback.RoleOfficer, UnitID: "ubnd_p1", Password: staffPassword},
		{Username: "supervisor", Role: feedback.RoleSupervisor, Password: staffPassword},
		{Username: "admin", Role: feedback.RoleAdmin, Password: staffPassword},
	} {
		if _, err := a.AddUser(context.Background(), feedback.Actor{Local: true}, u); err != nil {
			t.Fatal(err)
		}
	}
	return &staffFixture{t: t, store: st, srv: srv, auth: a}
}

// request sends a request with optional JSON body and headers.
func (f *staffFixture) request(method, path string, body any, hdr map[string]string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	f.t.Helper()
	var b bytes.Buffer
	if body != nil {
		json.NewEncoder(&b).Encode(body) //nolint:errcheck
	}
	req := httptest.NewRequest(method, path, &b)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	return w
}

func (f *staffFixture) login(name string) (auth.Login, []*http.Cookie) {
	f.t.Helper()
	w := f.request("POST", "/api/v1/auth/login", map[string]string{"username": name, "password": staffPassword}, nil)
	if w.Code != 200 {
		f.t.Fatalf("login %s: %d %s", name, w.Code, w.Body)
	}
	var l auth.Login
	if err := json.Unmarshal(w.Body.Bytes(), &l); err != nil {
		f.t.Fatal(err)
	}
	return l, w.Result().Cookies()
}

func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

// report stores a report of unit in status st, with personal data.
func (f *staffFixture) report(unit string, st feedback.Status) *feedback.Report {
	f.t.Helper()
	now := time.Now()
	r := &feedback.Report{
		ID: feedback.NewID(), Code: feedback.NewCode(), Text: "Rác thải đổ trộm tràn ra lòng đường",
		Channel: feedback.ChannelWeb, Category: "rac_thai", Ward: "p1", Unit: unit, Status: st,
		Priority: feedback.PriorityNormal, Reporter: feedback.Contact{Name: "Trần Thị Bích", Phone: "0905123456"},
		ReporterTokenHash: feedback.HashSecret("reporter-secret"), CreatedAt: now.Add(-time.Hour),
	}
	if st == feedback.StatusResolved {
		r.ResolvedAt = &now
	}
	stored, _, _, err := f.store.CreateReport(f.t.Context(), r, []feedback.Event{{Type: feedback.EventCreated, Public: true, At: r.CreatedAt}})
	if err != nil {
		f.t.Fatal(err)
	}
	return stored
}

func TestLoginSetsCookiesAndBearerWorks(t *testing.T) {
	f := newStaffFixture(t)
	l, cookies := f.login("officer")
	if l.Token == "" || l.User == nil || l.User.Username != "officer" {
		t.Fatalf("login body = %+v", l)
	}
	var session *http.Cookie
	for _, c := range cookies {
		if c.Name == SessionCookie {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || !session.Secure || session.SameSite != http.SameSiteLaxMode || session.Value != l.Token {
		t.Fatalf("session cookie = %+v", session)
	}
	if w := f.request("GET", "/api/v1/staff/reports", nil, nil); w.Code != 401 {
		t.Fatalf("anonymous queue: %d", w.Code)
	}
	if w := f.request("GET", "/api/v1/staff/reports", nil, bearer(l.Token)); w.Code != 200 {
		t.Fatalf("bearer queue: %d %s", w.Code, w.Body)
	}
	w := f.request("POST", "/api/v1/auth/login", map[string]string{"username": "officer", "password": "sai"}, nil)
	if w.Code != 401 || !strings.Contains(w.Body.String(), `"code":"unauthorized"`) {
		t.Fatalf("bad password: %d %s", w.Code, w.Body)
	}
}

func TestCookieRequestsNeedCSRF(t *testing.T) {
	f := newStaffFixture(t)
	r := f.report("ubnd_p1", feedback.StatusAssigned)
	l, cookies := f.login("officer")
	path := "/api/v1/staff/reports/" + r.Code + "/notes"
	note := map[string]string{"text": "Đã liên hệ tổ trưởng dân phố"}
	if w := f.request("POST", path, note, nil, cookies...); w.Code != 403 {
		t.Fatalf("cookie POST without CSRF: %d %s", w.Code, w.Body)
	}
	if w := f.request("POST", path, note, map[string]string{CSRFHeader: strings.Repeat("0", 64)}, cookies...); w.Code != 403 {
		t.Fatalf("cookie POST with a wrong CSRF token: %d", w.Code)
	}
	if w := f.request("POST", path, note, map[string]string{CSRFHeader: l.CSRFToken}, cookies...); w.Code != 200 {
		t.Fatalf("cookie POST with CSRF: %d %s", w.Code, w.Body)
	}
	if w := f.request("GET", "/api/v1/staff/reports/"+r.Code, nil, nil, cookies...); w.Code != 200 ||
		!strings.Contains(w.Body.String(), "0905123456") || !strings.Contains(w.Body.String(), "internal_note") {
		t.Fatalf("detail should carry contact and notes: %d %s", w.Code, w.Body)
	}
	if w := f.request("POST", "/api/v1/auth/logout", nil, bearer(l.Token)); w.Code != 204 {
		t.Fatalf("logout: %d", w.Code)
	}
	if w := f.request("GET", "/api/v1/staff/reports", nil, nil, cookies...); w.Code != 401 {
		t.Fatalf("after logout: %d", w.Code)
	}
}

func TestOtherUnitIs404AndConflictIs409(t *testing.T) {
	f := newStaffFixture(t)
	other := f.report("ubnd_p2", feedback.StatusAssigned)
	own := f.report("ubnd_p1", feedback.StatusAssigned)
	l, _ := f.login("officer")
	// Another unit's report and a report that does not exist answer alike.
	otherW := f.request("POST", "/api/v1/staff/reports/"+other.Code+"/notes", map[string]string{"text": "xem thử"}, bearer(l.Token))
	noneW := f.request("POST", "/api/v1/staff/reports/ZZZZZZZZ/notes", map[string]string{"text": "xem thử"}, bearer(l.Token))
	if otherW.Code != 404 || otherW.Body.String() != noneW.Body.String() {
		t.Fatalf("other unit's report: %d %s; missing report: %d %s", otherW.Code, otherW.Body, noneW.Code, noneW.Body)
	}
	path := "/api/v1/staff/reports/" + own.Code + "/transitions"
	if w := f.request("POST", path, map[string]any{"to": "in_progress"}, bearer(l.Token)); w.Code != 200 {
		t.Fatalf("transition: %d %s", w.Code, w.Body)
	}
	w := f.request("POST", path, map[string]any{"to": "in_progress"}, bearer(l.Token))
	var body struct {
		Error   ErrorDetail      `json:"error"`
		Current *feedback.Report `json:"current"`
	}
	json.Unmarshal(w.Body.Bytes(), &body) //nolint:errcheck
	if w.Code != 409 || body.Error.Code != "conflict" || body.Current == nil || body.Current.Status != feedback.StatusInProgress {
		t.Fatalf("repeated transition: %d %s", w.Code, w.Body)
	}
}

func TestStatsCSVHasBOM(t *testing.T) {
	f := newStaffFixture(t)
	f.report("ubnd_p1", feedback.StatusAssigned)
	f.report("ubnd_p1", feedback.StatusResolved)
	f.report("moi_truong", feedback.StatusAssigned)
	l, _ := f.login("supervisor")
	today := time.Now().In(time.FixedZone("ICT", 7*3600))
	from, to := today.AddDate(0, 0, -1).Format("2006-01-02"), today.Format("2006-01-02")
	w := f.request("GET", "/api/v1/stats/export.csv?group=unit&from="+from+"&to="+to, nil, bearer(l.Token))
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", w.Code, w.Body)
	}
	raw := w.Body.Bytes()
	if !bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("no UTF-8 BOM: % x", raw[:8])
	}
	recs, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][1] != "Tên" || recs[0][2] != "Tiếp nhận" {
		t.Fatalf("csv = %q", recs)
	}
	if recs[2][0] != "ubnd_p1" || recs[2][1] != "UBND Phường 1" || recs[2][2] != "2" || recs[2][3] != "1" {
		t.Fatalf("ubnd_p1 row = %q", recs[2])
	}
	officer, _ := f.login("officer")
	if w := f.request("GET", "/api/v1/stats?group=unit", nil, bearer(officer.Token)); w.Code != 403 {
		t.Fatalf("officer stats: %d", w.Code)
	}
	if w := f.request("GET", "/api/v1/stats?group=status", nil, bearer(l.Token)); w.Code != 400 {
		t.Fatalf("bad group: %d", w.Code)
	}
}

func TestCitizenClosureAndAudit(t *testing.T) {
	f := newStaffFixture(t)
	r := f.report("ubnd_p1", feedback.StatusResolved)
	path := "/api/v1/reports/" + r.Code + "/confirm"
	if w := f.request("POST", path, map[string]string{"reporter_token": "sai"}, nil); w.Code != 403 {
		t.Fatalf("wrong token: %d", w.Code)
	}
	w := f.request("POST", path, map[string]string{}, map[string]string{"X-Reporter-Token": "reporter-secret"})
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"status":"closed"`) || strings.Contains(w.Body.String(), "0905123456") {
		t.Fatalf("confirm: %d %s", w.Code, w.Body)
	}
	l, _ := f.login("admin")
	w = f.request("GET", "/api/v1/staff/audit?action=auth.login", nil, bearer(l.Token))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"actor_role":"admin"`) {
		t.Fatalf("audit for admin: %d %s", w.Code, w.Body)
	}
	officer, _ := f.login("officer")
	if w := f.request("GET", "/api/v1/staff/audit", nil, bearer(officer.Token)); w.Code != 403 {
		t.Fatalf("audit for officer: %d", w.Code)
	}
	w = f.request("POST", "/api/v1/staff/users", map[string]string{"username": "moi", "role": "officer", "unit": "ubnd_p2", "password": staffPassword}, bearer(l.Token))
	if w.Code != 201 || strings.Contains(w.Body.String(), "argon2") {
		t.Fatalf("add user: %d %s", w.Code, w.Body)
	}
}

func TestLiveAuthenticator(t *testing.T) {
	f := newStaffFixture(t)
	l, cookies := f.login("officer")
	la := LiveAuthenticator(f.auth)
	req := httptest.NewRequest("GET", "/api/v1/staff/live", nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	v, err := la.Authenticate(req)
	if err != nil || v.UserID != l.User.ID || v.UnitID != "ubnd_p1" || v.Role != feedback.RoleOfficer {
		t.Fatalf("cookie: %+v %v", v, err)
	}
	req = httptest.NewRequest("GET", "/api/v1/staff/live", nil)
	req.Header.Set("Authorization", "Bearer "+strings.Repeat("ab", 32))
	if _, err := la.Authenticate(req); feedback.ErrorCode(err) != feedback.EUNAUTHORIZED {
		t.Fatalf("unknown token: %v", err)
	}
}

// TestConcurrentTransitionsOverHTTP: eight officers' requests at once,
// exactly one 200 and seven 409 with the current state.
func TestConcurrentTransitionsOverHTTP(t *testing.T) {
	f := newStaffFixture(t)
	r := f.report("ubnd_p1", feedback.StatusAssigned)
	l, _ := f.login("officer")
	codes := make(chan int, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := f.request("POST", "/api/v1/staff/reports/"+r.Code+"/transitions", map[string]any{"to": "in_progress"}, bearer(l.Token))
			if w.Code == 409 && !strings.Contains(w.Body.String(), `"current":{`) {
				t.Errorf("409 without the current state: %s", w.Body)
			}
			codes <- w.Code
		}()
	}
	wg.Wait()
	close(codes)
	n := map[int]int{}
	for c := range codes {
		n[c]++
	}
	if n[200] != 1 || n[409] != 7 {
		t.Fatalf("status codes %v, want one 200 and seven 409", n)
	}
}
