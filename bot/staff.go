package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/feedback"
	"phananh/photo"
)

// staffTextMax bounds the report text quoted in a staff alert; captionMax
// is Telegram's limit on a photo caption.
const (
	staffTextMax = 600
	captionMax   = 1000
)

// staff announces a routing in the unit's Telegram group, if it has one.
func (p *pusher) staff(ctx context.Context, e feedback.Event) error {
	b := p.b
	u, ok := b.city.Unit(e.Data["unit"])
	if !ok || u.TelegramChatID == 0 {
		return nil
	}
	r, err := b.store.ReportByID(ctx, e.ReportID)
	if notFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	due := "—"
	if !r.DueAt.IsZero() {
		due = r.DueAt.In(ict).Format(dateLayout)
	}
	text := tr(langVI, "staff_new", r.Code, u.Name, b.categoryName(langVI, r.Category), b.wardName(langVI, r.Ward),
		due, truncate(r.Text, staffTextMax), b.link(r.Code))
	err = p.deliver(ctx, p.alert(ctx, u.TelegramChatID, r, text), u.TelegramChatID, r.Code, false)
	if to := migratedTo(err); to != 0 {
		// The group was upgraded to a supergroup, which has a new id. The
		// alert follows it; the operator must update the city config.
		b.log.WarnContext(ctx, "telegram: unit's group moved to a supergroup; update telegram_chat_id in the city config",
			slog.String("unit_id", u.ID), slog.Int64("new_telegram_chat_id", to))
		err = p.deliver(ctx, p.alert(ctx, to, r, text), to, r.Code, false)
	}
	return err
}

// alert is the staff alert: the report's first photo with the text as its
// caption, or the text alone.
func (p *pusher) alert(ctx context.Context, chat int64, r *feedback.Report, text string) tgbotapi.Chattable {
	if c, ok := p.withPhoto(ctx, chat, r, text); ok {
		return c
	}
	msg := tgbotapi.NewMessage(chat, text)
	msg.DisableWebPagePreview = true
	return msg
}

// withPhoto returns the alert as the report's first photo with the text
// as its caption; ok is false when there is no photo to show.
func (p *pusher) withPhoto(ctx context.Context, chat int64, r *feedback.Report, text string) (tgbotapi.PhotoConfig, bool) {
	if len(r.Photos) == 0 {
		return tgbotapi.PhotoConfig{}, false
	}
	rc, ph, err := p.b.store.OpenPhoto(ctx, r.Photos[0].ID)
	if err != nil {
		p.b.log.WarnContext(ctx, "telegram: alert photo unreadable; sending text only", slog.String("report_code", r.Code), slog.String("error", err.Error()))
		return tgbotapi.PhotoConfig{}, false
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return tgbotapi.PhotoConfig{}, false
	}
	c := tgbotapi.NewPhoto(chat, tgbotapi.FileBytes{Name: ph.ID[:16] + photoExt(ph.ContentType), Bytes: data})
	c.Caption = truncate(text, captionMax)
	return c, true
}

func photoExt(contentType string) string {
	switch contentType {
	case photo.PNG:
		return ".png"
	case photo.WebP:
		return ".webp"
	}
	return ".jpg"
}

// migratedTo returns the new id of a group that became a supergroup, or
// 0 when err is not about that.
func migratedTo(err error) int64 {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return te.MigrateToChatID
	}
	return 0
}
