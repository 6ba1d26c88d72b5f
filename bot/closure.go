package bot

import (
	"context"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/feedback"
)

// onClosureButton handles confirm / reopen / rate under a resolved
// report's push. The reporter token is looked up under this chat, so a
// forged button in another chat finds none.
func (b *Bot) onClosureButton(ctx context.Context, q *tgbotapi.CallbackQuery, lang string) error {
	chat := q.Message.Chat.ID
	action, code, score := parseClosure(q.Data)
	if b.citizen == nil || action == "" {
		return b.answer(ctx, q, "")
	}
	token, err := b.store.State(ctx, nsToken, tokenKey(chat, code))
	if notFound(err) {
		return b.answer(ctx, q, tr(lang, "no_token"))
	}
	if err != nil {
		return err
	}
	if err := b.answer(ctx, q, ""); err != nil {
		return err
	}
	switch action {
	case cbReopen:
		if err := b.store.PutState(ctx, nsPending, chatKey(chat), []byte(code), b.now().Add(pendingTTL)); err != nil {
			return err
		}
		return b.reply(ctx, chat, tr(lang, "ask_reason"))
	case cbConfirm:
		_, err = b.citizen.Confirm(ctx, code, string(token))
		return b.closureDone(ctx, chat, lang, err, tr(lang, "confirmed", code))
	default:
		_, err = b.citizen.Rate(ctx, code, string(token), score, "")
		return b.closureDone(ctx, chat, lang, err, tr(lang, "rated", score))
	}
}

// parseClosure splits "r:ok:CODE", "r:no:CODE" and "r:rate:CODE:N".
func parseClosure(data string) (action, code string, score int) {
	for _, a := range []string{cbConfirm, cbReopen, cbRate} {
		rest, ok := strings.CutPrefix(data, a)
		if !ok {
			continue
		}
		if a == cbRate {
			c, n, _ := strings.Cut(rest, ":")
			s, err := strconv.Atoi(n)
			if err != nil || s < 1 || s > 5 {
				return "", "", 0
			}
			rest, score = c, s
		}
		if code = feedback.NormalizeCode(rest); code == "" {
			return "", "", 0
		}
		return a, code, score
	}
	return "", "", 0
}

// reopenReason takes the text after "not fixed" as the reason and reopens
// the report. done is false when no reason was pending.
func (b *Bot) reopenReason(ctx context.Context, m *tgbotapi.Message, lang string) (done bool, err error) {
	chat := m.Chat.ID
	raw, err := b.store.State(ctx, nsPending, chatKey(chat))
	if notFound(err) || (err == nil && strings.TrimSpace(m.Text) == "") {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	code := string(raw)
	token, tokErr := b.store.State(ctx, nsToken, tokenKey(chat, code))
	if tokErr != nil && !notFound(tokErr) {
		return true, tokErr
	}
	if err := b.store.DeleteState(ctx, nsPending, chatKey(chat)); err != nil {
		return true, err
	}
	if tokErr != nil || b.citizen == nil {
		return true, b.reply(ctx, chat, tr(lang, "no_token"))
	}
	_, err = b.citizen.Reopen(ctx, code, string(token), m.Text)
	return true, b.closureDone(ctx, chat, lang, err, tr(lang, "reopened", code))
}

// closureDone tells the citizen how a closure action went; only a
// transient failure is returned.
func (b *Bot) closureDone(ctx context.Context, chat int64, lang string, err error, ok string) error {
	switch feedback.ErrorCode(err) {
	case "":
		return b.reply(ctx, chat, ok)
	case feedback.EUNAVAILABLE, feedback.EINTERNAL:
		return err
	}
	return b.reply(ctx, chat, tr(lang, "action_fail", errorText(lang, err)))
}

// closureKeyboard is shown under the push of a resolved (or closed)
// report: confirm and reopen while resolved, and the five scores.
func closureKeyboard(lang, code string, resolved bool) tgbotapi.InlineKeyboardMarkup {
	var rows [][]tgbotapi.InlineKeyboardButton
	if resolved {
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(tr(lang, "btn_confirm"), cbConfirm+code),
			tgbotapi.NewInlineKeyboardButtonData(tr(lang, "btn_reopen"), cbReopen+code)))
	}
	var stars []tgbotapi.InlineKeyboardButton
	for n := 1; n <= 5; n++ {
		stars = append(stars, tgbotapi.NewInlineKeyboardButtonData(strconv.Itoa(n)+"⭐", cbRate+code+":"+strconv.Itoa(n)))
	}
	return tgbotapi.NewInlineKeyboardMarkup(append(rows, stars)...)
}

// unblock forgets that a chat blocked the bot: it is writing again.
func (b *Bot) unblock(ctx context.Context, chat int64) error {
	_, err := b.store.State(ctx, nsBlocked, chatKey(chat))
	if notFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return b.store.DeleteState(ctx, nsBlocked, chatKey(chat))
}

// markBlocked stops pushes to a chat that blocked the bot.
func (b *Bot) markBlocked(ctx context.Context, chat int64) error {
	return b.store.PutState(ctx, nsBlocked, chatKey(chat), []byte("1"), time.Time{})
}

func (b *Bot) isBlocked(ctx context.Context, chat int64) (bool, error) {
	_, err := b.store.State(ctx, nsBlocked, chatKey(chat))
	if notFound(err) {
		return false, nil
	}
	return err == nil, err
}
