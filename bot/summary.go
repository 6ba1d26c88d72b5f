package bot

import (
	"context"
	"log/slog"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/feedback"
	"phananh/intake"
)

// summaryTextMax bounds the report text quoted in the summary, which is
// edited in place and must stay within one message.
const summaryTextMax = 3000

// showSummary shows the draft with the suggested category and ward and the
// send / other category / cancel buttons. With edit > 0 it rewrites that
// message instead of sending a new one (after a category pick).
func (b *Bot) showSummary(ctx context.Context, chat int64, d *draft, edit int) error {
	if edit == 0 {
		b.suggest(ctx, d)
	}
	text := b.summaryText(d)
	kb := tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(tr(d.Lang, "btn_send"), cbSend)),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(tr(d.Lang, "btn_other_cat"), cbCats)),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(tr(d.Lang, "btn_cancel"), cbCancel)),
	)
	if edit > 0 {
		return b.edit(ctx, tgbotapi.NewEditMessageTextAndMarkup(chat, edit, text, kb))
	}
	sent, err := b.replyWith(ctx, chat, text, kb)
	if err != nil {
		return err
	}
	d.SummaryMsg = sent.MessageID
	return nil
}

// suggest classifies the draft with the classifier intake uses, the same
// way intake will (text plus typed address, and the point).
func (b *Bot) suggest(ctx context.Context, d *draft) {
	if b.cls == nil {
		return
	}
	in := feedback.ClassifyInput{Text: d.Text, Lat: d.Lat, Lng: d.Lng}
	if d.Address != "" {
		in.Text += "\n" + d.Address
	}
	c, err := b.cls.Classify(ctx, in)
	if err != nil {
		b.log.WarnContext(ctx, "telegram: classifier failed; no suggestion shown", slog.String("error", err.Error()))
		return
	}
	d.Suggested, d.Ward = c.Category, c.Ward
}

func (b *Bot) summaryText(d *draft) string {
	where := d.Address
	switch {
	case d.Lat != nil && where != "":
		where += " (" + tr(d.Lang, "summary_point") + ")"
	case d.Lat != nil:
		where = tr(d.Lang, "summary_point")
	case where == "":
		where = tr(d.Lang, "none")
	}
	phone := d.Phone
	if phone == "" {
		phone = tr(d.Lang, "none")
	}
	cat := d.Category
	if cat == "" {
		cat = d.Suggested
	}
	return tr(d.Lang, "summary", truncate(d.Text, summaryTextMax), len(d.Photos), where, phone, b.categoryName(d.Lang, cat), b.wardName(d.Lang, d.Ward))
}

// categoryName is a category's display name, or "not sure yet".
func (b *Bot) categoryName(lang, code string) string {
	c, ok := b.city.Category(code)
	switch {
	case !ok:
		return tr(lang, "unknown_cat")
	case lang == langEN && c.NameEN != "":
		return c.NameEN
	}
	return c.Name
}

func (b *Bot) wardName(lang, id string) string {
	if w, ok := b.city.Ward(id); ok {
		return w.Name
	}
	return tr(lang, "unknown_ward")
}

// categoryKeyboard lists the city's categories, two per row.
func (b *Bot) categoryKeyboard(lang string) tgbotapi.InlineKeyboardMarkup {
	var rows [][]tgbotapi.InlineKeyboardButton
	var row []tgbotapi.InlineKeyboardButton
	for _, c := range b.city.Categories() {
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(b.categoryName(lang, c.Code), cbCat+c.Code))
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(tr(lang, "btn_back"), cbBack)))
	return tgbotapi.NewInlineKeyboardMarkup(rows...)
}

// submit files the draft through intake. A refusal (bad text, bad photo)
// is told to the user and the draft is kept; only transient failures are
// returned.
func (b *Bot) submit(ctx context.Context, chat int64, d *draft, msgID int) error {
	photos, err := b.photoUploads(ctx, d)
	if err != nil {
		return err
	}
	rc, err := b.intake.Submit(ctx, intake.Submission{
		Channel: feedback.ChannelTelegram, Text: d.Text, Category: d.Category,
		Lat: d.Lat, Lng: d.Lng, Address: d.Address, Photos: photos, Language: d.Lang,
		Reporter:       feedback.Contact{Name: d.Name, Phone: d.Phone, TelegramChatID: chat},
		IdempotencyKey: d.Key,
	})
	if err != nil {
		if c := feedback.ErrorCode(err); c == feedback.EUNAVAILABLE || c == feedback.EINTERNAL {
			return err
		}
		return b.reply(ctx, chat, tr(d.Lang, "send_fail", errorText(d.Lang, err)))
	}
	r := rc.Report
	if rc.ReporterToken != "" {
		if err := b.store.PutState(ctx, nsToken, tokenKey(chat, r.Code), []byte(rc.ReporterToken), b.now().Add(tokenTTL)); err != nil {
			return err
		}
	}
	if err := b.addMine(ctx, chat, r.Code); err != nil {
		return err
	}
	if err := b.dropDraft(ctx, chat); err != nil {
		return err
	}
	b.log.InfoContext(ctx, "telegram: report filed", slog.String("report_code", r.Code),
		slog.String("chat_ref", b.chatRef(chat)), slog.Bool("created", rc.Created))
	text := tr(d.Lang, "sent", r.Code, b.statusLabel(d.Lang, r), b.link(r.Code))
	if err := b.edit(ctx, tgbotapi.NewEditMessageText(chat, msgID, text)); err == nil {
		return nil
	}
	return b.reply(ctx, chat, text)
}

// statusLabel is the status with the unit when one is handling it.
func (b *Bot) statusLabel(lang string, r *feedback.Report) string {
	s := r.Status.Label()
	if lang == langEN {
		s = r.Status.LabelEN()
	}
	if u, ok := b.city.Unit(r.Unit); ok && r.Status != feedback.StatusTriage && r.Status != feedback.StatusReceived {
		s += " — " + u.Name
	}
	return s
}

func tokenKey(chat int64, code string) string { return chatKey(chat) + ":" + code }
