package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/time/rate"

	"phananh/city"
	"phananh/feedback"
	"phananh/live"
	"phananh/petition"
	"phananh/photo"
	"phananh/store/petitiontest"
)

type petitionFixture struct {
	*staffFixture
	mail *petitiontest.Mailbox
	sup  map[string]string
}

func newPetitionFixture(t *testing.T) *petitionFixture {
	t.Helper()
	f := newStaffFixture(t)
	mb := &petitiontest.Mailbox{}
	svc := petition.New(f.store, city.Demo(), petition.Config{Mailer: mb, BaseURL: "https://phananh.example.vn",
		IPRate: rate.Inf, DomainRate: rate.Inf, Log: slog.New(slog.DiscardHandler)})
	f.srv.MountPetitions(PetitionDeps{Service: svc, Auth: f.auth})
	l, _ := f.login("supervisor")
	return &petitionFixture{staffFixture: f, mail: mb, sup: bearer(l.Token)}
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v
}

func TestPetitionLifecycleOverHTTP(t *testing.T) {
	f := newPetitionFixture(t)
	w := f.request("POST", "/api/v1/petitions", map[string]string{"title": "Trồng lại cây xanh đường Độc Lập",
		"text": "Hàng cây bị chặt hết, trưa rất nóng.", "category": "cay_xanh", "ward": "p7",
		"name": "Phạm D", "email": "phamd@example.vn"}, nil)
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	id := decode[map[string]string](t, w.Body.Bytes())["id"]
	if w := f.request("GET", "/api/v1/petitions/"+id, nil, nil); w.Code != http.StatusNotFound {
		t.Fatalf("pending petition public: %d", w.Code)
	}
	if w := f.request("POST", "/api/v1/petitions/"+id+"/signatures", map[string]any{"email": "x@example.vn"}, nil); w.Code != http.StatusNotFound {
		t.Fatalf("pending petition signable: %d %s", w.Code, w.Body)
	}
	// Officers may not moderate; supervisors may.
	lo, _ := f.login("officer")
	mod := map[string]string{"decision": "approve"}
	if w := f.request("POST", "/api/v1/staff/petitions/"+id+"/moderation", mod, bearer(lo.Token)); w.Code != http.StatusForbidden {
		t.Fatalf("officer moderation: %d", w.Code)
	}
	if w := f.request("POST", "/api/v1/staff/petitions/"+id+"/moderation", mod, nil); w.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous moderation: %d", w.Code)
	}
	if w := f.request("POST", "/api/v1/staff/petitions/"+id+"/moderation", mod, f.sup); w.Code != http.StatusOK {
		t.Fatalf("moderation: %d %s", w.Code, w.Body)
	}

	// Sign: 202 and a mail; the count moves only after the link.
	sign := map[string]any{"email": "Nguoi.Ky+kn@Gmail.com", "name": "Ngô E", "show_name": true}
	if w := f.request("POST", "/api/v1/petitions/"+id+"/signatures", sign, nil); w.Code != http.StatusAccepted {
		t.Fatalf("sign: %d %s", w.Code, w.Body)
	}
	if c := f.count(id); c != 0 {
		t.Fatalf("count before confirmation = %d", c)
	}
	tok, ok := f.mail.Take("nguoiky@gmail.com")
	if !ok {
		t.Fatal("no confirmation mail")
	}
	// Following the link (as a mail scanner does, with any Accept) counts
	// nothing; the page's button posts the token.
	link := "/api/v1/petitions/" + id + "/confirm?token=" + url.QueryEscape(tok)
	for _, accept := range []string{"text/html", "*/*"} {
		w = f.request("GET", link, nil, map[string]string{"Accept": accept})
		if w.Code != http.StatusOK {
			t.Fatalf("GET link (%s): %d %s", accept, w.Code, w.Body)
		}
	}
	if !strings.Contains(w.Body.String(), "confirmation_required") {
		t.Fatalf("GET link as JSON: %s", w.Body)
	}
	w = f.request("GET", link, nil, map[string]string{"Accept": "text/html"})
	if !strings.Contains(w.Body.String(), `<form method="post">`) || !strings.Contains(w.Body.String(), `value="`+tok+`"`) {
		t.Fatalf("confirmation page has no form for the token: %s", w.Body)
	}
	if c := f.count(id); c != 0 {
		t.Fatalf("count after following the link = %d, want 0 until the button is pressed", c)
	}
	form := httptest.NewRequest("POST", link, strings.NewReader(url.Values{"token": {tok}}.Encode()))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	form.Header.Set("Accept", "text/html")
	w = httptest.NewRecorder()
	f.srv.ServeHTTP(w, form)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Cảm ơn bạn đã ký") {
		t.Fatalf("confirm page: %d %s", w.Code, w.Body)
	}
	if c := f.count(id); c != 1 {
		t.Fatalf("count after confirmation = %d", c)
	}
	w = f.request("POST", "/api/v1/petitions/"+id+"/confirm", map[string]string{"token": tok}, nil)
	if got := decode[petition.Signed](t, w.Body.Bytes()); w.Code != http.StatusOK || !got.Already || got.Count != 1 {
		t.Fatalf("second confirmation: %d %s", w.Code, w.Body)
	}
	// A variant of the same mailbox is a duplicate.
	if w := f.request("POST", "/api/v1/petitions/"+id+"/signatures", map[string]any{"email": "nguoiky@googlemail.com"}, nil); w.Code != http.StatusConflict {
		t.Fatalf("variant: %d %s", w.Code, w.Body)
	}

	// The public view: the name shown with consent, no e-mail anywhere.
	w = f.request("GET", "/api/v1/petitions/"+id, nil, nil)
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, "Ngô E") || strings.Contains(body, "@") {
		t.Fatalf("public petition: %d %s", w.Code, body)
	}
	w = f.request("GET", "/api/v1/petitions?sort=signatures", nil, nil)
	list := decode[struct{ Petitions []PetitionView }](t, w.Body.Bytes())
	if len(list.Petitions) != 1 || list.Petitions[0].Signatures != 1 || strings.Contains(w.Body.String(), "phamd") {
		t.Fatalf("list: %s", w.Body)
	}
	if w := f.request("GET", "/api/v1/petitions?sort=popular", nil, nil); w.Code != http.StatusBadRequest {
		t.Fatalf("bad sort: %d", w.Code)
	}

	// Bulk invalidation by domain corrects the count.
	inv := map[string]any{"email_domain": "gmail.com", "reason": "nghi ngờ tự động"}
	w = f.request("POST", "/api/v1/staff/petitions/"+id+"/invalidations", inv, f.sup)
	if got := decode[petition.Invalidated](t, w.Body.Bytes()); w.Code != http.StatusOK || got.Removed != 1 || got.Count != 0 {
		t.Fatalf("invalidate: %d %s", w.Code, w.Body)
	}
	if c := f.count(id); c != 0 {
		t.Fatalf("count after invalidation = %d", c)
	}
	// The answer is published on the petition.
	ans := map[string]string{"text": "Công ty cây xanh sẽ trồng lại trong tháng 5."}
	if w := f.request("POST", "/api/v1/staff/petitions/"+id+"/answer", ans, f.sup); w.Code != http.StatusOK {
		t.Fatalf("answer: %d %s", w.Code, w.Body)
	}
	got := decode[PetitionView](t, f.request("GET", "/api/v1/petitions/"+id, nil, nil).Body.Bytes())
	if got.Answer == nil || got.Answer.Text != ans["text"] {
		t.Fatalf("answer not published: %+v", got.Answer)
	}
}

