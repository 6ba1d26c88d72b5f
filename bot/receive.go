package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// maxChatWorkers bounds how many chats of one batch are served at once;
// updates of one chat are always handled in order.
const maxChatWorkers = 8

// setUpReceiving removes a stale webhook (long polling) or registers ours
// (webhook mode), retrying until it works or ctx ends: a Telegram outage
// at start-up must not take the web server down with it. Only Telegram
// refusing the settings (400: bad URL or secret) is an error.
func (b *Bot) setUpReceiving(ctx context.Context) error {
	for failures := 1; ; failures++ {
		err := b.registerWebhook(ctx)
		switch {
		case err == nil || ctx.Err() != nil:
			return nil
		case permanentAPIError(err): // a bad URL or secret: retrying cannot help
			return fmt.Errorf("telegram: webhook set-up refused: %w", err)
		}
		wait := backoff(failures)
		b.log.WarnContext(ctx, "telegram: webhook set-up failed, retrying",
			slog.Bool("webhook_mode", b.webhook != ""), slog.String("error", err.Error()), slog.Duration("retry_in", wait))
		if !sleepCtx(ctx, wait) {
			return nil
		}
	}
}

func (b *Bot) registerWebhook(ctx context.Context) error {
	if b.webhook == "" {
		return b.send.retry(ctx, func() error {
			return b.api.Request(ctx, tgbotapi.DeleteWebhookConfig{DropPendingUpdates: false})
		})
	}
	allowed, _ := json.Marshal(allowedUpdates)
	params := tgbotapi.Params{"url": b.webhook, "allowed_updates": string(allowed)}
	if b.hookKey != "" {
		params["secret_token"] = b.hookKey
	}
	return b.send.retry(ctx, func() error { return b.api.Call(ctx, "setWebhook", params) })
}

// registerCommands publishes the command menu Telegram clients show, in
// Vietnamese by default and in English for English clients. A failure
// only costs the menu, so it is logged, not returned.
func (b *Bot) registerCommands(ctx context.Context) {
	scope := tgbotapi.NewBotCommandScopeAllPrivateChats()
	for _, lang := range []string{langVI, langEN} {
		var cmds []tgbotapi.BotCommand
		for _, c := range commandMenu {
			if c.petition && b.pets == nil {
				continue
			}
			cmds = append(cmds, tgbotapi.BotCommand{Command: c.name[lang], Description: tr(lang, c.help)})
		}
		cfg := tgbotapi.NewSetMyCommandsWithScope(scope, cmds...)
		if lang == langEN {
			cfg.LanguageCode = langEN
		}
		if err := b.send.request(ctx, cfg); err != nil && ctx.Err() == nil {
			b.log.WarnContext(ctx, "telegram: setMyCommands failed", slog.String("lang", lang), slog.String("error", err.Error()))
		}
	}
}

// commandMenu is the command list registered with Telegram.
var commandMenu = []struct {
	name     map[string]string
	help     string
	petition bool // only when petitions are wired
}{
	{map[string]string{langVI: "start", langEN: "start"}, "cmd_start", false},
	{map[string]string{langVI: "phananh", langEN: "new"}, "cmd_new", false},
	{map[string]string{langVI: "trangthai", langEN: "status"}, "cmd_status", false},
	{map[string]string{langVI: "cuatoi", langEN: "mine"}, "cmd_mine", false},
	{map[string]string{langVI: "kyten", langEN: "sign"}, "cmd_sign", true},
	{map[string]string{langVI: "huy", langEN: "cancel"}, "cmd_cancel", false},
	{map[string]string{langVI: "help", langEN: "help"}, "cmd_help", false},
}

// pollLoop long-polls until ctx ends. A batch is handled completely before
// the next getUpdates call, which is what confirms it to Telegram: a crash
// mid-batch redelivers it, and the update claims skip what was done.
func (b *Bot) pollLoop(ctx context.Context) {
	offset, failures := 0, 0
	for ctx.Err() == nil {
		ups, err := b.api.Updates(ctx, offset, b.poll)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			wait := backoff(failures)
			if d, ok := retryAfter(err); ok {
				wait = d
			}
			b.log.WarnContext(ctx, "telegram: getUpdates failed", slog.String("error", err.Error()), slog.Duration("retry_in", wait))
			sleepCtx(ctx, wait)
			continue
		}
		failures = 0
		b.handleBatch(ctx, ups)
		for _, u := range ups {
			offset = max(offset, u.UpdateID+1)
		}
	}
}

// handleBatch handles a batch chat by chat: in order within a chat, up to
// maxChatWorkers chats at once.
func (b *Bot) handleBatch(ctx context.Context, ups []tgbotapi.Update) {
	var order []int64
	byChat := map[int64][]tgbotapi.Update{}
	for _, u := range ups {
		id := updateChat(u)
		if _, ok := byChat[id]; !ok {
			order = append(order, id)
		}
		byChat[id] = append(byChat[id], u)
	}
	sem := make(chan struct{}, maxChatWorkers)
	var wg sync.WaitGroup
	for _, id := range order {
		sem <- struct{}{}
		wg.Add(1)
		go func(ups []tgbotapi.Update) {
			defer func() { <-sem; wg.Done() }()
			for _, u := range ups {
				_ = b.HandleUpdate(ctx, u) // logged inside
			}
		}(byChat[id])
	}
	wg.Wait()
}

// updateChat returns the chat an update belongs to (0 when none).
func updateChat(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		return u.CallbackQuery.Message.Chat.ID
	}
	return 0
}

// backoff grows from 1s to 1m.
func backoff(failures int) time.Duration {
	d := time.Second << min(failures-1, 6)
	return min(d, time.Minute)
}

// sleepCtx waits d; it reports false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
