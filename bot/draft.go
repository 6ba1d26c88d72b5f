package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/feedback"
	"phananh/intake"
	"phananh/photo"
)

// Steps of filing a report.
const (
	stepText    = "text"    // waiting for the description
	stepWhere   = "where"   // more photos, then the location
	stepPhone   = "phone"   // the optional phone number
	stepConfirm = "confirm" // the summary with the suggested category
)

// draft is a report being written, kept in the store under the chat so
// that a restart loses nothing. Photos are stored (cleaned) as they
// arrive; the draft keeps their ids.
type draft struct {
	Step    string   `json:"step"`
	Lang    string   `json:"lang"`
	Text    string   `json:"text,omitempty"`
	Photos  []string `json:"photos,omitempty"`
	Lat     *float64 `json:"lat,omitempty"`
	Lng     *float64 `json:"lng,omitempty"`
	Address string   `json:"address,omitempty"`
	Phone   string   `json:"phone,omitempty"`
	Name    string   `json:"name,omitempty"`
	// Key is "<chat>:<message id>" of the message that carried the
	// description: intake's idempotency key, so a repeated send files one
	// report.
	Key string `json:"key,omitempty"`
	// Suggested and Ward are the classifier's suggestion; Category is the
	// citizen's own pick ("" when they accepted the suggestion).
	Suggested string `json:"suggested,omitempty"`
	Ward      string `json:"ward,omitempty"`
	Category  string `json:"category,omitempty"`
	// SummaryMsg is the message id of the summary with the buttons.
	SummaryMsg int `json:"summary_msg,omitempty"`
}

// loadDraft returns the chat's draft; ok is false when there is none (or
// it expired).
func (b *Bot) loadDraft(ctx context.Context, chat int64) (*draft, bool, error) {
	raw, err := b.store.State(ctx, nsDraft, chatKey(chat))
	if notFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var d draft
	if err := json.Unmarshal(raw, &d); err != nil {
		b.log.WarnContext(ctx, "telegram: dropping unreadable draft", slog.String("chat_ref", b.chatRef(chat)))
		return nil, false, b.store.DeleteState(ctx, nsDraft, chatKey(chat))
	}
	return &d, true, nil
}

// saveDraft stores the draft; it expires draftTTL after the last change.
func (b *Bot) saveDraft(ctx context.Context, chat int64, d *draft) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return feedback.Internal(err)
	}
	return b.store.PutState(ctx, nsDraft, chatKey(chat), raw, b.now().Add(draftTTL))
}

func (b *Bot) dropDraft(ctx context.Context, chat int64) error {
	return b.store.DeleteState(ctx, nsDraft, chatKey(chat))
}

// messageKey is the idempotency key of a message.
func messageKey(m *tgbotapi.Message) string { return fmt.Sprintf("%d:%d", m.Chat.ID, m.MessageID) }

// imageFile returns the file to download for a photo or an image sent as a
// document: the largest size Telegram offers that is within the limit.
func imageFile(m *tgbotapi.Message) (fileID string, ok bool) {
	if len(m.Photo) > 0 {
		best := -1
		for i, p := range m.Photo {
			if p.FileSize <= feedback.MaxPhotoBytes && (best < 0 || p.Width*p.Height > m.Photo[best].Width*m.Photo[best].Height) {
				best = i
			}
		}
		if best < 0 {
			best = len(m.Photo) - 1 // sizes unknown or all too large: let the download check decide
		}
		return m.Photo[best].FileID, true
	}
	if doc := m.Document; doc != nil && slices.Contains([]string{photo.JPEG, photo.PNG, photo.WebP}, doc.MimeType) {
		return doc.FileID, true
	}
	return "", false
}

// addPhoto downloads a photo, runs the web form's checks on it
// (photo.Clean: sniffed type, canvas limits, metadata stripped) and stores
// it. It replies to the user itself when the photo is refused; err is only
// for transient failures.
func (b *Bot) addPhoto(ctx context.Context, chat int64, d *draft, fileID string) (added bool, err error) {
	if len(d.Photos) >= feedback.MaxPhotos {
		return false, b.reply(ctx, chat, tr(d.Lang, "photo_max"))
	}
	f, err := b.api.File(ctx, fileID)
	if err != nil {
		return false, err
	}
	if f.FileSize > feedback.MaxPhotoBytes {
		return false, b.reply(ctx, chat, tr(d.Lang, "photo_big"))
	}
	data, err := b.api.Download(ctx, f.FilePath, feedback.MaxPhotoBytes)
	if err != nil {
		return false, b.photoRefused(ctx, chat, d.Lang, err)
	}
	clean, ct, err := photo.Clean(data)
	if err != nil {
		return false, b.photoRefused(ctx, chat, d.Lang, err)
	}
	p, err := b.store.PutPhoto(ctx, clean, ct)
	if err != nil {
		return false, err
	}
	if !slices.Contains(d.Photos, p.ID) {
		d.Photos = append(d.Photos, p.ID)
	}
	return true, nil
}

// photoRefused tells the user why a photo was not added; only a transient
// failure is returned.
func (b *Bot) photoRefused(ctx context.Context, chat int64, lang string, err error) error {
	switch feedback.ErrorCode(err) {
	case feedback.ETOOLARGE:
		return b.reply(ctx, chat, tr(lang, "photo_big"))
	case feedback.EINVALID, feedback.EUNSUPPORTED:
		return b.reply(ctx, chat, tr(lang, "photo_bad"))
	}
	if isCanceled(err) {
		return err
	}
	b.log.WarnContext(ctx, "telegram: photo download failed", slog.String("chat_ref", b.chatRef(chat)), slog.String("error", err.Error()))
	return b.reply(ctx, chat, tr(lang, "photo_fail"))
}

// photoUploads reads the draft's stored photos back for intake, which
// checks them again (they are already clean, so nothing changes).
func (b *Bot) photoUploads(ctx context.Context, d *draft) ([]intake.Upload, error) {
	var out []intake.Upload
	for _, id := range d.Photos {
		rc, _, err := b.store.OpenPhoto(ctx, id)
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, feedback.Internal(err)
		}
		out = append(out, intake.Upload{Name: id, Data: data})
	}
	return out, nil
}
