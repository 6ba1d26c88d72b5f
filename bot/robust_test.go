package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/feedback"
)

// hookSecret is the webhook secret of the tests.
const hookSecret = "webhook-Secret_42"

// webhookEnv starts a bot in webhook mode and serves its handler.
func webhookEnv(t *testing.T) (*env, *httptest.Server) {
	e := mustEnv(t)
	e.start(func(d *Deps) { d.WebhookURL, d.WebhookSecret = "https://phananh.test/telegram/webhook", hookSecret })
	deadline := time.Now().Add(5 * time.Second)
	for e.fake.webhookSet().URL == "" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := e.fake.webhookSet(); got != (url{"https://phananh.test/telegram/webhook", hookSecret}) {
		t.Fatalf("setWebhook got %+v", got)
	}
	srv := httptest.NewServer(e.relay.b.Load().Webhook())
	t.Cleanup(srv.Close)
	return e, srv
}

// post delivers an update to the webhook with the given secret.
func post(t *testing.T, srv *httptest.Server, u tgbotapi.Update, secret string) int {
	t.Helper()
	body, _ := json.Marshal(u)
	req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(SecretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

var nextUpdate = 50000

// update wraps a message in an update with a fresh id.
func update(m *tgbotapi.Message) tgbotapi.Update {
	nextUpdate++
	return tgbotapi.Update{UpdateID: nextUpdate, Message: m}
}

func TestWebhookRejectsWrongSecret(t *testing.T) {
	e, srv := webhookEnv(t)
	u := e.user(3001, "vi")
	start := u.message()
	start.Text = "/start"
	for _, secret := range []string{"", "wrong", hookSecret + "x", strings.ToUpper(hookSecret)} {
		if code := post(t, srv, update(start), secret); code != http.StatusUnauthorized {
			t.Errorf("secret %q: status %d, want 401", secret, code)
		}
	}
	u.quiet(100 * time.Millisecond)
	if resp, err := http.Get(srv.URL); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v", resp.StatusCode, err)
	}
	if code := post(t, srv, update(start), hookSecret); code != http.StatusOK {
		t.Fatalf("right secret: status %d", code)
	}
	u.expect("Chào bạn!")
	if n := e.fake.callCount("getUpdates"); n != 0 {
		t.Errorf("webhook mode long-polled %d times", n)
	}
}

func TestRedeliveredUpdatesFileOneReport(t *testing.T) {
	e, srv := webhookEnv(t)
	u := e.user(3002, "vi")
	deliver := func(up tgbotapi.Update) {
		t.Helper()
		if code := post(t, srv, up, hookSecret); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	say := func(text string) tgbotapi.Update {
		m := u.message()
		m.Text = text
		up := update(m)
		deliver(up)
		return up
	}
	say("/phananh")
	u.expect("mô tả sự việc")
	desc := say(garbageText)
	u.expect("gõ địa chỉ")
	deliver(desc)                                                    // the same update again
	deliver(tgbotapi.Update{UpdateID: 90001, Message: desc.Message}) // the same message in a new update
	u.quiet(50 * time.Millisecond)                                   // the webhook answers after handling: nothing came
	say("12 Lê Lợi, phường 4")
	u.expect("số điện thoại")
	say("Bỏ qua")
	summary := u.expect("Vui lòng kiểm tra lại phản ánh")
	press := tgbotapi.Update{UpdateID: 90002, CallbackQuery: &tgbotapi.CallbackQuery{ID: "q1", Data: cbSend,
		From:    &tgbotapi.User{ID: 3002, LanguageCode: "vi"},
		Message: &tgbotapi.Message{MessageID: summary.MessageID, Chat: &tgbotapi.Chat{ID: 3002, Type: "private"}}}}
	deliver(press)
	deliver(press)
	double := press // a double tap: another callback on the same button
	double.UpdateID, double.CallbackQuery = 90003, &tgbotapi.CallbackQuery{ID: "q2", Data: cbSend,
		From: press.CallbackQuery.From, Message: press.CallbackQuery.Message}
	deliver(double)
	u.expect("Mã tra cứu của bạn:")
	u.quiet(100 * time.Millisecond)

	msgs := e.fake.sentTo(3002)
	if n := count(msgs, "gõ địa chỉ"); n != 1 {
		t.Errorf("the description was handled %d times", n)
	}
	if n := count(msgs, "Mã tra cứu của bạn:"); n != 1 {
		t.Errorf("%d receipts, want 1", n)
	}
	page, err := e.store.FindReports(context.Background(), feedback.ReportFilter{})
	if err != nil || len(page.Reports) != 1 {
		t.Fatalf("%d reports stored, want 1 (err %v)", len(page.Reports), err)
	}
	if r := page.Reports[0]; r.Text != garbageText || r.Location.Address != "12 Lê Lợi, phường 4" {
		t.Errorf("report text %q, address %q", r.Text, r.Location.Address)
	}
}

func TestSubmittingTheSameDraftTwiceFilesOneReport(t *testing.T) {
	// A crash after intake stored the report but before the draft was
	// dropped leaves the draft; sending it again must not file twice.
	e := mustEnv(t)
	run := e.start()
	b := run.bot
	ctx := context.Background()
	d := &draft{Step: stepConfirm, Lang: langVI, Text: garbageText, Address: "Phường 5", Key: "3003:77"}
	summary := e.fake.newMessageID() // the summary message the button was under
	for range 2 {
		if err := b.submit(ctx, 3003, d, summary); err != nil {
			t.Fatal(err)
		}
	}
	page, _ := e.store.FindReports(ctx, feedback.ReportFilter{})
	if len(page.Reports) != 1 || page.Reports[0].IdempotencyKey != "telegram:3003:77" {
		t.Fatalf("reports: %d", len(page.Reports))
	}
	u := e.user(3003, "vi")
	u.expect("Mã tra cứu của bạn: " + page.Reports[0].Code)
	if n := count(e.fake.sentTo(3003), "Mã tra cứu"); n != 1 {
		t.Errorf("%d receipts shown, want 1 (the second send rewrites the same receipt)", n)
	}
}

func TestFloodControlRetryAfterHonoured(t *testing.T) {
	e := mustEnv(t)
	e.start()
	u := e.user(3004, "vi")
	e.fake.floodNext("sendMessage", 1)
	u.say("/start")
	welcome := u.expect("Chào bạn!")
	flood := e.fake.lastFlood()
	if flood.IsZero() {
		t.Fatal("the 429 was never answered")
	}
	if wait := welcome.At.Sub(flood); wait < 990*time.Millisecond {
		t.Errorf("retried %v after a 429 with retry_after 1s", wait)
	}
}

func TestPerChatRateLimit(t *testing.T) {
	e := mustEnv(t)
	api, files := e.fake.endpoints()
	tg, err := Connect(context.Background(), fakeToken, api, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	frozen := time.Now()
	b := New(Deps{API: tg, Store: e.store, Intake: e.intake, City: e.city, Now: func() time.Time { return frozen }})
	fast, calm := e.user(3005, "vi"), e.user(3006, "vi")
	for range chatBurst + 5 {
		m := fast.message()
		m.Text = "xin chào"
		if err := b.HandleUpdate(context.Background(), update(m)); err != nil {
			t.Fatal(err)
		}
	}
	m := calm.message()
	m.Text = "xin chào"
	if err := b.HandleUpdate(context.Background(), update(m)); err != nil {
		t.Fatal(err)
	}
	msgs := e.fake.sentTo(3005)
	if help, warn := count(msgs, "Hướng dẫn"), count(msgs, "quá nhanh"); help != chatBurst || warn != 1 {
		t.Errorf("fast chat: %d help replies (want %d), %d warnings (want 1)", help, chatBurst, warn)
	}
	if n := count(e.fake.sentTo(3006), "Hướng dẫn"); n != 1 {
		t.Errorf("another chat was limited too: %d replies", n)
	}
}

func TestGroupChatsGetNoConversation(t *testing.T) {
	e := mustEnv(t)
	e.start()
	g := e.user(staffGroup, "vi")
	m := g.message()
	m.Chat.Type, m.Text = "supergroup", "Rác ở chợ phường 5 chưa ai dọn, ai xử lý giúp với"
	g.send(m)
	m = g.message()
	m.Chat.Type, m.Text = "supergroup", "/start@phananh_test_bot"
	g.send(m)
	g.expect("chỉ nhận thông báo cho cán bộ")
	if n := len(e.fake.sentTo(staffGroup)); n != 1 {
		t.Errorf("%d messages to the group, want 1", n)
	}
}

func TestLongPollStopsAtOnceOnShutdown(t *testing.T) {
	e := mustEnv(t)
	run := e.start(func(d *Deps) { d.PollTimeout = 30 * time.Second })
	deadline := time.Now().Add(5 * time.Second)
	for e.fake.callCount("getUpdates") == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := e.fake.callCount("deleteWebhook"); n != 1 {
		t.Errorf("polling mode called deleteWebhook %d times before polling, want 1 (a stale webhook blocks getUpdates)", n)
	}
	if vi, en := e.fake.commandMenu(""), e.fake.commandMenu("en"); len(vi) != 6 || vi[2].Command != "trangthai" || len(en) != 6 || en[2].Command != "status" {
		t.Errorf("command menus: vi %v, en %v", vi, en)
	}
	time.Sleep(50 * time.Millisecond) // the poll is now held by the fake
	began := time.Now()
	run.stop()
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("stopping took %v: the held long poll was not cancelled", took)
	}
}
