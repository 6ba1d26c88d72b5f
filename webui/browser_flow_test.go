package webui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"phananh/feedback"
)

// TestBrowserCitizenStaffDashboard is the whole loop in a real browser: a
// citizen on a phone files a report with a photo and lands on the tracking
// page; an officer in another browser moves it on and the citizen's page
// follows without a reload; the chairman's office sees the figures move.
func TestBrowserCitizenStaffDashboard(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	b := newBrowser(t)
	a := newApp(t)
	photo := testJPEG(t)

	citizen := b.tab("citizen", 390, 844, nil)
	citizen.do(chromedp.Navigate(a.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#picker")))
	citizen.shot("01-form-390")
	citizen.noOverflow("/")
	citizen.do(
		chromedp.SendKeys(chromedp.CSS("#text"), "Rác thải sinh hoạt đổ thành đống trước chợ phường 5, bốc mùi hôi thối mấy ngày nay"),
		chromedp.Click(chromedp.CSS("#picker")),
		chromedp.SetUploadFiles(chromedp.CSS("#photos"), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS("#previews img")),
		chromedp.WaitVisible(chromedp.CSS("#suggest")),
	)
	citizen.shot("02-form-filled-390")
	citizen.do(chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS("#code")))
	code := strings.TrimSpace(run(citizen, chromedp.Text(chromedp.CSS("#code"))))
	if got := run(citizen, chromedp.Location()); !strings.HasSuffix(got, "/r/"+code) {
		t.Fatalf("after submitting the citizen is at %s, want /r/%s", got, code)
	}
	key := run(citizen, chromedp.Evaluate[string](`localStorage.getItem('phananh:token:`+code+`')||''`))
	if len(key) != 64 {
		t.Fatalf("reporter key in localStorage = %q", key)
	}
	r, err := a.Store.Report(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if side := storedPhotoSide(t, a, r); side > 1600 {
		t.Errorf("the photo was not resized in the browser: %d px", side)
	}
	if !r.Location.HasPoint() || r.Channel != feedback.ChannelWeb {
		t.Errorf("report location %+v channel %s, want a point from the map and channel web", r.Location, r.Channel)
	}
	citizen.do(chromedp.WaitVisible(chromedp.CSS("#live-state")))
	citizen.shot("03-track-390")
	citizen.noOverflow("/r/" + code)
	run(citizen, chromedp.Evaluate[int](`window.__sameDocument = 1`))

	// An officer of the report's unit, in a second browser context.
	unit := r.Unit
	if unit == "" {
		t.Fatalf("report %s was not routed (status %s)", code, r.Status)
	}
	seedOverdue(t, a, unit)
	a.addUser(t, "canbo1", feedback.RoleOfficer, unit)
	staff := b.tab("officer", 1366, 768, citizen)
	signIn(staff, a.URL, "canbo1")
	staff.do(chromedp.WaitVisible(chromedp.CSS("table.queue tr.is-overdue")))
	staff.shot("04-queue-1366")
	staff.noOverflow("/staff")
	// A report arriving from another channel shows up in the open queue.
	fresh := submitViaAPI(t, a, "Xe rác làm rơi vãi rác dọc đường Lê Lợi, bốc mùi khó chịu", r.Category)
	staff.waitText("table.queue", fresh, 15*time.Second)
	staff.do(chromedp.Navigate(a.URL+"/staff/r/"+code), chromedp.WaitVisible(chromedp.CSS("#act-transition")))
	staff.shot("05-detail-1366")
	staff.noOverflow("/staff/r/" + code)
	staff.do(
		chromedp.SetValue(chromedp.CSS("#t-to"), string(feedback.StatusInProgress)),
		chromedp.SendKeys(chromedp.CSS("#t-reply"), "Đội vệ sinh đã nhận việc, sẽ thu gom trong hôm nay."),
		chromedp.Click(chromedp.CSS("#act-transition button[type=submit]")),
	)
	citizen.waitText("#status-label", feedback.StatusInProgress.Label(), 15*time.Second)
	citizen.waitText("#timeline", "Đội vệ sinh đã nhận việc", 5*time.Second)
	if same := run(citizen, chromedp.Evaluate[int](`window.__sameDocument||0`)); same != 1 {
		t.Fatal("the citizen's page was reloaded instead of updated live")
	}
	citizen.shot("06-track-updated-390")

	// An internal note, behind its disclosure, stays off the citizen's page.
	staff.do(chromedp.Click(chromedp.CSS("#act-note summary")),
		chromedp.SendKeys(chromedp.CSS("#n-text"), "Đã gọi điện cho tổ trưởng dân phố"),
		chromedp.Click(chromedp.CSS("#act-note button[type=submit]")))
	staff.waitText("#timeline", "Đã gọi điện cho tổ trưởng dân phố", 10*time.Second)

	// A neighbour about to report the same heap is offered "me too".
	neighbour := b.tab("neighbour", 390, 844, citizen)
	neighbour.do(chromedp.Navigate(a.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#picker")),
		chromedp.SendKeys(chromedp.CSS("#text"), "Rác thải đổ thành đống trước chợ, bốc mùi hôi thối"),
		chromedp.Click(chromedp.CSS("#picker")))
	neighbour.waitText("#nearby-list", code, 10*time.Second)
	neighbour.shot("06b-form-nearby-390")
	neighbour.do(chromedp.Click(chromedp.CSS("#nearby-list button")))
	neighbour.waitText("#nearby-list", "/r/"+code, 10*time.Second)
	if r, err = a.Store.Report(context.Background(), code); err != nil || r.Supporters != 1 {
		t.Fatalf("supporters after me too = %d (%v), want 1", r.Supporters, err)
	}
	if strings.Contains(run(citizen, chromedp.Text(chromedp.CSS("main"))), "tổ trưởng dân phố") {
		t.Fatal("an internal note reached the citizen's page")
	}

	// The chairman's office, in a third browser context.
	a.addUser(t, "vanphong", feedback.RoleSupervisor, "")
	sup := b.tab("supervisor", 1366, 768, citizen)
	signIn(sup, a.URL, "vanphong")
	sup.do(chromedp.WaitVisible(chromedp.CSS("#kpi-today")))
	sup.waitText("#kpi-today", "3", 5*time.Second)
	sup.waitText("#kpi-overdue", "1", time.Second)
	sup.shot("07-dashboard-1366")
	sup.noOverflow("/dashboard")
	submitViaAPI(t, a, "Đèn đường hỏng cả tuần nay ở đường Trần Hưng Đạo phường 1, buổi tối rất tối", "")
	sup.waitText("#kpi-today", "4", 15*time.Second)
	sup.shot("08-dashboard-updated-1366")

	// The officer resolves; the citizen confirms with the key kept in the
	// browser and rates.
	staff.do(chromedp.WaitVisible(chromedp.CSS("#t-to")),
		chromedp.SetValue(chromedp.CSS("#t-to"), string(feedback.StatusResolved)),
		chromedp.Click(chromedp.CSS("#act-transition button[type=submit]")))
	citizen.waitText("#status-label", feedback.StatusResolved.Label(), 15*time.Second)
	citizen.do(chromedp.WaitVisible(chromedp.CSS("#rate-box")),
		chromedp.Click(chromedp.CSS("label[for=score-5]")),
		chromedp.Click(chromedp.CSS("#rate")))
	citizen.do(chromedp.WaitNotPresent(chromedp.CSS("#rate-box")))
	citizen.shot("09-track-rated-390")
	if r, err = a.Store.Report(context.Background(), code); err != nil || r.Rating != 5 {
		t.Fatalf("rating stored = %v (%v), want 5", r.Rating, err)
	}

	checkPublicPages(t, b, a, citizen)
	checkStaffPages(t, a, sup, code)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		t.Errorf("page problem: %s", p)
	}
}

func signIn(tb *tab, base, user string) {
	tb.do(chromedp.Navigate(base+"/staff/login"), chromedp.WaitVisible(chromedp.CSS("#username")))
	tb.shot("00-login-" + tb.name)
	tb.do(chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#login-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#live-region")))
}

// checkPublicPages screenshots the public pages at the narrowest and the
// widest supported widths and checks nothing overflows.
func checkPublicPages(t *testing.T, b *browser, a *app, citizen *tab) {
	citizen.do(chromedp.Navigate(a.URL+"/r/ZZZZZZZZ"), chromedp.WaitVisible(chromedp.CSS("footer")))
	citizen.shot("10-not-found-390")
	for _, w := range []int64{360, 1920} {
		citizen.do(chromedp.EmulateViewport(w, 900))
		for _, p := range []struct{ path, name string }{{"/reports", "list"}, {"/?lang=en", "form-en"}} {
			citizen.do(chromedp.Navigate(a.URL+p.path), chromedp.WaitVisible(chromedp.CSS("footer")))
			citizen.shot("10-" + p.name + "-" + itoa(w))
			citizen.noOverflow(p.path)
		}
	}
}

func itoa(n int64) string {
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

// checkStaffPages screenshots the staff pages from a phone to a wide
// screen and checks nothing overflows.
func checkStaffPages(t *testing.T, a *app, sup *tab, code string) {
	for _, w := range []int64{360, 1920} {
		sup.do(chromedp.EmulateViewport(w, 900))
		for _, p := range []struct{ path, name string }{{"/dashboard", "dashboard"}, {"/staff", "queue"}, {"/staff/r/" + code, "detail"}} {
			sup.do(chromedp.Navigate(a.URL+p.path), chromedp.WaitVisible(chromedp.CSS("footer")))
			sup.shot("11-" + p.name + "-" + itoa(w))
			sup.noOverflow(p.path)
		}
	}
}
