package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"phananh/city"
	"phananh/feedback"
	"phananh/store/sqlite"
)

// fixture is a server over a real SQLite store in a temp dir.
type fixture struct {
	t     *testing.T
	store *sqlite.Store
	srv   *Server
	city  *city.City
	now   time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, store: st, city: city.Demo(), now: time.Now()}
	f.srv, err = New(Deps{
		Store: st, Intake: newTestIntake(t, st, f.city), City: CityDirectory(f.city),
		BaseURL: "https://phananh.example.vn", PostRate: rate.Inf,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) do(method, path, ctype string, body io.Reader) *httptest.ResponseRecorder {
	f.t.Helper()
	req := httptest.NewRequest(method, path, body)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	return w
}

func (f *fixture) get(path string, into any) *httptest.ResponseRecorder {
	f.t.Helper()
	w := f.do("GET", path, "", nil)
	if into != nil && w.Code == 200 {
		if err := json.Unmarshal(w.Body.Bytes(), into); err != nil {
			f.t.Fatalf("GET %s: %v in %s", path, err, w.Body.String())
		}
	}
	return w
}

// getFrom is a GET from the TCP peer addr with the given headers.
func (f *fixture) getFrom(addr, path string, hdr map[string]string) *httptest.ResponseRecorder {
	f.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.RemoteAddr = addr
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	return w
}

// seed stores a report with its created event, as intake would.
func (f *fixture) seed(r *feedback.Report, more ...feedback.Event) *feedback.Report {
	f.t.Helper()
	ev := feedback.Event{Type: feedback.EventCreated, ReportID: r.ID, ReportCode: r.Code,
		UnitID: r.Unit, Public: true, Actor: feedback.ActorCitizen, To: r.Status, At: r.CreatedAt}
	events := append([]feedback.Event{ev}, more...)
	for i := range events {
		events[i].ReportID, events[i].ReportCode = r.ID, r.Code
	}
	stored, _, _, err := f.store.CreateReport(f.t.Context(), r, events)
	if err != nil {
		f.t.Fatal(err)
	}
	return stored
}

// count is how many reports the store holds.
func (f *fixture) count() int {
	f.t.Helper()
	n, cursor := 0, ""
	for {
		page, err := f.store.FindReports(f.t.Context(), feedback.ReportFilter{Limit: 200, Cursor: cursor})
		if err != nil {
			f.t.Fatal(err)
		}
		n += len(page.Reports)
		if cursor = page.NextCursor; cursor == "" {
			return n
		}
	}
}

func ptr[T any](v T) *T { return &v }

// privateReport is a report full of personal data that must never leave
// the server through a public endpoint.
func privateReport(created time.Time, public bool) *feedback.Report {
	return &feedback.Report{
		ID: feedback.NewID(), Code: feedback.NewCode(),
		Text:     "Rác thải đổ trộm tràn ra lòng đường Trần Hưng Đạo, phường 1, bốc mùi hôi thối.",
		Location: feedback.Location{Lat: ptr(13.0955), Lng: ptr(109.3050), Address: "12 Trần Hưng Đạo"},
		Photos:   []feedback.Photo{{ID: strings.Repeat("ab", 32), ContentType: "image/jpeg", Size: 10, Kind: feedback.PhotoBefore}},
		Channel:  feedback.ChannelTelegram,
		Reporter: feedback.Contact{Name: "Trần Thị Bích", Phone: "0905123456", Email: "bich.tran@example.vn",
			TelegramChatID: 987654321},
		Public: public, Category: "rac_thai", Ward: "p1", Unit: "moi_truong",
		Status: feedback.StatusAssigned, Priority: feedback.PriorityNormal,
		DueAt:             created.Add(72 * time.Hour),
		ReporterTokenHash: feedback.HashSecret("tok-secret-value"),
		IdempotencyKey:    "telegram:987654321:" + feedback.NewCode(),
		AssigneeID:        "officer-42",
		CreatedAt:         created, UpdatedAt: created,
	}
}

func TestGetReportPublicView(t *testing.T) {
	f := newFixture(t)
	r := f.seed(privateReport(f.now.Add(-time.Hour), true),
		feedback.Event{Type: feedback.EventInternalNote, Public: false, Actor: "user:officer-42",
			Text: "Gọi cho chị Bích theo số 0905123456", At: f.now},
		feedback.Event{Type: feedback.EventStatusChanged, Public: true, Actor: "user:officer-42",
			From: feedback.StatusReceived, To: feedback.StatusAssigned,
			Data: map[string]string{"unit": "moi_truong", "assignee": "officer-42"}, At: f.now})
	var v ReportView
	w := f.get("/api/v1/reports/"+strings.ToLower(r.Code), &v)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body.String())
	}
	if v.Code != r.Code || v.Status != "assigned" || v.StatusLabel != "Đã chuyển đơn vị xử lý" || v.StatusLabelEN == "" {
		t.Errorf("status view: %+v", v)
	}
	if v.CategoryName == "" || v.CategoryNameEN == "" || v.WardName != "Phường 1" || v.UnitName == "" {
		t.Errorf("names missing: %+v", v)
	}
	if v.Text != r.Text || len(v.Photos) != 1 || v.Photos[0].URL != "https://phananh.example.vn/api/v1/photos/"+r.Photos[0].ID {
		t.Errorf("content: %+v", v)
	}
	if len(v.Timeline) != 2 || v.Timeline[1].To != "assigned" || v.Timeline[1].Actor != "staff" {
		t.Errorf("timeline: %+v", v.Timeline)
	}
	assertNoPersonalData(t, w.Body.String())
}

