package webui_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // stored photos may be PNG
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"phananh/feedback"
	"phananh/intake"
)

// chromiumPath finds Debian's chromium. Without it the browser tests skip
// on a developer's machine and fail in CI, where `make test` installs it.
func chromiumPath(t *testing.T) string {
	for _, p := range []string{os.Getenv("PHANANH_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (scripts/test-deps.sh installs it)")
	}
	t.Skip("chromium is not installed; the browser tests need /usr/bin/chromium")
	return ""
}

// browser is one headless chromium with a fresh profile, and the problems
// its pages reported (CSP violations, uncaught script errors).
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots string

	mu       sync.Mutex
	problems []string
}

func newBrowser(t *testing.T) *browser {
	exe := chromiumPath(t)
	shots := os.Getenv("PHANANH_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "phananh-screenshots-"+time.Now().Format("20060102-150405"))
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots: %s", shots)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(acancel)
	return &browser{t: t, ctx: actx, shots: shots}
}

// listen records what would be a defect on any page.
func (b *browser) listen(name string) func(ev any) {
	return func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *log.EventEntryAdded:
			if e.Entry != nil && strings.Contains(e.Entry.Text, "Content Security Policy") {
				msg = e.Entry.Text
			}
		case *runtime.EventExceptionThrown:
			if e.ExceptionDetails != nil {
				msg = e.ExceptionDetails.Text
				if e.ExceptionDetails.Exception != nil {
					msg += " " + e.ExceptionDetails.Exception.Description
				}
			}
		}
		if msg != "" {
			b.mu.Lock()
			b.problems = append(b.problems, name+": "+msg)
			b.mu.Unlock()
		}
	}
}

// tab is a page in its own browser context (its own cookies and storage),
// like a different person's browser.
type tab struct {
	b    *browser
	name string
	ctx  context.Context
}

func (b *browser) tab(name string, w, h int64, first *tab) *tab {
	var ctx context.Context
	var cancel context.CancelFunc
	if first == nil {
		ctx, cancel = chromedp.NewContext(b.ctx, chromedp.WithListener(b.listen(name)))
	} else {
		ctx, cancel = chromedp.NewContext(first.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(b.listen(name)))
	}
	b.t.Cleanup(cancel)
	tb := &tab{b: b, name: name, ctx: ctx}
	tb.do(chromedp.EmulateViewport(w, h))
	return tb
}

func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.b.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.b.t.Fatalf("%s: %v", tb.name, err)
	}
}

func run[T any](tb *tab, a chromedp.Action[T]) T {
	tb.b.t.Helper()
	v, err := chromedp.Run(tb.ctx, a)
	if err != nil {
		tb.b.t.Fatalf("%s: %v", tb.name, err)
	}
	return v
}

// shot saves a full-page screenshot for review.
func (tb *tab) shot(name string) {
	tb.b.t.Helper()
	png := run(tb, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(tb.b.shots, name+".png"), png, 0o644); err != nil {
		tb.b.t.Fatal(err)
	}
}

// waitText waits until the element's text contains want.
func (tb *tab) waitText(sel, want string, within time.Duration) {
	tb.b.t.Helper()
	deadline := time.Now().Add(within)
	var got string
	for time.Now().Before(deadline) {
		got, _ = chromedp.Run(tb.ctx, chromedp.Evaluate[string](fmt.Sprintf(
			`(document.querySelector(%q)||{}).textContent||''`, sel)))
		if strings.Contains(got, want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.b.t.Fatalf("%s: %s reads %q, want %q", tb.name, sel, strings.TrimSpace(got), want)
}

// pageCheck lists what breaks the quality bar on the current page: a
// visible form control without a label, a control or button smaller than
// a 44 px touch target (map widgets aside), sideways scrolling.
const pageCheck = `(() => {
  const bad = [], seen = el => el.offsetParent !== null && !el.closest('.leaflet-container');
  document.querySelectorAll('input:not([type=hidden]), select, textarea').forEach(el => {
    if (!seen(el) && el.type !== 'radio') return;
    if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label')) bad.push('no label: ' + (el.id || el.name));
  });
  document.querySelectorAll('button, .btn, select, textarea, input[type=text], input[type=tel], input[type=email], input[type=password], input[type=search], .stars label').forEach(el => {
    if (!seen(el)) return;
    const r = el.getBoundingClientRect();
    if (r.height < 44 || r.width < 44) bad.push('small target: ' + (el.id || el.textContent.trim().slice(0, 24)) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
  });
  const over = document.documentElement.scrollWidth - window.innerWidth;
  if (over > 0) {
    let culprit = '';
    document.querySelectorAll('body *').forEach(el => {
      if (!culprit && el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-wrap, .leaflet-container')) culprit = el.tagName + '.' + el.className + '#' + el.id;
    });
    bad.push('wider than the window by ' + over + ' px (' + culprit + ')');
  }
  return bad;
})()`

// noOverflow checks the current page against pageCheck.
func (tb *tab) noOverflow(page string) {
	tb.b.t.Helper()
	for _, p := range run(tb, chromedp.Evaluate[[]string](pageCheck)) {
		tb.b.t.Errorf("%s: %s: %s", tb.name, page, p)
	}
}

// testJPEG writes a large photo, as phones take them.
func testJPEG(t *testing.T) string {
	img := image.NewRGBA(image.Rect(0, 0, 3000, 2000))
	for y := 0; y < 2000; y += 4 {
		for x := 0; x < 3000; x += 4 {
			c := color.RGBA{uint8(x / 12), uint8(y / 8), 90, 255}
			for dy := 0; dy < 4; dy++ {
				for dx := 0; dx < 4; dx++ {
					img.Set(x+dx, y+dy, c)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "hien-truong.jpg")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// storedPhotoWidth returns the larger side of a report's first photo.
func storedPhotoSide(t *testing.T, a *app, r *feedback.Report) int {
	if len(r.Photos) == 0 {
		t.Fatal("the report has no photo")
	}
	rc, _, err := a.Store.OpenPhoto(context.Background(), r.Photos[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	cfg, _, err := image.DecodeConfig(rc)
	if err != nil {
		t.Fatal(err)
	}
	return max(cfg.Width, cfg.Height)
}

// submitViaAPI files another report, as another channel would, and
// returns its code. A category chosen by the reporter keeps the routing
// independent of the classifier's model.
func submitViaAPI(t *testing.T, a *app, text, category string) string {
	t.Helper()
	rc, err := a.Intake.Submit(context.Background(), intake.Submission{Channel: feedback.ChannelAPI, Text: text, Category: category, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	return rc.Report.Code
}

// seedOverdue files a report in unit and moves its due time into the past,
// so the queue and the dashboard have something overdue to show.
func seedOverdue(t *testing.T, a *app, unit string) {
	t.Helper()
	lat, lng := 13.0975, 109.3180
	rc, err := a.Intake.Submit(context.Background(), intake.Submission{Channel: feedback.ChannelAPI, Public: true,
		Text: "Bãi rác tự phát ven kênh phường 5 đã lâu chưa ai dọn", Lat: &lat, Lng: &lng})
	if err != nil {
		t.Fatal(err)
	}
	r := rc.Report
	if r.Unit != unit {
		t.Fatalf("seed report went to %s, want %s", r.Unit, unit)
	}
	r.DueAt = time.Now().Add(-2 * time.Hour)
	if _, err := a.Store.UpdateReport(context.Background(), r, nil); err != nil {
		t.Fatal(err)
	}
}