// TestPetitionCreateRetried: a client retrying with the same
// idempotency_key gets the first petition back, not a second one.
func TestPetitionCreateRetried(t *testing.T) {
	f := newPetitionFixture(t)
	body := map[string]string{"title": "Dọn bãi rác tự phát bờ sông Đà Rằng", "text": "Rác chất đống ven sông, bốc mùi.",
		"category": "rac_thai", "idempotency_key": "app-7f3a"}
	var ids []string
	for range 2 {
		w := f.request("POST", "/api/v1/petitions", body, nil)
		if w.Code != http.StatusCreated {
			t.Fatalf("create: %d %s", w.Code, w.Body)
		}
		ids = append(ids, decode[map[string]string](t, w.Body.Bytes())["id"])
	}
	if ids[0] != ids[1] {
		t.Fatalf("retried create made petitions %v, want one", ids)
	}
	body["idempotency_key"] = strings.Repeat("k", 201)
	if w := f.request("POST", "/api/v1/petitions", body, nil); w.Code != http.StatusBadRequest {
		t.Fatalf("over-long key: %d %s", w.Code, w.Body)
	}
}

func TestPetitionConfirmErrors(t *testing.T) {
	f := newPetitionFixture(t)
	w := f.request("POST", "/api/v1/petitions/x/confirm", map[string]string{"token": "sai"}, nil)
	if w.Code != http.StatusNotFound {
		t.Fatalf("unknown token: %d %s", w.Code, w.Body)
	}
	w = f.request("POST", "/api/v1/petitions/x/confirm", map[string]string{"token": "sai"}, map[string]string{"Accept": "text/html"})
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "Chưa xác nhận") {
		t.Fatalf("unknown token page: %d %s", w.Code, w.Body)
	}
	w = f.request("POST", "/api/v1/petitions/x/confirm", map[string]string{}, nil)
	if w.Code != http.StatusBadRequest {
		t.Fatalf("missing token: %d %s", w.Code, w.Body)
	}
	w = f.request("POST", "/api/v1/petitions/x/confirm", nil, nil)
	if w.Code != http.StatusUnsupportedMediaType && w.Code != http.StatusBadRequest {
		t.Fatalf("no body: %d %s", w.Code, w.Body)
	}
}

