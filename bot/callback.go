package bot

import (
	"context"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Callback data of the inline buttons. They carry only public things (a
// category, a tracking code); the reporter token stays in the store, keyed
// by the chat the button was pressed in.
const (
	cbNew     = "m:new"
	cbAskCode = "m:status"
	cbMine    = "m:mine"
	cbHelp    = "m:help"
	cbSend    = "d:send"
	cbCats    = "d:cats"
	cbCat     = "d:cat:" // + category code
	cbBack    = "d:back"
	cbCancel  = "d:cancel"
	cbConfirm = "r:ok:"   // + code
	cbReopen  = "r:no:"   // + code
	cbRate    = "r:rate:" // + code + ":" + score
)

// onCallback handles a button press. The query is always answered, so the
// button stops spinning, even when it is stale.
func (b *Bot) onCallback(ctx context.Context, q *tgbotapi.CallbackQuery) error {
	if q.Message == nil || q.Message.Chat == nil || !q.Message.Chat.IsPrivate() {
		return b.answer(ctx, q, "")
	}
	chat, lang := q.Message.Chat.ID, langOf(userLang(q.From))
	if err := b.unblock(ctx, chat); err != nil {
		return err
	}
	data := q.Data
	switch {
	case strings.HasPrefix(data, "d:"):
		return b.onDraftButton(ctx, q, lang)
	case strings.HasPrefix(data, "r:"):
		return b.onClosureButton(ctx, q, lang)
	case strings.HasPrefix(data, "p:"):
		return b.onPetitionButton(ctx, q, lang)
	}
	if err := b.answer(ctx, q, ""); err != nil {
		return err
	}
	switch data {
	case cbNew:
		return b.newDraft(ctx, chat, lang)
	case cbAskCode:
		return b.reply(ctx, chat, tr(lang, "ask_code"))
	case cbMine:
		return b.showMine(ctx, chat, lang)
	}
	return b.sendHelp(ctx, chat, lang)
}

// answer answers a callback query, optionally with a short notice.
func (b *Bot) answer(ctx context.Context, q *tgbotapi.CallbackQuery, text string) error {
	err := b.send.request(ctx, tgbotapi.NewCallback(q.ID, text))
	if permanentAPIError(err) {
		return nil // too old to answer: nothing to do
	}
	return err
}

// newDraft starts a report, unless one is being written.
func (b *Bot) newDraft(ctx context.Context, chat int64, lang string) error {
	if _, ok, err := b.loadDraft(ctx, chat); err != nil || ok {
		if err != nil {
			return err
		}
		return b.reply(ctx, chat, tr(lang, "in_progress"))
	}
	if err := b.saveDraft(ctx, chat, &draft{Step: stepText, Lang: lang}); err != nil {
		return err
	}
	return b.reply(ctx, chat, tr(lang, "ask_text"))
}

// onDraftButton handles the summary's buttons.
func (b *Bot) onDraftButton(ctx context.Context, q *tgbotapi.CallbackQuery, lang string) error {
	chat, msg := q.Message.Chat.ID, q.Message.MessageID
	d, ok, err := b.loadDraft(ctx, chat)
	if err != nil {
		return err
	}
	if !ok || d.Step != stepConfirm {
		return b.answer(ctx, q, tr(lang, "expired"))
	}
	if err := b.answer(ctx, q, ""); err != nil {
		return err
	}
	switch {
	case q.Data == cbSend:
		return b.submit(ctx, chat, d, msg)
	case q.Data == cbCats:
		return b.edit(ctx, tgbotapi.NewEditMessageTextAndMarkup(chat, msg, tr(d.Lang, "pick_cat"), b.categoryKeyboard(d.Lang)))
	case strings.HasPrefix(q.Data, cbCat):
		if _, known := b.city.Category(strings.TrimPrefix(q.Data, cbCat)); known {
			d.Category = strings.TrimPrefix(q.Data, cbCat)
			if err := b.saveDraft(ctx, chat, d); err != nil {
				return err
			}
		}
		return b.showSummary(ctx, chat, d, msg)
	case q.Data == cbBack:
		return b.showSummary(ctx, chat, d, msg)
	case q.Data == cbCancel:
		if err := b.dropDraft(ctx, chat); err != nil {
			return err
		}
		return b.edit(ctx, tgbotapi.NewEditMessageText(chat, msg, tr(d.Lang, "cancelled")))
	}
	return nil
}

// menuKeyboard is the /start menu.
func menuKeyboard(lang string) tgbotapi.InlineKeyboardMarkup {
	return tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(tr(lang, "btn_new"), cbNew)),
		tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(tr(lang, "btn_status"), cbAskCode),
			tgbotapi.NewInlineKeyboardButtonData(tr(lang, "btn_mine"), cbMine)),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(tr(lang, "btn_help"), cbHelp)),
	)
}
