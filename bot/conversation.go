package bot

import (
	"context"
	"strings"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/city"
	"phananh/feedback"
	"phananh/intake"
)

// minAddressLen is the shortest typed address taken as a location.
const minAddressLen = 5

// onMessage routes a message: commands first, then a pending reopen
// reason, then the draft's current step. Groups get only staff alerts.
func (b *Bot) onMessage(ctx context.Context, m *tgbotapi.Message) error {
	chat := m.Chat.ID
	if !m.Chat.IsPrivate() {
		if cmd, _ := parseCommand(m.Text); cmd != "" {
			return b.reply(ctx, chat, tr(langVI, "group_only_alerts"))
		}
		return nil
	}
	lang := langOf(userLang(m.From))
	if err := b.unblock(ctx, chat); err != nil {
		return err
	}
	if cmd, arg := parseCommand(m.Text); cmd != "" {
		return b.onCommand(ctx, m, lang, cmd, arg)
	}
	if done, err := b.reopenReason(ctx, m, lang); done || err != nil {
		return err
	}
	d, ok, err := b.loadDraft(ctx, chat)
	if err != nil {
		return err
	}
	if !ok {
		return b.noDraft(ctx, m, lang)
	}
	return b.step(ctx, m, d)
}

// noDraft answers a message outside a conversation: a photo starts a
// report, a tracking code is looked up, anything else gets the help.
func (b *Bot) noDraft(ctx context.Context, m *tgbotapi.Message, lang string) error {
	if _, ok := imageFile(m); ok {
		d := &draft{Step: stepText, Lang: lang}
		return b.step(ctx, m, d)
	}
	if code := feedback.NormalizeCode(m.Text); code != "" {
		return b.showStatus(ctx, m.Chat.ID, lang, code)
	}
	return b.sendHelp(ctx, m.Chat.ID, lang)
}

// step advances the draft with one message and saves it.
func (b *Bot) step(ctx context.Context, m *tgbotapi.Message, d *draft) error {
	var err error
	switch d.Step {
	case stepText:
		err = b.stepText(ctx, m, d)
	case stepWhere:
		err = b.stepWhere(ctx, m, d)
	case stepPhone:
		err = b.stepPhone(ctx, m, d)
	default:
		err = b.stepConfirm(ctx, m, d)
	}
	if err != nil {
		return err
	}
	return b.saveDraft(ctx, m.Chat.ID, d)
}

// stepText takes the description, from a text or a photo's caption.
func (b *Bot) stepText(ctx context.Context, m *tgbotapi.Message, d *draft) error {
	chat := m.Chat.ID
	if loc := m.Location; loc != nil {
		d.Lat, d.Lng = &loc.Latitude, &loc.Longitude
	}
	if fileID, ok := imageFile(m); ok {
		if _, err := b.addPhoto(ctx, chat, d, fileID); err != nil {
			return err
		}
	}
	text := strings.TrimSpace(m.Text + m.Caption)
	switch n := utf8.RuneCountInString(text); {
	case text == "" && len(d.Photos) > 0:
		return b.reply(ctx, chat, tr(d.Lang, "photo_no_text"))
	case text == "":
		return b.reply(ctx, chat, tr(d.Lang, "ask_text"))
	case n < feedback.MinTextLen:
		return b.reply(ctx, chat, tr(d.Lang, "text_short"))
	case n > feedback.MaxTextLen:
		return b.reply(ctx, chat, tr(d.Lang, "text_long"))
	}
	d.Text, d.Key, d.Step = text, messageKey(m), stepWhere
	if d.Lat != nil {
		return b.askPhone(ctx, chat, d)
	}
	_, err := b.replyWith(ctx, chat, tr(d.Lang, "ask_location"), locationKeyboard(d.Lang))
	return err
}

// stepWhere collects more photos, then the location: a shared point or a
// typed address.
func (b *Bot) stepWhere(ctx context.Context, m *tgbotapi.Message, d *draft) error {
	chat := m.Chat.ID
	if handled, err := b.morePhotos(ctx, m, d); handled || err != nil {
		return err
	}
	switch {
	case m.Location != nil:
		d.Lat, d.Lng = &m.Location.Latitude, &m.Location.Longitude
	case utf8.RuneCountInString(strings.TrimSpace(m.Text)) >= minAddressLen:
		d.Address = strings.TrimSpace(m.Text)
	case m.Text != "":
		return b.reply(ctx, chat, tr(d.Lang, "address_short"))
	default:
		_, err := b.replyWith(ctx, chat, tr(d.Lang, "ask_location"), locationKeyboard(d.Lang))
		return err
	}
	return b.askPhone(ctx, chat, d)
}

