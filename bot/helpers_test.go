package bot

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/city"
	"phananh/classifier"
	"phananh/desk"
	"phananh/feedback"
	"phananh/intake"
	"phananh/photo"
	"phananh/store/sqlite"
)

// staffGroup is the Telegram group every unit of the test city alerts.
const staffGroup = -1000777

// env is a real SQLite store, the real intake, classifier and desk, and a
// fake Bot API; bots are started and stopped on it like processes.
type env struct {
	t      testing.TB
	fake   *fakeAPI
	store  *sqlite.Store
	city   *city.City
	intake *intake.Service
	desk   *desk.Service
	cls    feedback.Classifier
	relay  *relay
	logs   *syncBuffer
}

// relay forwards committed events to whichever bot runs now.
type relay struct{ b atomic.Pointer[Bot] }

func (r *relay) Publish(events []feedback.Event) {
	if b := r.b.Load(); b != nil {
		b.Publish(events)
	}
}

// syncBuffer collects logs from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testCity is the demo city with every unit's staff group set.
func testCity(tb testing.TB) *city.City {
	raw, err := os.ReadFile("../city/tuyhoa.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	y := strings.ReplaceAll(string(raw), " kind: ", " telegram_chat_id: -1000777, kind: ")
	c, err := city.Load(strings.NewReader(y))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func mustEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir(), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cls, err := classifier.NewDefault(classifier.TuyHoaWards())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, fake: newFakeAPI(t), store: st, city: testCity(t), cls: cls, relay: &relay{}, logs: &syncBuffer{}}
	e.intake = intake.New(intake.Deps{Store: st, City: e.city, Classifier: cls, Publisher: e.relay})
	e.desk = desk.New(st, e.city, desk.Config{Publisher: e.relay, Clean: photo.Clean, Log: slog.New(slog.DiscardHandler)})
	return e
}

// running is a started bot.
type running struct {
	bot  *Bot
	stop func()
}

// start connects a new bot to the fake API and runs it, like a process
// start; stop waits until it has stopped.
func (e *env) start(mods ...func(*Deps)) *running {
	e.t.Helper()
	api, files := e.fake.endpoints()
	ctx, cancel := context.WithCancel(context.Background())
	tg, err := Connect(ctx, fakeToken, api, files, nil)
	if err != nil {
		cancel()
		e.t.Fatal(err)
	}
	d := Deps{API: tg, Store: e.store, Intake: e.intake, City: e.city, Classifier: e.cls, Citizen: e.desk,
		BaseURL: "https://phananh.test", LogKey: fakeToken, PollTimeout: 2 * time.Second,
		ConsumerPoll: 20 * time.Millisecond, Logger: slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, m := range mods {
		m(&d)
	}
	b := New(d)
	e.relay.b.Store(b)
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				e.t.Errorf("Run: %v", err)
			}
		})
	}
	e.t.Cleanup(stop)
	return &running{bot: b, stop: stop}
}

// user is a Telegram user in a private chat with the bot.
type user struct {
	e    *env
	chat int64
	lang string
	seen int // messages to this chat already matched by expect
}

func (e *env) user(chat int64, lang string) *user { return &user{e: e, chat: chat, lang: lang} }

func (u *user) message() *tgbotapi.Message {
	return &tgbotapi.Message{MessageID: u.e.fake.newMessageID(), Date: int(time.Now().Unix()),
		From: &tgbotapi.User{ID: u.chat, FirstName: "Lan", LanguageCode: u.lang},
		Chat: &tgbotapi.Chat{ID: u.chat, Type: "private"}}
}

// send queues a message from the user and returns its update.
func (u *user) send(m *tgbotapi.Message) tgbotapi.Update {
	return u.e.fake.push(tgbotapi.Update{Message: m})
}

func (u *user) say(text string) tgbotapi.Update {
	m := u.message()
	m.Text = text
	return u.send(m)
}

func (u *user) photo(fileID, caption string) tgbotapi.Update {
	m := u.message()
	m.Photo = []tgbotapi.PhotoSize{{FileID: fileID + "_s", Width: 90, Height: 60, FileSize: 1 << 30}, {FileID: fileID, Width: 640, Height: 480}}
	m.Caption = caption
	return u.send(m)
}

func (u *user) location(lat, lng float64) tgbotapi.Update {
	m := u.message()
	m.Location = &tgbotapi.Location{Latitude: lat, Longitude: lng}
	return u.send(m)
}

func (u *user) contact(phone string) tgbotapi.Update {
	m := u.message()
	m.Contact = &tgbotapi.Contact{PhoneNumber: phone, FirstName: "Lan", UserID: u.chat}
	return u.send(m)
}

// press taps an inline button under the bot's message msgID.
func (u *user) press(msgID int, data string) tgbotapi.Update {
	return u.e.fake.push(tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{
		ID: "cb" + time.Now().Format("150405.000000000"), Data: data,
		From:    &tgbotapi.User{ID: u.chat, FirstName: "Lan", LanguageCode: u.lang},
		Message: &tgbotapi.Message{MessageID: msgID, Chat: &tgbotapi.Chat{ID: u.chat, Type: "private"}},
	}})
}

// expect waits for the next message to the chat containing substr and
// returns it; earlier unmatched messages are skipped.
func (u *user) expect(substr string) sent {
	u.e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs := u.e.fake.sentTo(u.chat)
		for i := u.seen; i < len(msgs); i++ {
			if strings.Contains(msgs[i].Text, substr) {
				u.seen = i + 1
				return msgs[i]
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	u.e.t.Fatalf("chat never got a message containing %q; got %v", substr, u.e.fake.sentTo(u.chat))
	return sent{}
}

// quiet asserts that nothing more reaches the chat for d.
func (u *user) quiet(d time.Duration) {
	u.e.t.Helper()
	n := len(u.e.fake.sentTo(u.chat))
	time.Sleep(d)
	if msgs := u.e.fake.sentTo(u.chat); len(msgs) != n {
		u.e.t.Fatalf("unexpected messages: %v", msgs[n:])
	}
}

// nothingNew asserts that nothing reached the chat since the last expect.
func (u *user) nothingNew() {
	u.e.t.Helper()
	if msgs := u.e.fake.sentTo(u.chat); len(msgs) > u.seen {
		u.e.t.Fatalf("unexpected messages: %v", msgs[u.seen:])
	}
}

// jpegBytes is a real JPEG photo.
func jpegBytes(tb testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// reportOf returns the chat's newest report through the bot's own list.
func (e *env) reportOf(chat int64) *feedback.Report {
	e.t.Helper()
	b := &Bot{store: e.store}
	codes, err := b.mine(context.Background(), chat)
	if err != nil || len(codes) == 0 {
		e.t.Fatalf("chat has no report: %v", err)
	}
	r, err := e.store.Report(context.Background(), codes[0])
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}
