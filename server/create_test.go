package server

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"phananh/city"
	"phananh/classifier"
	"phananh/feedback"
	"phananh/intake"
	"phananh/store/sqlite"
)

var (
	modelOnce sync.Once
	model     *classifier.Model
	modelErr  error
)

// newTestIntake is the real pipeline with the embedded classifier.
func newTestIntake(t *testing.T, st *sqlite.Store, c *city.City) *intake.Service {
	t.Helper()
	modelOnce.Do(func() { model, modelErr = classifier.EmbeddedModel() })
	if modelErr != nil {
		t.Fatal(modelErr)
	}
	var wards []classifier.Ward
	for _, w := range c.Wards() {
		wards = append(wards, classifier.Ward{ID: w.ID, Name: w.Name, Aliases: w.Aliases})
	}
	return intake.New(intake.Deps{Store: st, City: c, Classifier: classifier.NewLocal(model, wards)})
}

const goodText = "Rác thải sinh hoạt đổ thành đống trước số 12 Trần Hưng Đạo, phường 1, bốc mùi hôi thối."

func (f *fixture) postJSON(body string) *httptest.ResponseRecorder {
	return f.do("POST", "/api/v1/reports", "application/json", strings.NewReader(body))
}

// multipartBody builds a form with the given fields and photos.
func multipartBody(t *testing.T, fields map[string]string, photos ...[]byte) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for i, p := range photos {
		w, _ := mw.CreateFormFile("photos", "anh"+string(rune('0'+i))+".jpg")
		w.Write(p)
	}
	mw.Close()
	return mw.FormDataContentType(), &b
}

// testJPEG is a real JPEG with an EXIF segment naming a camera.
func testJPEG(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 24, 16))
	for x := range 24 {
		img.Set(x, x%16, color.RGBA{shade, 80, 160, 255})
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	payload := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00CAMERA-SECRET-GPS")
	seg := append([]byte{0xFF, 0xE1, 0, byte(len(payload) + 2)}, payload...)
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

func TestCreateReportJSON(t *testing.T) {
	f := newFixture(t)
	w := f.postJSON(`{"text":"` + goodText + `","lat":13.0955,"lng":109.3050,"address":"12 Trần Hưng Đạo",
		"reporter":{"name":"Trần Thị Bích","phone":"0905 123 456","email":"bich.tran@example.vn"}}`)
	if w.Code != 201 {
		t.Fatalf("status %d: %s", w.Code, w.Body.String())
	}
	var got CreatedView
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.ReporterToken) != 64 || got.Code == "" || got.Text != goodText || got.Channel != "api" {
		t.Errorf("answer: %+v", got)
	}
	if got.Category != "rac_thai" || got.Ward != "p1" || got.Status != "assigned" || got.UnitName == "" {
		t.Errorf("classification and routing: %+v", got)
	}
	for _, private := range []string{"Trần Thị Bích", "0905123456", "0905 123 456", "bich.tran@example.vn"} {
		if strings.Contains(w.Body.String(), private) {
			t.Errorf("201 body contains %q", private)
		}
	}
	stored, err := f.store.Report(t.Context(), got.Code)
	if err != nil {
		t.Fatal(err)
	}
	if stored.ReporterTokenHash != feedback.HashSecret(got.ReporterToken) || stored.Reporter.Phone != "0905123456" {
		t.Errorf("stored: token hash %q, reporter %+v", stored.ReporterTokenHash, stored.Reporter)
	}
	var view ReportView
	f.get("/api/v1/reports/"+got.Code, &view)
	if len(view.Timeline) < 2 || view.Timeline[0].Type != "created" {
		t.Errorf("timeline: %+v", view.Timeline)
	}
	body := f.get("/api/v1/reports/"+got.Code, nil).Body.String()
	for _, private := range []string{"Trần Thị Bích", "0905123456", "bich.tran@example.vn", got.ReporterToken, "confidence", "model"} {
		if strings.Contains(body, private) {
			t.Errorf("public view contains %q", private)
		}
	}
}