// assertNoPersonalData fails if a public body carries anything private
// from privateReport.
func assertNoPersonalData(t *testing.T, body string) {
	t.Helper()
	for _, secret := range []string{
		"Trần Thị Bích", "0905123456", "bich.tran@example.vn", "987654321", "tok-secret-value",
		feedback.HashSecret("tok-secret-value"), "telegram:987654321:", "officer-42",
		"reporter", "token", "idempotency", "internal_note", "Gọi cho chị",
	} {
		if strings.Contains(body, secret) {
			t.Errorf("public body contains %q: %s", secret, body)
		}
	}
}

func TestNonPublicReportHidesTextAndPhotos(t *testing.T) {
	f := newFixture(t)
	r := f.seed(privateReport(f.now, false))
	var v ReportView
	w := f.get("/api/v1/reports/"+r.Code, &v)
	if w.Code != 200 || v.Text != "" || len(v.Photos) != 0 || v.Public {
		t.Errorf("%d %+v", w.Code, v)
	}
	if strings.Contains(w.Body.String(), "Trần Hưng Đạo, phường 1") {
		t.Errorf("text leaked: %s", w.Body.String())
	}
	var list ReportList
	f.get("/api/v1/reports", &list)
	if len(list.Reports) != 1 || list.Reports[0].Text != "" {
		t.Errorf("list leaks text: %+v", list)
	}
	assertNoPersonalData(t, f.get("/api/v1/reports", nil).Body.String())
}

func TestGetReportNotFound(t *testing.T) {
	f := newFixture(t)
	for _, code := range []string{"ZZZZZZZZ", "bad", "ABCDEFGHJ", "%00"} {
		w := f.get("/api/v1/reports/"+code, nil)
		if w.Code != 404 {
			t.Errorf("%s: status %d", code, w.Code)
			continue
		}
		var body ErrorBody
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != "not_found" || body.Error.Message == "" {
			t.Errorf("%s: body %s", code, w.Body.String())
		}
	}
}

func TestListReportsFiltersAndPages(t *testing.T) {
	f := newFixture(t)
	var codes []string
	for i := range 5 {
		r := privateReport(f.now.Add(time.Duration(i)*time.Minute), true)
		if i%2 == 1 {
			r.Category, r.Ward, r.Status = "chieu_sang", "p5", feedback.StatusInProgress
			r.Location.Lat, r.Location.Lng = ptr(13.10), ptr(109.32)
		}
		codes = append(codes, f.seed(r).Code)
	}
	var all ReportList
	f.get("/api/v1/reports?limit=2", &all)
	if len(all.Reports) != 2 || all.Reports[0].Code != codes[4] || all.NextCursor == "" {
		t.Fatalf("first page: %+v", all)
	}
	seen := len(all.Reports)
	for cursor := all.NextCursor; cursor != ""; {
		var page ReportList
		if w := f.get("/api/v1/reports?limit=2&cursor="+cursor, &page); w.Code != 200 {
			t.Fatalf("page: %d %s", w.Code, w.Body.String())
		}
		seen += len(page.Reports)
		cursor = page.NextCursor
	}
	if seen != 5 {
		t.Errorf("pages held %d reports, want 5", seen)
	}
	tests := []struct {
		query string
		want  int
	}{
		{"status=in_progress", 2},
		{"status=assigned,in_progress", 5},
		{"category=chieu_sang", 2},
		{"ward=p1", 3},
		{"bbox=109.31,13.09,109.33,13.11", 2},
		{"since=2199-01-01", 0},
		{"since=" + f.now.Add(-time.Hour).UTC().Format(time.RFC3339), 5},
	}
	for _, tt := range tests {
		var l ReportList
		if w := f.get("/api/v1/reports?"+tt.query, &l); w.Code != 200 || len(l.Reports) != tt.want {
			t.Errorf("%s: status %d, %d reports, want %d", tt.query, w.Code, len(l.Reports), tt.want)
		}
	}
}

