package bot

import (
	"context"
	"encoding/json"
	"fmt"
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
// that a restart loses nothing. Photos are checked as they arrive but only
// their Telegram ids are kept: they are fetched again on sending, so a
// dropped or expired draft leaves no photo of the citizen behind.
type draft struct {
	Step    string       `json:"step"`
	Lang    string       `json:"lang"`
	Text    string       `json:"text,omitempty"`
	Photos  []draftPhoto `json:"photos,omitempty"`
	Lat     *float64     `json:"lat,omitempty"`
	Lng     *float64     `json:"lng,omitempty"`
	Address string       `json:"address,omitempty"`
	Phone   string       `json:"phone,omitempty"`
	Name    string       `json:"name,omitempty"`
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

// draftPhoto is a checked photo of a draft.
type draftPhoto struct {
	FileID   string `json:"file_id"`
	UniqueID string `json:"unique_id"` // the same picture sent twice has one
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

// addPhoto downloads a photo and runs the web form's checks on it
// (photo.Clean: size, sniffed type, canvas limits). It replies to the user
// itself when the photo is refused; err is only for transient failures.
func (b *Bot) addPhoto(ctx context.Context, chat int64, d *draft, fileID string) (added bool, err error) {
	if len(d.Photos) >= feedback.MaxPhotos {
		return false, b.reply(ctx, chat, tr(d.Lang, "photo_max"))
	}
	f, data, err := b.fetch(ctx, fileID)
	if err == nil {
		_, _, err = photo.Clean(data)
	}
	if err != nil {
		return false, b.photoRefused(ctx, chat, d.Lang, err)
	}
	if !slices.ContainsFunc(d.Photos, func(p draftPhoto) bool { return p.UniqueID == f.FileUniqueID && p.UniqueID != "" }) {
		d.Photos = append(d.Photos, draftPhoto{FileID: fileID, UniqueID: f.FileUniqueID})
	}
	return true, nil
}

// fetch downloads a file, refusing one over the photo size limit before
// and while downloading.
func (b *Bot) fetch(ctx context.Context, fileID string) (tgbotapi.File, []byte, error) {
	f, err := b.api.File(ctx, fileID)
	if err != nil {
		return f, nil, err
	}
	if f.FileSize > feedback.MaxPhotoBytes {
		return f, nil, tooLarge()
	}
	data, err := b.api.Download(ctx, f.FilePath, feedback.MaxPhotoBytes)
	return f, data, err
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

// photoUploads downloads the draft's photos again for intake, which
// cleans and stores them with the report. Telegram keeps files for as long
// as a draft lives, so a failure here is transient.
func (b *Bot) photoUploads(ctx context.Context, d *draft) ([]intake.Upload, error) {
	var out []intake.Upload
	for _, p := range d.Photos {
		_, data, err := b.fetch(ctx, p.FileID)
		if err != nil {
			return nil, err
		}
		out = append(out, intake.Upload{Name: p.UniqueID, Data: data})
	}
	return out, nil
}
