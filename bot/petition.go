package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/feedback"
	"phananh/live"
	"phananh/petition"
)

// Petitions is the petition service as the bot uses it: a chat signs with
// its own identity, so the signature counts at once. *petition.Service
// implements it.
type Petitions interface {
	// Get returns a published petition. Errors: ENOTFOUND.
	Get(ctx context.Context, by feedback.Actor, id string) (*feedback.Petition, error)
	// SignTelegram signs for a chat. Errors: EINVALID, ENOTFOUND,
	// ECONFLICT (already signed, not open).
	SignTelegram(ctx context.Context, petitionID string, chatID int64, name string, showName bool) (petition.Signed, error)
}

var (
	_ Petitions               = (*petition.Service)(nil)
	_ petition.TelegramSender = (*Bot)(nil)
)

// Callback data of the signing buttons: the petition id is public (it is
// in the petition's URL), and the chat that presses is the signer.
const (
	cbSignNamed = "p:n:" // + petition id: sign with the Telegram name shown
	cbSignAnon  = "p:a:" // + petition id: sign anonymously
)

// deepLinkPetition prefixes a petition id in a t.me/<bot>?start= link.
const deepLinkPetition = "ky_"

// petitionID returns the id in what the user typed or the deep link gave
// ("" when it cannot be one): ids are 32 hex digits.
func petitionID(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), deepLinkPetition)))
	if i := strings.LastIndex(s, "/petitions/"); i >= 0 { // a pasted page link
		s = s[i+len("/petitions/"):]
	}
	if len(s) != 32 || strings.Trim(s, "0123456789abcdef") != "" {
		return ""
	}
	return s
}

// showPetition shows a petition and asks how to sign it.
func (b *Bot) showPetition(ctx context.Context, chat int64, lang, arg string) error {
	if b.pets == nil {
		return b.reply(ctx, chat, tr(lang, "petitions_off"))
	}
	if strings.TrimSpace(arg) == "" {
		return b.reply(ctx, chat, tr(lang, "ask_petition"))
	}
	id := petitionID(arg)
	if id == "" {
		return b.reply(ctx, chat, tr(lang, "petition_not_found"))
	}
	p, err := b.pets.Get(ctx, feedback.Actor{}, id)
	if notFound(err) {
		return b.reply(ctx, chat, tr(lang, "petition_not_found"))
	}
	if err != nil {
		return err
	}
	if !p.Signable(b.now()) {
		return b.reply(ctx, chat, tr(lang, "petition_closed", p.Title, b.petitionLink(p.ID)))
	}
	text := tr(lang, "petition_ask", p.Title, truncate(p.Text, summaryTextMax), p.Signatures, b.petitionLink(p.ID))
	_, err = b.replyWith(ctx, chat, text, signKeyboard(lang, p.ID))
	return err
}

// onPetitionButton signs the petition named in the button for this chat.
func (b *Bot) onPetitionButton(ctx context.Context, q *tgbotapi.CallbackQuery, lang string) error {
	chat, msg := q.Message.Chat.ID, q.Message.MessageID
	rest, named := strings.CutPrefix(q.Data, cbSignNamed)
	if !named {
		rest, _ = strings.CutPrefix(q.Data, cbSignAnon)
	}
	id := petitionID(rest)
	if b.pets == nil || id == "" || rest == q.Data {
		return b.answer(ctx, q, tr(lang, "petitions_off"))
	}
	if err := b.answer(ctx, q, ""); err != nil {
		return err
	}
	name := ""
	if named && q.From != nil {
		name = strings.TrimSpace(q.From.FirstName + " " + q.From.LastName)
	}
	showName := name != "" // only a named signature has one
	signed, err := b.pets.SignTelegram(ctx, id, chat, name, showName)
	if err != nil {
		if feedback.ErrorCode(err) == feedback.EINTERNAL {
			return err
		}
		return b.edit(ctx, tgbotapi.NewEditMessageText(chat, msg, tr(lang, "sign_fail", errorText(lang, err))))
	}
	b.log.InfoContext(ctx, "telegram: petition signed", slog.String("chat_ref", b.chatRef(chat)),
		slog.String("petition_id", id), slog.Bool("show_name", showName))
	key := "signed_anon"
	if showName {
		key = "signed_named"
	}
	return b.edit(ctx, tgbotapi.NewEditMessageText(chat, msg, tr(lang, key, signed.Count, b.petitionLink(id))))
}

// signKeyboard offers the two ways to sign.
func signKeyboard(lang, id string) tgbotapi.InlineKeyboardMarkup {
	return tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(tr(lang, "btn_sign_named"), cbSignNamed+id)),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(tr(lang, "btn_sign_anon"), cbSignAnon+id)),
	)
}

// petitionLink returns the public page of a petition.
func (b *Bot) petitionLink(id string) string { return b.baseURL + "/petitions/" + id }

// errChatBlocked is SendText's answer for a chat that blocked the bot.
var errChatBlocked = &feedback.Error{Code: feedback.EFORBIDDEN,
	Message: "Người dùng đã chặn bot.", MessageEN: "The user blocked the bot."}

// SendText sends a plain text message to a private chat (the petition
// answer delivery's petition.TelegramSender). It waits out Telegram's
// flood control like every send of the bot. A chat that blocked the bot
// is marked, so later pushes skip it, and answers EFORBIDDEN; any other
// refusal Telegram will not change its mind about (400) is marked
// live.Permanent; other errors are transient.
func (b *Bot) SendText(ctx context.Context, chatID int64, text string) error {
	isb, err := b.isBlocked(ctx, chatID)
	if err != nil {
		return err
	}
	if isb {
		return errChatBlocked
	}
	msg := tgbotapi.NewMessage(chatID, truncate(text, maxMessageLen))
	msg.DisableWebPagePreview = true
	_, err = b.send.send(ctx, msg)
	switch {
	case err == nil:
		return nil
	case blocked(err):
		b.log.InfoContext(ctx, "telegram: chat blocked the bot; pushes stop", slog.String("chat_ref", b.chatRef(chatID)))
		if merr := b.markBlocked(ctx, chatID); merr != nil {
			return errors.Join(errChatBlocked, merr)
		}
		return errChatBlocked
	case permanentAPIError(err):
		return live.Permanent(err)
	}
	return err
}
