// Package bot is the Telegram adapter: citizens file reports in a short
// conversation (text, photos, location, optional phone), follow them with
// /trangthai and /cuatoi, and get every status change pushed into the chat;
// units with a Telegram group are alerted when a report is routed to them.
//
// Reports go through the same intake pipeline as the web form. All
// conversation state lives in the store (feedback.StateStore), so a restart
// in the middle of a conversation loses nothing. Pushes run on checkpointed
// live.Consumers, so each event is messaged once.
package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"phananh/city"
	"phananh/feedback"
	"phananh/intake"
)

// Store is what the bot needs from persistence.
type Store interface {
	feedback.ReportStore
	feedback.EventStore
	feedback.StateStore
	feedback.PhotoStore
}

// Submitter files a report: intake.Service.
type Submitter interface {
	Submit(ctx context.Context, sub intake.Submission) (intake.Receipt, error)
}

// Citizen is the citizen's side of closure, authorised by the reporter
// token: desk.Service.
type Citizen interface {
	Confirm(ctx context.Context, code, token string) (*feedback.Report, error)
	Reopen(ctx context.Context, code, token, reason string) (*feedback.Report, error)
	Rate(ctx context.Context, code, token string, score int, comment string) (*feedback.Report, error)
}

// Deps are the bot's collaborators and settings.
type Deps struct {
	API    API       // required
	Store  Store     // required
	Intake Submitter // required
	City   *city.City
	// Classifier suggests the category and ward shown before sending; it
	// should be the one intake uses. Nil shows no suggestion.
	Classifier feedback.Classifier
	// Citizen confirms, reopens and rates; nil hides those buttons.
	Citizen Citizen
	// Petitions signs petitions (/kyten, t.me/<bot>?start=ky_<id>); nil
	// answers that petitions are not available here.
	Petitions Petitions
	// BaseURL is the public site, for /r/{code} links.
	BaseURL string
	// LogKey keys the hashes that stand for chat ids in logs (pass the bot
	// token: secret, and stable across restarts).
	LogKey string
	// WebhookURL selects webhook mode: Run registers it with setWebhook
	// instead of long polling.
	WebhookURL string
	// WebhookSecret is registered with setWebhook and required in the
	// X-Telegram-Bot-Api-Secret-Token header of every webhook request.
	WebhookSecret string
	// PollTimeout is the long-poll timeout (default 50s).
	PollTimeout time.Duration
	// MaxEventAge: older events are not pushed (default 48h), so a first
	// start on an old database does not replay history into chats.
	MaxEventAge time.Duration
	// ConsumerPoll is how often the push consumers read the log when not
	// woken by Publish (default 500ms).
	ConsumerPoll time.Duration
	Logger       *slog.Logger
	Now          func() time.Time
}

// Bot is the Telegram bot. Run it; in webhook mode also serve Webhook().
type Bot struct {
	api     API
	send    *sender
	store   Store
	intake  Submitter
	city    *city.City
	cls     feedback.Classifier
	citizen Citizen
	pets    Petitions
	baseURL string
	logKey  []byte
	webhook string
	hookKey string
	poll    time.Duration
	maxAge  time.Duration
	log     *slog.Logger
	now     func() time.Time

	locks  *chatLocks
	limits *chatLimiter
	push   *pusher
}

var _ feedback.Publisher = (*Bot)(nil)

// New returns a bot. It panics when API, Store, Intake or City is
// missing: that is a wiring bug.
func New(d Deps) *Bot {
	if d.API == nil || d.Store == nil || d.Intake == nil || d.City == nil {
		panic("bot.New: API, Store, Intake and City are required")
	}
	b := &Bot{api: d.API, store: d.Store, intake: d.Intake, city: d.City, cls: d.Classifier,
		citizen: d.Citizen, pets: d.Petitions, baseURL: d.BaseURL, logKey: []byte(d.LogKey), webhook: d.WebhookURL, hookKey: d.WebhookSecret,
		poll: d.PollTimeout, maxAge: d.MaxEventAge, log: d.Logger, now: d.Now}
	if b.poll <= 0 {
		b.poll = 50 * time.Second
	}
	if b.maxAge <= 0 {
		b.maxAge = 48 * time.Hour
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.now == nil {
		b.now = time.Now
	}
	if len(b.logKey) == 0 { // unkeyed hashes of chat ids are easy to reverse
		b.logKey = []byte(feedback.NewID())
	}
	b.send = &sender{api: d.API, now: b.now}
	b.locks = newChatLocks()
	b.limits = newChatLimiter(b.now)
	b.push = newPusher(b, d.ConsumerPoll)
	return b
}

// Run receives updates (long polling, or registers the webhook) and
// pushes status changes until ctx ends; it returns nil then. It fails only
// when the webhook cannot be registered or removed.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.setUpReceiving(ctx); err != nil {
		return err
	}
	b.registerCommands(ctx)
	errc := make(chan error, 1)
	go func() { errc <- b.push.run(ctx) }()
	if b.webhook == "" {
		b.pollLoop(ctx)
	} else {
		<-ctx.Done()
	}
	return <-errc
}

// Publish wakes the push consumers to read just-committed events. It never
// blocks.
func (b *Bot) Publish(events []feedback.Event) { b.push.publish(events) }

// chatRef is what logs show instead of a chat id: a keyed hash, so that
// logs can be correlated without revealing who wrote.
func (b *Bot) chatRef(chatID int64) string {
	m := hmac.New(sha256.New, b.logKey)
	m.Write([]byte(strconv.FormatInt(chatID, 10)))
	return hex.EncodeToString(m.Sum(nil))[:12]
}

// link returns the public page of a report.
func (b *Bot) link(code string) string { return b.baseURL + "/r/" + code }

// errorText is a domain error's safe message in lang.
func errorText(lang string, err error) string {
	e := feedback.AsError(err)
	if lang == langEN && e.MessageEN != "" {
		return e.MessageEN
	}
	return e.Message
}

// isCanceled reports an error caused by shutdown.
func isCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
