package bot

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/feedback"
)

// State namespaces of the bot in the store.
const (
	nsUpdate  = "tg_update"  // "<update_id>": claimed updates
	nsMessage = "tg_msg"     // "<chat>:<message_id>": claimed messages
	nsDraft   = "tg_draft"   // "<chat>": the report being written
	nsPending = "tg_pending" // "<chat>": a report waiting for a reopen reason
	nsToken   = "tg_token"   // "<chat>:<code>": the reporter token of a report
	nsMine    = "tg_mine"    // "<chat>": codes of the chat's reports
	nsBlocked = "tg_blocked" // "<chat>": the user blocked the bot
)

// Lifetimes of state entries. Telegram keeps an unconfirmed update for
// 24 hours, so claims outlive any redelivery.
const (
	claimTTL   = 48 * time.Hour
	draftTTL   = 24 * time.Hour
	pendingTTL = time.Hour
	tokenTTL   = 2 * 365 * 24 * time.Hour
)

// HandleUpdate handles one update at most once, however often Telegram
// delivers it: the update id and the (chat, message id) pair are claimed
// in the store first. Updates of one chat are handled one at a time.
//
// It returns an error only for a transient failure (store or Telegram
// unreachable); the claims are then released so a redelivery is handled.
// Everything the user sent that the bot does not understand gets a help
// reply, never an error.
func (b *Bot) HandleUpdate(ctx context.Context, u tgbotapi.Update) error {
	keys, fresh, err := b.claim(ctx, u)
	if err != nil || !fresh {
		return err
	}
	chat := updateChat(u)
	if chat == 0 {
		return nil // a kind of update the bot does not ask for
	}
	unlock := b.locks.lock(chat)
	defer unlock()
	if ok, warn := b.limits.allow(chat); !ok {
		if warn {
			_ = b.reply(ctx, chat, tr(langOf(updateLang(u)), "rate_limited"))
		}
		b.log.InfoContext(ctx, "telegram: chat rate-limited", slog.String("chat_ref", b.chatRef(chat)))
		return nil
	}
	switch {
	case u.Message != nil:
		err = b.onMessage(ctx, u.Message)
	case u.CallbackQuery != nil:
		err = b.onCallback(ctx, u.CallbackQuery)
	}
	if err == nil || blocked(err) {
		return nil
	}
	b.release(ctx, keys)
	if !isCanceled(err) {
		b.log.ErrorContext(ctx, "telegram: update failed", slog.String("chat_ref", b.chatRef(chat)),
			slog.Int("update_id", u.UpdateID), slog.String("error", err.Error()))
		_ = b.reply(ctx, chat, tr(langOf(updateLang(u)), "error"))
	}
	return err
}

type claimKey struct{ ns, key string }

// claim records the update (and its message) as handled; fresh is false
// when either was claimed before.
func (b *Bot) claim(ctx context.Context, u tgbotapi.Update) (keys []claimKey, fresh bool, err error) {
	keys = []claimKey{{nsUpdate, strconv.Itoa(u.UpdateID)}}
	if m := u.Message; m != nil && m.Chat != nil {
		keys = append(keys, claimKey{nsMessage, chatKey(m.Chat.ID) + ":" + strconv.Itoa(m.MessageID)})
	}
	exp := b.now().Add(claimTTL)
	for i, k := range keys {
		ok, err := b.store.PutStateIfAbsent(ctx, k.ns, k.key, []byte("1"), exp)
		if err != nil || !ok {
			b.release(ctx, keys[:i])
			if err != nil {
				b.log.ErrorContext(ctx, "telegram: claiming update", slog.Int("update_id", u.UpdateID), slog.String("error", err.Error()))
			}
			return nil, false, err
		}
	}
	return keys, true, nil
}

// release gives up claims after a transient failure, also when ctx has
// ended: a claim left behind would drop the update Telegram sends again.
func (b *Bot) release(ctx context.Context, keys []claimKey) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for _, k := range keys {
		if err := b.store.DeleteState(ctx, k.ns, k.key); err != nil {
			b.log.WarnContext(ctx, "telegram: releasing claim", slog.String("error", err.Error()))
		}
	}
}

// updateLang is the language_code of the update's sender.
func updateLang(u tgbotapi.Update) string {
	switch {
	case u.Message != nil && u.Message.From != nil:
		return u.Message.From.LanguageCode
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		return u.CallbackQuery.From.LanguageCode
	}
	return ""
}

func chatKey(chat int64) string { return strconv.FormatInt(chat, 10) }

// maxMessageLen keeps texts under Telegram's 4096-character limit (which
// counts UTF-16 units; a margin covers emoji).
const maxMessageLen = 4000

// reply sends a plain text message.
func (b *Bot) reply(ctx context.Context, chat int64, text string) error {
	_, err := b.send.send(ctx, tgbotapi.NewMessage(chat, truncate(text, maxMessageLen)))
	return err
}

// replyWith sends a text message with a keyboard (inline or reply).
func (b *Bot) replyWith(ctx context.Context, chat int64, text string, markup any) (tgbotapi.Message, error) {
	m := tgbotapi.NewMessage(chat, truncate(text, maxMessageLen))
	m.ReplyMarkup = markup
	m.DisableWebPagePreview = true
	return b.send.send(ctx, m)
}

// edit changes a message the bot sent. Telegram refuses an edit that
// changes nothing (a double tap on the same button); that is not a failure.
func (b *Bot) edit(ctx context.Context, c tgbotapi.EditMessageTextConfig) error {
	c.Text = truncate(c.Text, maxMessageLen)
	err := b.send.request(ctx, c)
	if permanentAPIError(err) && strings.Contains(err.Error(), "message is not modified") {
		return nil
	}
	return err
}

// notFound reports a store ENOTFOUND.
func notFound(err error) bool { return feedback.ErrorCode(err) == feedback.ENOTFOUND }
