package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"phananh/bot"
	"phananh/city"
	"phananh/feedback"
	"phananh/intake"
	"phananh/lease"
)

// botConnectTimeout bounds the getMe call that checks the token at start.
const botConnectTimeout = 15 * time.Second

// botDeps are what the Telegram bot needs from the wired application.
type botDeps struct {
	Store  feedback.Store
	City   *city.City
	Intake *intake.Service
	// Classifier must be the one intake uses, so the category suggested in
	// the chat is the one the report gets.
	Classifier feedback.Classifier
	// Citizen is the desk service (confirm, reopen, rate); nil hides those
	// buttons.
	Citizen bot.Citizen
	// Petitions lets chats sign petitions; nil turns /kyten off.
	Petitions bot.Petitions
	Logger    *slog.Logger
}

// startBot connects to the Telegram Bot API when PHANANH_TELEGRAM_TOKEN is
// set (ok is false when it is not) and returns the bot. The caller runs
// b.Run as a worker, adds b to the event publisher (b.Publish only wakes
// its push consumers, which also poll the log every 500ms), and in webhook
// mode serves it through withBotWebhook.
func startBot(ctx context.Context, cfg *Config, d botDeps) (b *bot.Bot, ok bool, err error) {
	if cfg.TelegramToken == "" {
		return nil, false, nil
	}
	cctx, cancel := context.WithTimeout(ctx, botConnectTimeout)
	defer cancel()
	api, err := bot.Connect(cctx, cfg.TelegramToken, cfg.TelegramAPIEndpoint, cfg.TelegramFileEndpoint, nil)
	if err != nil {
		return nil, false, fmt.Errorf("telegram: %w", err)
	}
	d.Logger.Info("telegram bot connected", slog.String("bot", api.Username()),
		slog.Bool("webhook_mode", cfg.TelegramWebhookURL != ""))
	return bot.New(bot.Deps{
		API: api, Store: d.Store, Intake: d.Intake, City: d.City, Classifier: d.Classifier,
		Citizen: d.Citizen, Petitions: d.Petitions, BaseURL: cfg.BaseURL, LogKey: cfg.TelegramToken,
		WebhookURL: cfg.TelegramWebhookURL, WebhookSecret: cfg.TelegramWebhookSecret, Logger: d.Logger,
	}), true, nil
}

// telegramWorker runs the bot. In long-polling mode only one instance
// among those sharing the store may call getUpdates (Telegram answers a
// second poller with 409 Conflict), so the bot runs under a lease and
// another instance takes over within lease.DefaultTTL when the holder
// stops. In webhook mode every instance serves the updates Telegram posts
// to it and runs the bot directly.
func (a *app) telegramWorker(st feedback.StateStore, b *bot.Bot) func(ctx context.Context) error {
	if a.cfg.TelegramWebhookURL != "" {
		return b.Run
	}
	l := lease.New(st, "telegram-polling", lease.Options{Logger: a.log})
	return func(ctx context.Context) error { return l.Run(ctx, b.Run) }
}

// withBotWebhook serves the path of PHANANH_TELEGRAM_WEBHOOK_URL with the
// bot and everything else with next. The webhook bypasses the API's
// per-client POST limit on purpose: every update comes from a handful of
// Telegram addresses, and the bot limits per chat itself.
func withBotWebhook(next http.Handler, cfg *Config, b *bot.Bot) (http.Handler, error) {
	if b == nil || cfg.TelegramWebhookURL == "" {
		return next, nil
	}
	u, err := url.Parse(cfg.TelegramWebhookURL)
	if err != nil {
		return nil, fmt.Errorf("PHANANH_TELEGRAM_WEBHOOK_URL: %w", err)
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	hook := b.Webhook()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			hook.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	}), nil
}