func TestCreateReportIdempotent(t *testing.T) {
	f := newFixture(t)
	body := `{"text":"` + goodText + `","idempotency_key":"form-7f3a"}`
	first := f.postJSON(body)
	second := f.postJSON(body)
	if first.Code != 201 || second.Code != 200 {
		t.Fatalf("statuses %d, %d: %s", first.Code, second.Code, second.Body.String())
	}
	var a, b CreatedView
	json.Unmarshal(first.Body.Bytes(), &a)
	json.Unmarshal(second.Body.Bytes(), &b)
	if a.Code != b.Code || b.ReporterToken != "" {
		t.Errorf("repeat: %s vs %s, token %q", a.Code, b.Code, b.ReporterToken)
	}
	if n := f.count(); n != 1 {
		t.Errorf("%d reports stored", n)
	}
}

func TestCreateReportMultipartWithPhotos(t *testing.T) {
	f := newFixture(t)
	ctype, body := multipartBody(t, map[string]string{
		"text": goodText, "lat": "13.0955", "lng": "109.3050", "reporter_phone": "0905123456", "public": "true",
	}, testJPEG(t, 10), testJPEG(t, 250))
	w := f.do("POST", "/api/v1/reports", ctype, body)
	if w.Code != 201 {
		t.Fatalf("status %d: %s", w.Code, w.Body.String())
	}
	var got CreatedView
	json.Unmarshal(w.Body.Bytes(), &got)
	if got.Channel != "web" || len(got.Photos) != 2 {
		t.Fatalf("answer: %+v", got)
	}
	path := strings.TrimPrefix(got.Photos[0].URL, "https://phananh.example.vn")
	p := f.get(path, nil)
	if p.Code != 200 || p.Header().Get("Content-Type") != "image/jpeg" || p.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("photo: %d %v", p.Code, p.Header())
	}
	if cc := p.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("Cache-Control %q", cc)
	}
	if bytes.Contains(p.Body.Bytes(), []byte("CAMERA-SECRET")) {
		t.Error("served photo keeps its EXIF")
	}
	if _, err := jpeg.Decode(bytes.NewReader(p.Body.Bytes())); err != nil {
		t.Errorf("served photo: %v", err)
	}
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("If-None-Match", p.Header().Get("ETag"))
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	if rec.Code != 304 {
		t.Errorf("conditional GET: %d", rec.Code)
	}
}

func TestPhotoNotFound(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{strings.Repeat("0", 64), "..%2f..%2fetc%2fpasswd", strings.Repeat("A", 64), "abc"} {
		if w := f.get("/api/v1/photos/"+id, nil); w.Code != 404 {
			t.Errorf("%s: %d", id, w.Code)
		}
	}
}

