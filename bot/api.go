package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/feedback"
)

// API is the part of the Telegram Bot API the bot uses. TelegramAPI
// implements it over go-telegram-bot-api; keeping it this small is what
// lets the SDK be swapped or upgraded in one file.
type API interface {
	// Updates long-polls for updates with update_id >= offset, holding the
	// request up to timeout when none is pending.
	Updates(ctx context.Context, offset int, timeout time.Duration) ([]tgbotapi.Update, error)
	// Send sends a message (text, photo) and returns it as sent.
	Send(ctx context.Context, c tgbotapi.Chattable) (tgbotapi.Message, error)
	// Request calls a method whose result is not needed
	// (answerCallbackQuery, editMessageText, deleteWebhook).
	Request(ctx context.Context, c tgbotapi.Chattable) error
	// Call calls a method by name with raw parameters, for what the SDK
	// version lacks (setWebhook's secret_token).
	Call(ctx context.Context, method string, params tgbotapi.Params) error
	// File resolves a file id to its download path and size.
	File(ctx context.Context, fileID string) (tgbotapi.File, error)
	// Download fetches a file by its path, failing with ETOOLARGE when it
	// is longer than max bytes.
	Download(ctx context.Context, filePath string, max int64) ([]byte, error)
}

// Default endpoints of the public Bot API. Both are fmt formats taking the
// token and then the method name or file path.
const (
	DefaultAPIEndpoint  = tgbotapi.APIEndpoint
	DefaultFileEndpoint = "https://api.telegram.org/file/bot%s/%s"
)

// TelegramAPI is API over go-telegram-bot-api. The SDK's calls take no
// context, so every call runs on a shallow copy of the SDK client whose
// HTTP client binds the call's context; that is what makes a long poll
// stop at once on shutdown.
type TelegramAPI struct {
	sdk   *tgbotapi.BotAPI
	http  *http.Client
	token string
	files string // file endpoint format
}

var _ API = (*TelegramAPI)(nil)

// Connect checks the token with getMe and returns the client. apiEndpoint
// and fileEndpoint are formats like DefaultAPIEndpoint ("" selects the
// defaults); a nil client gets one whose timeout fits long polls.
func Connect(ctx context.Context, token, apiEndpoint, fileEndpoint string, client *http.Client) (*TelegramAPI, error) {
	if apiEndpoint == "" {
		apiEndpoint = DefaultAPIEndpoint
	}
	if fileEndpoint == "" {
		fileEndpoint = DefaultFileEndpoint
	}
	if client == nil {
		client = &http.Client{Timeout: 2 * time.Minute}
	}
	t := &TelegramAPI{http: client, token: token, files: fileEndpoint}
	sdk, err := tgbotapi.NewBotAPIWithClient(token, apiEndpoint, ctxDoer{ctx, client})
	if err != nil {
		return nil, fmt.Errorf("telegram getMe: %w", t.scrub(err))
	}
	t.sdk = sdk
	return t, nil
}

// Username returns the bot's @username as getMe reported it.
func (t *TelegramAPI) Username() string { return t.sdk.Self.UserName }

// ctxDoer is the SDK's HTTPClient bound to one call's context.
type ctxDoer struct {
	ctx context.Context
	c   *http.Client
}

func (d ctxDoer) Do(r *http.Request) (*http.Response, error) { return d.c.Do(r.WithContext(d.ctx)) }

// with returns a copy of the SDK client bound to ctx.
func (t *TelegramAPI) with(ctx context.Context) *tgbotapi.BotAPI {
	b := *t.sdk
	b.Client = ctxDoer{ctx, t.http}
	return &b
}

// Updates implements API.
func (t *TelegramAPI) Updates(ctx context.Context, offset int, timeout time.Duration) ([]tgbotapi.Update, error) {
	u := tgbotapi.NewUpdate(offset)
	u.Timeout = int(timeout / time.Second)
	u.AllowedUpdates = allowedUpdates
	ups, err := t.with(ctx).GetUpdates(u)
	return ups, t.scrub(err)
}

// Send implements API.
func (t *TelegramAPI) Send(ctx context.Context, c tgbotapi.Chattable) (tgbotapi.Message, error) {
	m, err := t.with(ctx).Send(c)
	return m, t.scrub(err)
}

// Request implements API.
func (t *TelegramAPI) Request(ctx context.Context, c tgbotapi.Chattable) error {
	_, err := t.with(ctx).Request(c)
	return t.scrub(err)
}

// Call implements API.
func (t *TelegramAPI) Call(ctx context.Context, method string, params tgbotapi.Params) error {
	_, err := t.with(ctx).MakeRequest(method, params)
	return t.scrub(err)
}

// File implements API.
func (t *TelegramAPI) File(ctx context.Context, fileID string) (tgbotapi.File, error) {
	f, err := t.with(ctx).GetFile(tgbotapi.FileConfig{FileID: fileID})
	return f, t.scrub(err)
}

// Download implements API. The URL is built from the configured file
// endpoint: the SDK's File.Link always points at api.telegram.org.
func (t *TelegramAPI) Download(ctx context.Context, filePath string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf(t.files, t.token, filePath), nil)
	if err != nil {
		return nil, t.scrub(err)
	}
	resp, err := t.http.Do(req)
	if err != nil {
		return nil, t.scrub(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &tgbotapi.Error{Code: resp.StatusCode, Message: "file download: " + resp.Status}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, t.scrub(err)
	}
	if int64(len(data)) > max {
		return nil, tooLarge()
	}
	return data, nil
}

// scrub removes the token from an error: net/http errors quote the URL,
// and the URL carries the token. Telegram's own errors pass unchanged.
func (t *TelegramAPI) scrub(err error) error {
	if err == nil {
		return nil
	}
	var te *tgbotapi.Error
	if errors.As(err, &te) || t.token == "" || !strings.Contains(err.Error(), t.token) {
		return err
	}
	return &scrubbed{msg: strings.ReplaceAll(err.Error(), t.token, "<token>"), err: err}
}

// scrubbed keeps the cause for errors.Is (context.Canceled) but prints
// without the token.
type scrubbed struct {
	msg string
	err error
}

func (s *scrubbed) Error() string { return s.msg }
func (s *scrubbed) Unwrap() error { return s.err }

// allowedUpdates are the update kinds the bot asks for.
var allowedUpdates = []string{"message", "callback_query"}

func tooLarge() error {
	return &feedback.Error{Code: feedback.ETOOLARGE, Field: "photos",
		Message: "Ảnh quá lớn (tối đa 10 MB).", MessageEN: "The photo is too large (10 MB at most)."}
}

// decodeUpdate parses one update as Telegram posts it to a webhook.
func decodeUpdate(r io.Reader) (tgbotapi.Update, error) {
	var u tgbotapi.Update
	err := json.NewDecoder(r).Decode(&u)
	return u, err
}
