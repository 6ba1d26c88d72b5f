package webui_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"phananh/city"
	"phananh/feedback"
	"phananh/intake"
	"phananh/petition"
	"phananh/server"
	"phananh/store/petitiontest"
	"phananh/store/sqlite"
	"phananh/webui"
)

// noIntake and noClassifier stand in for collaborators the petition pages
// never call.
type noIntake struct{}

func (noIntake) Submit(context.Context, intake.Submission) (intake.Receipt, error) {
	return intake.Receipt{}, feedback.Errorf(feedback.EUNAVAILABLE, "không dùng", "unused")
}
func (noIntake) Nearby(context.Context, float64, float64, string, float64) ([]intake.NearbyReport, error) {
	return nil, nil
}
func (noIntake) Support(context.Context, string, feedback.Contact, string) (*feedback.Report, bool, error) {
	return nil, false, feedback.Errorf(feedback.EUNAVAILABLE, "không dùng", "unused")
}

type noClassifier struct{}

func (noClassifier) Classify(context.Context, feedback.ClassifyInput) (feedback.Classification, error) {
	return feedback.Classification{}, nil
}

// petitionSite serves the petition pages over a real store and service.
func petitionSite(t *testing.T) (*httptest.Server, *petition.Service, *petitiontest.Mailbox) {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	st, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	mb := &petitiontest.Mailbox{}
	svc := petition.New(st, city.Demo(), petition.Config{Mailer: mb, BaseURL: "https://phananh.example.vn",
		IPRate: rate.Inf, DomainRate: rate.Inf, Log: quiet})
	ui, err := webui.New(webui.Config{Reports: st, Intake: noIntake{}, Classifier: noClassifier{}, City: city.Demo(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	ui.Mount(e, webui.Errors{JSON: func(c *gin.Context, err error) { server.RenderError(c, quiet, err) }, Status: server.StatusOf})
	ui.MountPetitions(e, svc)
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)
	return ts, svc, mb
}

func TestPetitionPages(t *testing.T) {
	ts, svc, mb := petitionSite(t)
	ctx := context.Background()
	p, err := svc.Create(ctx, petition.CreateInput{Title: "Trồng cây xanh công viên Tháp Nhạn", Text: "Công viên thiếu bóng mát.",
		Category: "cay_xanh", Author: feedback.Contact{Email: "tacgia@example.vn"}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string) {
		res, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, _ := get("/petitions/" + p.ID); code != http.StatusNotFound {
		t.Fatalf("pending petition page: %d", code)
	}
	sup := feedback.Actor{User: &feedback.User{ID: "s", Username: "s", Role: feedback.RoleSupervisor}}
	if _, err := svc.Moderate(ctx, sup, p.ID, petition.Approve, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SignTelegram(ctx, p.ID, 99, "Hoàng F", true); err != nil {
		t.Fatal(err)
	}
	code, body := get("/petitions")
	if code != http.StatusOK || !strings.Contains(body, "Trồng cây xanh công viên Tháp Nhạn") || !strings.Contains(body, "<strong>1</strong>") {
		t.Fatalf("list page: %d %s", code, body)
	}
	code, body = get("/petitions/" + p.ID)
	for _, want := range []string{`id="sig-count"`, "Hoàng F", "petition.js", "200", `action="/petitions/` + p.ID + `/sign"`} {
		if !strings.Contains(body, want) {
			t.Errorf("petition page lacks %q", want)
		}
	}
	if code != http.StatusOK || strings.Contains(body, "tacgia@") {
		t.Fatalf("petition page: %d", code)
	}
	// The form without JavaScript: 202 and a mail.
	res, err := http.PostForm(ts.URL+"/petitions/"+p.ID+"/sign", url.Values{"email": {"dan@example.vn"}, "name": {"Dân"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted || !strings.Contains(string(b), `id="sign-sent"`) {
		t.Fatalf("sign form: %d %s", res.StatusCode, b)
	}
	if _, ok := mb.Take("dan@example.vn"); !ok {
		t.Fatal("no confirmation mail")
	}
	res, err = http.PostForm(ts.URL+"/petitions/"+p.ID+"/sign", url.Values{"email": {"không phải e-mail"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "E-mail không hợp lệ") && !strings.Contains(string(b), "e-mail không hợp lệ") {
		t.Fatalf("bad e-mail: %d %s", res.StatusCode, b)
	}
}
