package webui_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/time/rate"

	"phananh/city"
	"phananh/feedback"
	"phananh/live"
	"phananh/petition"
	"phananh/server"
	"phananh/store/petitiontest"
	"phananh/store/sqlite"
	"phananh/webui"
)

// TestBrowserPetitionLiveCounter opens a petition page in chromium, signs
// through the page's form (the JSON API) and by Telegram, and watches the
// counter move without a reload; the page must pass the accessibility and
// CSP checks of the other pages.
func TestBrowserPetitionLiveCounter(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	b := newBrowser(t)
	base, svc, mb := petitionApp(t)
	ctx := context.Background()
	p, err := svc.Create(ctx, petition.CreateInput{Title: "Lắp camera giao thông ngã năm Hùng Vương",
		Text: "Ngã năm thường xuyên xảy ra va chạm vào giờ cao điểm.", Category: "giao_thong", Ward: "p5"})
	if err != nil {
		t.Fatal(err)
	}
	sup := feedback.Actor{User: &feedback.User{ID: "s", Username: "s", Role: feedback.RoleSupervisor}}
	if _, err := svc.Moderate(ctx, sup, p.ID, petition.Approve, ""); err != nil {
		t.Fatal(err)
	}
	citizen := b.tab("petition", 390, 844, nil)
	citizen.do(chromedp.Navigate(base+"/petitions/"+p.ID), chromedp.WaitVisible(chromedp.CSS("#sign-form")))
	citizen.waitText("#live-state", "●", 5*time.Second)
	citizen.noOverflow("/petitions/" + p.ID)
	citizen.do(
		chromedp.SendKeys(chromedp.CSS("#sign-email"), "Cu.Dan+kn@Gmail.com"),
		chromedp.SendKeys(chromedp.CSS("#sign-name"), "Cư dân phường 5"),
		chromedp.Click(chromedp.CSS("#sign-form button[type=submit]")),
	)
	citizen.waitText("#sign-msg", "e-mail", 5*time.Second)
	tok, ok := mb.Take("cudan@gmail.com")
	if !ok {
		t.Fatal("no confirmation mail for the normalised address")
	}
	if _, err := svc.Confirm(ctx, tok); err != nil {
		t.Fatal(err)
	}
	citizen.waitText("#sig-count", "1", 5*time.Second)
	for i := range 2 {
		if _, err := svc.SignTelegram(ctx, p.ID, int64(500+i), "", false); err != nil {
			t.Fatal(err)
		}
	}
	citizen.waitText("#sig-count", "3", 5*time.Second)
	citizen.shot("petition-live-390")
	list := b.tab("list", 1280, 800, citizen)
	list.do(chromedp.Navigate(base+"/petitions"), chromedp.WaitVisible(chromedp.CSS(".report-list")))
	list.noOverflow("/petitions")
	if got := run(list, chromedp.Text(chromedp.CSS(".report-list"))); !strings.Contains(got, "Lắp camera giao thông") {
		t.Fatalf("list page: %q", got)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, pr := range b.problems {
		t.Errorf("page problem: %s", pr)
	}
}

// petitionApp is the server with the petition API, its live stream and the
// pages, on a real listener.
func petitionApp(t *testing.T) (string, *petition.Service, *petitiontest.Mailbox) {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	st, err := sqlite.Open(ctx, t.TempDir(), sqlite.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	hub := live.NewHub(st, live.HubOptions{Logger: quiet})
	done := make(chan error, 1)
	go func() { done <- hub.Run(ctx) }()
	mb := &petitiontest.Mailbox{}
	c := city.Demo()
	svc := petition.New(st, c, petition.Config{Publisher: hub, Mailer: mb, BaseURL: "https://phananh.example.vn",
		IPRate: rate.Inf, DomainRate: rate.Inf, Log: quiet})
	srv, err := server.New(server.Deps{Store: st, Intake: noIntake{}, City: server.CityDirectory(c), Logger: quiet, PostRate: rate.Inf})
	if err != nil {
		t.Fatal(err)
	}
	streamer := live.NewStreamer(hub, live.StreamOptions{Logger: quiet})
	srv.MountPetitions(server.PetitionDeps{Service: svc, Streamer: streamer})
	ui, err := webui.New(webui.Config{Reports: st, Intake: noIntake{}, Classifier: noClassifier{}, City: c, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	srv.MountWebUI(ui)
	ui.MountPetitions(srv.Engine(), svc)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		streamer.Close()
		cancel()
		<-done
		st.Close()
	})
	return ts.URL, svc, mb
}
