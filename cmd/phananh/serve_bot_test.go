package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"phananh/city"
	"phananh/intake"
	"phananh/store/sqlite"
)

// miniBotAPI answers getMe like the Bot API, enough to start a bot.
func miniBotAPI(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/getMe") {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true,
			"result": map[string]any{"id": 42, "is_bot": true, "first_name": "Phản ánh", "username": "phananh_bot"}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestStartBotDisabledWithoutToken(t *testing.T) {
	b, ok, err := startBot(context.Background(), &Config{}, botDeps{})
	if ok || b != nil || err != nil {
		t.Errorf("startBot without a token: %v %v %v", b, ok, err)
	}
}

func TestBotWebhookMountedBesideTheServer(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir(), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := city.Demo()
	api := miniBotAPI(t)
	cfg := &Config{TelegramToken: "1:abc", TelegramAPIEndpoint: api.URL + "/bot%s/%s", TelegramFileEndpoint: api.URL + "/file/bot%s/%s",
		TelegramWebhookURL: "https://phananh.example/telegram/hook", TelegramWebhookSecret: "s3cret", BaseURL: "https://phananh.example"}
	b, ok, err := startBot(ctx, cfg, botDeps{Store: st, City: c, Intake: intake.New(intake.Deps{Store: st, City: c}),
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil || !ok {
		t.Fatalf("startBot: %v %v", ok, err)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h, err := withBotWebhook(next, cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{"/telegram/hook": http.StatusUnauthorized, "/api/v1/reports": http.StatusTeapot} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader("{}")))
		if rec.Code != want {
			t.Errorf("POST %s without the secret: %d, want %d", path, rec.Code, want)
		}
	}
}
