package webui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"phananh/feedback"
	"phananh/petition"
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
	a := newApp(t)
	base, svc, mb := a.URL, a.Petitions, a.Mail
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