// morePhotos adds a photo sent in a later step; handled is false when the
// message carries none.
func (b *Bot) morePhotos(ctx context.Context, m *tgbotapi.Message, d *draft) (handled bool, err error) {
	fileID, ok := imageFile(m)
	if !ok {
		return false, nil
	}
	added, err := b.addPhoto(ctx, m.Chat.ID, d, fileID)
	if err != nil || !added {
		return true, err
	}
	if c := strings.TrimSpace(m.Caption); c != "" && utf8.RuneCountInString(d.Text)+utf8.RuneCountInString(c) < feedback.MaxTextLen {
		d.Text += "\n" + c
	}
	return true, b.reply(ctx, m.Chat.ID, tr(d.Lang, "photo_ok", len(d.Photos)))
}

func (b *Bot) askPhone(ctx context.Context, chat int64, d *draft) error {
	d.Step = stepPhone
	_, err := b.replyWith(ctx, chat, tr(d.Lang, "ask_phone"), phoneKeyboard(d.Lang))
	return err
}

// stepPhone takes the phone number from a shared contact (the user's own)
// or typed, or a skip.
func (b *Bot) stepPhone(ctx context.Context, m *tgbotapi.Message, d *draft) error {
	chat := m.Chat.ID
	if handled, err := b.morePhotos(ctx, m, d); handled || err != nil {
		return err
	}
	if m.Location != nil {
		d.Lat, d.Lng = &m.Location.Latitude, &m.Location.Longitude
		return b.askPhone(ctx, chat, d)
	}
	var phone, name string
	switch {
	case m.Contact != nil && (m.From == nil || m.Contact.UserID == 0 || m.Contact.UserID == m.From.ID):
		phone, name = m.Contact.PhoneNumber, strings.TrimSpace(m.Contact.FirstName+" "+m.Contact.LastName)
	case isSkip(m.Text):
	default:
		phone = m.Text
	}
	note := "phone_skip"
	if phone != "" {
		p, ok := intake.NormalizePhone(phone)
		if !ok {
			return b.reply(ctx, chat, tr(d.Lang, "phone_bad"))
		}
		d.Phone, d.Name, note = p, name, "phone_ok"
	}
	if _, err := b.replyWith(ctx, chat, tr(d.Lang, note), tgbotapi.NewRemoveKeyboard(false)); err != nil {
		return err
	}
	d.Step = stepConfirm
	return b.showSummary(ctx, chat, d, 0)
}

// stepConfirm: a photo is still welcome (the summary is shown again);
// anything else is reminded of the buttons.
func (b *Bot) stepConfirm(ctx context.Context, m *tgbotapi.Message, d *draft) error {
	handled, err := b.morePhotos(ctx, m, d)
	switch {
	case err != nil:
		return err
	case handled:
		return b.showSummary(ctx, m.Chat.ID, d, 0)
	}
	return b.reply(ctx, m.Chat.ID, tr(d.Lang, "confirm_buttons"))
}

// isSkip reports the skip button's text in either language, or a typed
// "bo qua"/"skip"/"không".
func isSkip(s string) bool {
	switch city.Fold(s) {
	case city.Fold(tr(langVI, "btn_skip")), city.Fold(tr(langEN, "btn_skip")), "skip", "khong", "ko", "no":
		return true
	}
	return false
}

func userLang(u *tgbotapi.User) string {
	if u == nil {
		return ""
	}
	return u.LanguageCode
}

// parseCommand splits "/cmd@bot args" into "cmd" and "args".
func parseCommand(text string) (cmd, arg string) {
	if !strings.HasPrefix(text, "/") {
		return "", ""
	}
	word, arg, _ := strings.Cut(text[1:], " ")
	word, _, _ = strings.Cut(word, "@")
	return strings.ToLower(word), strings.TrimSpace(arg)
}

func locationKeyboard(lang string) tgbotapi.ReplyKeyboardMarkup {
	k := tgbotapi.NewReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonLocation(tr(lang, "btn_location"))))
	k.ResizeKeyboard = true
	return k
}

func phoneKeyboard(lang string) tgbotapi.ReplyKeyboardMarkup {
	k := tgbotapi.NewOneTimeReplyKeyboard(
		tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact(tr(lang, "btn_phone"))),
		tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButton(tr(lang, "btn_skip"))))
	k.ResizeKeyboard = true
	return k
}