// TestRejectedRequestsStoreNothing checks each bad request's status, error
// code and field, and that the store holds no more reports than before.
func TestRejectedRequestsStoreNothing(t *testing.T) {
	f := newFixture(t)
	f.postJSON(`{"text":"` + goodText + `"}`) // one good report, so "nothing more" is meaningful
	jpg := testJPEG(t, 1)
	form := func(fields map[string]string, photos ...[]byte) (string, io.Reader) {
		ct, b := multipartBody(t, fields, photos...)
		return ct, b
	}
	text := map[string]string{"text": goodText}
	tests := []struct {
		name, ctype string
		body        io.Reader
		status      int
		code, field string
	}{
		{"malformed JSON", "application/json", strings.NewReader(`{"text":`), 400, "invalid", ""},
		{"text of wrong type", "application/json", strings.NewReader(`{"text":5}`), 400, "invalid", "text"},
		{"lat of wrong type", "application/json", strings.NewReader(`{"text":"` + goodText + `","lat":"13"}`), 400, "invalid", "lat"},
		{"unknown field", "application/json", strings.NewReader(`{"text":"` + goodText + `","phone":"0905123456"}`), 400, "invalid", "phone"},
		{"two JSON values", "application/json", strings.NewReader(`{"text":"` + goodText + `"}{}`), 400, "invalid", ""},
		{"empty body", "application/json", strings.NewReader(``), 400, "invalid", ""},
		{"text too short", "application/json", strings.NewReader(`{"text":"rác"}`), 400, "invalid", "text"},
		{"text too long", "application/json", strings.NewReader(`{"text":"` + strings.Repeat("rác ", 1300) + `"}`), 400, "invalid", "text"},
		{"lat out of range", "application/json", strings.NewReader(`{"text":"` + goodText + `","lat":91,"lng":109}`), 400, "invalid", "lat"},
		{"lat without lng", "application/json", strings.NewReader(`{"text":"` + goodText + `","lat":13}`), 400, "invalid", "lng"},
		{"unknown category", "application/json", strings.NewReader(`{"text":"` + goodText + `","category":"ma_tuy"}`), 400, "invalid", "category"},
		{"bad e-mail", "application/json", strings.NewReader(`{"text":"` + goodText + `","reporter":{"email":"not-mail"}}`), 400, "invalid", "reporter.email"},
		{"body over limit", "application/json", strings.NewReader(`{"text":"` + strings.Repeat("a", MaxJSONBytes) + `"}`), 413, "too_large", ""},
		{"plain text", "text/plain", strings.NewReader(goodText), 415, "unsupported", ""},
		{"no content type", "", strings.NewReader(`{"text":"` + goodText + `"}`), 415, "unsupported", ""},
		{"form-urlencoded", "application/x-www-form-urlencoded", strings.NewReader("text=abc"), 415, "unsupported", ""},
	}
	add := func(name string, status int, code, field string, ct string, body io.Reader) {
		tests = append(tests, struct {
			name, ctype string
			body        io.Reader
			status      int
			code, field string
		}{name, ct, body, status, code, field})
	}
	ct, b := form(text, []byte("GIF89a not really a photo at all, just text"))
	add("photo that is not an image", 400, "invalid", "photos", ct, b)
	ct, b = form(text, jpg, jpg, jpg, jpg, jpg, jpg)
	add("six photos", 413, "too_large", "photos", ct, b)
	ct, b = form(text, append(bytes.Clone(jpg), make([]byte, feedback.MaxPhotoBytes)...))
	add("photo over 10 MB", 413, "too_large", "photos", ct, b)
	ct, b = form(map[string]string{"text": goodText, "lat": "north", "lng": "109"})
	add("form lat not a number", 400, "invalid", "lat", ct, b)
	ct, b = form(map[string]string{"text": goodText, "reporter_email": "an@"})
	add("form bad e-mail", 400, "invalid", "reporter_email", ct, b)
	ct, b = form(map[string]string{"text": "ngắn"}, jpg)
	add("form text too short with photo", 400, "invalid", "text", ct, b)
	add("truncated multipart", 400, "invalid", "", "multipart/form-data; boundary=xyz", strings.NewReader("--xyz\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nabc"))

	before := f.count()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("POST", "/api/v1/reports", tt.ctype, tt.body)
			var e ErrorBody
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
				t.Fatalf("%d, body %q", w.Code, w.Body.String())
			}
			if w.Code != tt.status || e.Error.Code != tt.code || e.Error.Field != tt.field {
				t.Errorf("got %d %s field %q, want %d %s field %q (%s)", w.Code, e.Error.Code, e.Error.Field,
					tt.status, tt.code, tt.field, e.Error.MessageEN)
			}
			if e.Error.Message == "" || e.Error.MessageEN == "" {
				t.Errorf("messages missing: %+v", e.Error)
			}
			if n := f.count(); n != before {
				t.Errorf("reports: %d before, %d after", before, n)
			}
		})
	}
}