func (f *petitionFixture) count(id string) int {
	f.t.Helper()
	w := f.request("GET", "/api/v1/petitions/"+id+"/count", nil, nil)
	if w.Code != http.StatusOK {
		f.t.Fatalf("count: %d %s", w.Code, w.Body)
	}
	return decode[map[string]int](f.t, w.Body.Bytes())["count"]
}

// TestPetitionLiveCounter checks the live counter's feed: a confirmed
// signature reaches the petition's websocket with the new count, and no
// personal data.
func TestPetitionLiveCounter(t *testing.T) {
	f := newFixture(t)
	hub := live.NewHub(f.store, live.HubOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- hub.Run(ctx) }()
	st := live.NewStreamer(hub, live.StreamOptions{})
	svc := petition.New(f.store, city.Demo(), petition.Config{Publisher: hub, Log: slog.New(slog.DiscardHandler)})
	f.srv.MountPetitions(PetitionDeps{Service: svc, Streamer: st})
	ts := httptest.NewServer(f.srv)
	t.Cleanup(func() { st.Close(); cancel(); <-done; ts.Close() })

	p, err := svc.Create(ctx, petition.CreateInput{Title: "Sửa đèn giao thông ngã tư", Text: "Đèn hỏng cả tuần nay.", Category: "giao_thong"})
	if err != nil {
		t.Fatal(err)
	}
	sup := feedback.Actor{User: &feedback.User{ID: "s", Role: feedback.RoleSupervisor}}
	if _, err := svc.Moderate(ctx, sup, p.ID, petition.Approve, ""); err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/api/v1/petitions/"+p.ID+"/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, b, err := ws.ReadMessage(); err != nil || !strings.Contains(string(b), `"hello"`) {
		t.Fatalf("hello: %s %v", b, err)
	}
	if _, err := svc.SignTelegram(ctx, p.ID, 123456789, "Vũ G", false); err != nil {
		t.Fatal(err)
	}
	msg := readLive(t, ws)
	for strings.Contains(msg, `"petition_approved"`) { // the hub may deliver it after the hello
		msg = readLive(t, ws)
	}
	if !strings.Contains(msg, `"signature_added"`) || !strings.Contains(msg, `"supporters":"1"`) || strings.Contains(msg, "123456789") {
		t.Fatalf("live message: %s", msg)
	}
}

// TestPetitionWithPhotos creates a petition from the multipart form: the
// photo is cleaned and stored, and served through the photo route.
func TestPetitionWithPhotos(t *testing.T) {
	f := newStaffFixture(t)
	svc := petition.New(f.store, city.Demo(), petition.Config{Clean: photo.Clean, Log: slog.New(slog.DiscardHandler)})
	f.srv.MountPetitions(PetitionDeps{Service: svc, Auth: f.auth})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"title": "Dọn bãi rác tự phát bờ sông Đà Rằng", "text": "Rác chất đống ven sông, bốc mùi.",
		"category": "rac_thai", "email": "tacgia@example.vn"} {
		_ = mw.WriteField(k, v)
	}
	pw, _ := mw.CreateFormFile("photo", "a.jpg")
	_, _ = pw.Write(testJPEG(t, 90))
	_ = mw.Close()
	req := httptest.NewRequest("POST", "/api/v1/petitions", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, req)
	if w.Code != http.StatusCreated {
		t.Fatalf("multipart create: %d %s", w.Code, w.Body)
	}
	id := decode[map[string]string](t, w.Body.Bytes())["id"]
	l, _ := f.login("supervisor")
	w = f.request("GET", "/api/v1/staff/petitions/"+id, nil, bearer(l.Token))
	got := decode[StaffPetitionView](t, w.Body.Bytes())
	if w.Code != http.StatusOK || len(got.Photos) != 1 || got.Author.Email != "tacgia@example.vn" || got.Status != feedback.PetitionPending {
		t.Fatalf("staff view: %d %s", w.Code, w.Body)
	}
	if p := f.request("GET", strings.TrimPrefix(got.Photos[0].URL, "https://phananh.example.vn"), nil, nil); p.Code != http.StatusOK {
		t.Fatalf("photo: %d (%s)", p.Code, got.Photos[0].URL)
	}
	w = f.request("GET", "/api/v1/staff/petitions?status=pending", nil, bearer(l.Token))
	if list := decode[struct{ Petitions []StaffPetitionView }](t, w.Body.Bytes()); len(list.Petitions) != 1 {
		t.Fatalf("pending list: %s", w.Body)
	}
}
