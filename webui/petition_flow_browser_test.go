package webui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"phananh/feedback"
	"phananh/intake"
)

// TestBrowserPetitionCreateAndApprove writes a petition with a photo
// through the page, has the chairman's office approve it on the
// moderation page, and finds it published; it also opens a tracking link
// from an acknowledgement e-mail (/r/CODE#token=KEY) and checks the key is
// kept like the form's and taken out of the address bar.
func TestBrowserPetitionCreateAndApprove(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	b := newBrowser(t)
	a := newApp(t)
	ctx := context.Background()

	citizen := b.tab("petitioner", 390, 844, nil)
	citizen.do(chromedp.Navigate(a.URL+"/petitions"), chromedp.Click(chromedp.CSS(`nav a[href="/petitions"]`)),
		chromedp.Click(chromedp.CSS("#new-petition")), chromedp.WaitVisible(chromedp.CSS("#petition-form")))
	citizen.noOverflow("/petitions/new")
	citizen.do(
		chromedp.SendKeys(chromedp.CSS("#p-title"), "Nạo vét mương thoát nước đường Trần Phú"),
		chromedp.SendKeys(chromedp.CSS("#p-text"), "Mỗi mùa mưa đoạn đường Trần Phú ngập sâu vì mương thoát nước bị tắc."),
		chromedp.SetValue(chromedp.CSS("#p-category"), "thoat_nuoc"),
		chromedp.SetValue(chromedp.CSS("#p-ward"), "p5"),
		chromedp.SetUploadFiles(chromedp.CSS("#p-photos"), []string{testJPEG(t)}),
		chromedp.Click(chromedp.CSS("#petition-submit")),
		chromedp.WaitVisible(chromedp.CSS("#petition-sent")))
	citizen.shot("p1-petition-sent-390")

	a.addUser(t, "vanphong", feedback.RoleSupervisor, "")
	sup := b.tab("moderator", 1366, 768, citizen)
	signIn(sup, a.URL, "vanphong")
	sup.do(chromedp.Click(chromedp.CSS(`nav a[href="/staff/petitions"]`)), chromedp.WaitVisible(chromedp.CSS("#pending-petitions .approve")))
	pending, err := a.Petitions.Pending(ctx, feedback.Actor{User: &feedback.User{ID: "x", Role: feedback.RoleSupervisor}}, 10)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending petitions = %d (%v), want the one written", len(pending), err)
	}
	p := pending[0]
	if p.Ward != "p5" || len(p.Photos) != 1 || p.Title != "Nạo vét mương thoát nước đường Trần Phú" {
		t.Fatalf("stored petition: ward %q, %d photos, title %q", p.Ward, len(p.Photos), p.Title)
	}
	sup.shot("p2-moderation-1366")
	sup.noOverflow("/staff/petitions")
	sup.do(chromedp.Click(chromedp.CSS("#pending-"+p.ID+" .approve button")), chromedp.WaitVisible(chromedp.CSS("#moderation-done")),
		chromedp.WaitVisible(chromedp.CSS("#no-pending")))
	citizen.do(chromedp.Navigate(a.URL+"/petitions/"+p.ID), chromedp.WaitVisible(chromedp.CSS("#sign-form")))
	citizen.waitText("h1", "Nạo vét mương", time.Second)
	citizen.noOverflow("/petitions/" + p.ID)

	// The tracking link of an acknowledgement e-mail, in a fresh browser.
	rc, err := a.Intake.Submit(ctx, intake.Submission{Channel: feedback.ChannelEmail, Text: "Đèn đường hỏng trước số 12 Trần Phú", Public: true})
	if err != nil {
		t.Fatal(err)
	}
	code := rc.Report.Code
	mail := b.tab("mail-reader", 390, 844, citizen)
	mail.do(chromedp.Navigate(a.URL+"/r/"+code+"#token="+rc.ReporterToken), chromedp.WaitVisible(chromedp.CSS("#live-region")))
	key := run(mail, chromedp.Evaluate[string](`localStorage.getItem('phananh:token:`+code+`')||''`))
	if key != rc.ReporterToken {
		t.Fatalf("reporter key kept from the link = %q, want the one mailed", key)
	}
	if loc := run(mail, chromedp.Location()); strings.Contains(loc, "token") || !strings.HasSuffix(loc, "/r/"+code) {
		t.Fatalf("the address bar still shows %s", loc)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, pr := range b.problems {
		t.Errorf("page problem: %s", pr)
	}
}