func TestRateLimitedPOSTStoresNothing(t *testing.T) {
	f := newFixture(t)
	srv, err := New(Deps{Store: f.store, Intake: newTestIntake(t, f.store, f.city), City: CityDirectory(f.city),
		PostRate: rate.Limit(0.001), PostBurst: 1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	if w := f.postJSON(`{"text":"` + goodText + `"}`); w.Code != 201 {
		t.Fatalf("first: %d", w.Code)
	}
	w := f.postJSON(`{"text":"` + goodText + `"}`)
	if w.Code != 429 || w.Header().Get("Retry-After") == "" {
		t.Errorf("second: %d %v", w.Code, w.Header())
	}
	if n := f.count(); n != 1 {
		t.Errorf("%d reports stored", n)
	}
}

func TestMetricsCountRequestsAndReports(t *testing.T) {
	f := newFixture(t)
	f.srv.intake = intake.New(intake.Deps{Store: f.store, City: f.city, Publisher: f.srv.metrics.Publisher(nil)})
	f.postJSON(`{"text":"` + goodText + `","category":"rac_thai"}`)
	f.postJSON(`{"text":"x"}`)
	f.get("/api/v1/reports/ZZZZZZZZ", nil)
	body := f.getFrom("127.0.0.1:40000", "/metrics", nil).Body.String()
	for _, want := range []string{
		`phananh_reports_created_total{channel="api"} 1`,
		`phananh_report_status_entered_total{status="received"} 1`,
		`phananh_report_status_entered_total{status="assigned"} 1`,
		`phananh_http_requests_total{method="POST",route="/api/v1/reports",status="201"} 1`,
		`phananh_http_requests_total{method="POST",route="/api/v1/reports",status="400"} 1`,
		`phananh_http_requests_total{method="GET",route="/api/v1/reports/:code",status="404"} 1`,
		`phananh_http_request_duration_seconds_bucket{method="POST",route="/api/v1/reports",status="201",le="+Inf"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "ZZZZZZZZ") {
		t.Error("metrics carry a raw path")
	}
}

func TestUploadsWaitForASlot(t *testing.T) {
	f := newFixture(t)
	for range MaxConcurrentUploads {
		f.srv.uploads <- struct{}{} // every slot busy
	}
	if w := f.postJSON(`{"text":"` + goodText + `"}`); w.Code != 201 {
		t.Errorf("JSON waited for an upload slot: %d", w.Code)
	}
	ctype, body := multipartBody(t, map[string]string{"text": goodText}, testJPEG(t, 3))
	ctx, cancel := context.WithCancel(t.Context())
	req := httptest.NewRequestWithContext(ctx, "POST", "/api/v1/reports", body)
	req.Header.Set("Content-Type", ctype)
	done := make(chan int)
	go func() {
		w := httptest.NewRecorder()
		f.srv.ServeHTTP(w, req)
		done <- w.Code
	}()
	select {
	case code := <-done:
		t.Fatalf("upload did not wait: %d", code)
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	if code := <-done; code != 503 {
		t.Errorf("abandoned upload: %d", code)
	}
	<-f.srv.uploads // one slot frees up
	ctype, body = multipartBody(t, map[string]string{"text": goodText}, testJPEG(t, 4))
	if w := f.do("POST", "/api/v1/reports", ctype, body); w.Code != 201 {
		t.Errorf("upload with a free slot: %d %s", w.Code, w.Body.String())
	}
	if n := f.count(); n != 2 {
		t.Errorf("%d reports stored, want 2", n)
	}
}

func TestLogsCarryNoPersonalData(t *testing.T) {
	f := newFixture(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := New(Deps{Store: f.store, City: CityDirectory(f.city), Logger: log, PostRate: rate.Inf,
		Intake: intake.New(intake.Deps{Store: f.store, City: f.city, Logger: log})})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	w := f.postJSON(`{"text":"` + goodText + `","category":"rac_thai",
		"reporter":{"name":"Trần Thị Bích","phone":"0905 123 456","email":"bich.tran@example.vn"}}`)
	var got CreatedView
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 201 {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	f.postJSON(`{"text":"ngắn","reporter":{"phone":"0905 123 456"}}`)
	f.get("/api/v1/reports/"+got.Code+"?token="+got.ReporterToken, nil)
	if !strings.Contains(logs.String(), `"route":"/api/v1/reports"`) {
		t.Fatalf("no access log: %s", logs.String())
	}
	for _, private := range []string{"Trần Thị Bích", "0905123456", "0905 123 456", "bich.tran@example.vn", got.ReporterToken} {
		if strings.Contains(logs.String(), private) {
			t.Errorf("logs contain %q", private)
		}
	}
}