func TestListReportsBadFilters(t *testing.T) {
	f := newFixture(t)
	for query, field := range map[string]string{
		"status=lost":         "status",
		"category=ma_tuy":     "category",
		"ward=p99":            "ward",
		"bbox=1,2,3":          "bbox",
		"bbox=10,20,5,30":     "bbox",
		"since=yesterday":     "since",
		"since=2999-01-01":    "since",
		"limit=0":             "limit",
		"limit=abc":           "limit",
		"cursor=not-a-cursor": "cursor",
	} {
		w := f.get("/api/v1/reports?"+query, nil)
		var body ErrorBody
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != 400 || body.Error.Field != field {
			t.Errorf("%s: %d field %q, want 400 field %q", query, w.Code, body.Error.Field, field)
		}
	}
}

func TestReportEventsSince(t *testing.T) {
	f := newFixture(t)
	r := f.seed(privateReport(f.now, true),
		feedback.Event{Type: feedback.EventInternalNote, Actor: "user:officer-42", Text: "nội bộ", At: f.now},
		feedback.Event{Type: feedback.EventPublicReply, Public: true, Actor: "user:officer-42",
			Text: "Đã cử đội vệ sinh môi trường đến thu gom.", At: f.now})
	var page EventsPage
	f.get("/api/v1/reports/"+r.Code+"/events", &page)
	if len(page.Events) != 2 || page.LastSeq != page.Events[1].Seq {
		t.Fatalf("all events: %+v", page)
	}
	var after EventsPage
	f.get("/api/v1/reports/"+r.Code+"/events?since="+seqString(page.Events[0].Seq), &after)
	if len(after.Events) != 1 || after.Events[0].Type != "public_reply" || after.LastSeq != page.LastSeq {
		t.Errorf("since: %+v", after)
	}
	var none EventsPage
	f.get("/api/v1/reports/"+r.Code+"/events?since="+seqString(page.LastSeq), &none)
	if len(none.Events) != 0 || none.LastSeq != page.LastSeq {
		t.Errorf("nothing new: %+v", none)
	}
	if w := f.get("/api/v1/reports/"+r.Code+"/events?since=-1", nil); w.Code != 400 {
		t.Errorf("since=-1: %d", w.Code)
	}
}

func seqString(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestHealthAndReadiness(t *testing.T) {
	f := newFixture(t)
	if w := f.get("/healthz", nil); w.Code != 200 {
		t.Errorf("healthz %d", w.Code)
	}
	if w := f.get("/readyz", nil); w.Code != 200 {
		t.Errorf("readyz %d", w.Code)
	}
	f.srv.Drain()
	if w := f.get("/readyz", nil); w.Code != 503 {
		t.Errorf("readyz while draining %d", w.Code)
	}
	f.store.Close()
	if w := f.get("/healthz", nil); w.Code != 200 {
		t.Errorf("healthz after store close %d", w.Code)
	}
}

func TestReadyzFailsWhenStoreIsDown(t *testing.T) {
	f := newFixture(t)
	f.store.Close()
	if w := f.get("/readyz", nil); w.Code != 503 {
		t.Errorf("readyz with closed store: %d %s", w.Code, w.Body.String())
	}
}

func TestUnknownRouteIsJSON404(t *testing.T) {
	f := newFixture(t)
	w := f.get("/api/v1/nothing", nil)
	if w.Code != 404 || !strings.Contains(w.Header().Get("Content-Type"), "application/json") {
		t.Errorf("%d %s", w.Code, w.Header().Get("Content-Type"))
	}
	if w.Header().Get(requestIDHeader) == "" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("middleware skipped on 404: %v", w.Header())
	}
}
