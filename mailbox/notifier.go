package mailbox

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"time"

	"phananh/feedback"
	"phananh/live"
)

// defaultMaxAttempts bounds the transient failures of one mail.
const defaultMaxAttempts = 30

// ConsumerName is the name of the Notifier's checkpointed consumer.
const ConsumerName = "mail"

// Sender sends one mail; *Mailer is the implementation.
type Sender interface {
	Send(ctx context.Context, msg *Mail) error
	Domain() string
}

var _ Sender = (*Mailer)(nil)

// NotifierDeps are the Notifier's collaborators and settings.
type NotifierDeps struct {
	Store  feedback.Store // required
	Mailer Sender         // required
	// BaseURL is PHANANH_BASE_URL; links point to BaseURL/r/{code}.
	BaseURL string
	// ReplyTo, when set, receives the citizens' replies: the ingested
	// mailbox, when it is not the From address.
	ReplyTo *mail.Address
	// UnitName names a unit id in mails; nil leaves units out.
	UnitName func(id string) string
	// Signature closes every mail (default "Văn phòng tiếp nhận phản ánh").
	Signature string
	// MaxAge skips events older than this (default 72h), so that enabling
	// mail on an existing store does not mail its whole history.
	MaxAge time.Duration
	// Consumer tunes the underlying live.Consumer (poll, retries...);
	// MaxAttempts defaults to 30 here, not to "forever".
	Consumer live.ConsumerOptions
	Logger   *slog.Logger
	Now      func() time.Time
}

// Notifier mails reporters who gave an e-mail address: the
// acknowledgement of a new report, status changes and public replies.
// It is a live.Consumer named "mail": each event is mailed once, and a
// retry after a crash reuses the same Message-ID (see MessageID), so the
// recipient's client recognises it. Redeliveries are sent again
// (at-least-once in that narrow window): a lost acknowledgement is worse
// than a repeated one that clients fold together.
type Notifier struct {
	store     feedback.Store
	mailer    Sender
	baseURL   string
	replyTo   *mail.Address
	unitName  func(string) string
	signature string
	maxAge    time.Duration
	log       *slog.Logger
	now       func() time.Time
	consumer  *live.Consumer
}

var _ feedback.Publisher = (*Notifier)(nil)

// NewNotifier returns a Notifier. It panics without Store or Mailer: that
// is a wiring bug.
func NewNotifier(d NotifierDeps) *Notifier {
	if d.Store == nil || d.Mailer == nil {
		panic("mailbox: NewNotifier needs a Store and a Mailer")
	}
	n := &Notifier{store: d.Store, mailer: d.Mailer, baseURL: d.BaseURL, replyTo: d.ReplyTo, unitName: d.UnitName,
		signature: d.Signature, maxAge: d.MaxAge, log: d.Logger, now: d.Now}
	if n.signature == "" {
		n.signature = "Văn phòng tiếp nhận phản ánh"
	}
	if n.maxAge <= 0 {
		n.maxAge = 72 * time.Hour
	}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.now == nil {
		n.now = time.Now
	}
	opts := d.Consumer
	opts.Filter = mailable
	if opts.MaxAttempts == 0 {
		// A recipient's server that keeps deferring (greylisting, a full
		// mailbox) must not hold every other citizen's mail back forever:
		// with the consumer's backoff this is about two hours of retries.
		opts.MaxAttempts = defaultMaxAttempts
	}
	if opts.Logger == nil {
		opts.Logger = n.log
	}
	n.consumer = live.NewConsumer(ConsumerName, d.Store, d.Store, n.handle, opts)
	return n
}

// Run mails events until ctx ends; it returns nil then.
func (n *Notifier) Run(ctx context.Context) error { return n.consumer.Run(ctx) }

// Publish wakes the Notifier for just-committed events; it never blocks.
// Add the Notifier to the application's publisher fan-out.
func (n *Notifier) Publish(events []feedback.Event) { n.consumer.Publish(events) }

// mailable selects the events a citizen hears about: the acknowledgement,
// status changes made by the city (not the routing at intake, which the
// acknowledgement already tells, nor the citizen's own confirm or reopen)
// and public replies.
func mailable(e feedback.Event) bool {
	if !e.Public || e.ReportID == "" {
		return false
	}
	switch e.Type {
	case feedback.EventCreated, feedback.EventPublicReply:
		return true
	case feedback.EventStatusChanged:
		return e.From != feedback.StatusReceived && e.Actor != feedback.ActorCitizen
	}
	return false
}

func (n *Notifier) handle(ctx context.Context, e feedback.Event) error {
	if n.now().Sub(e.At) > n.maxAge {
		return nil
	}
	r, err := n.store.ReportByID(ctx, e.ReportID)
	if feedback.ErrorCode(err) == feedback.ENOTFOUND {
		return live.Permanent(fmt.Errorf("mailbox: report of event %d is gone", e.Seq))
	}
	if err != nil || r.Reporter.Email == "" {
		return err
	}
	if ok, err := n.admit(ctx, r, e); err != nil || !ok {
		return err
	}
	msg, err := n.mail(ctx, r, e)
	if err != nil {
		return err
	}
	// The mapping is stored before sending, so a reply can never arrive
	// for a Message-ID we do not know.
	if err := n.store.PutState(ctx, nsThread, msg.MessageID, []byte(r.Code), n.now().Add(threadTTL)); err != nil {
		return err
	}
	if err := n.mailer.Send(ctx, msg); err != nil {
		// The cause can quote the recipient's address: keep it out of logs.
		if feedback.ErrorCode(err) == feedback.EINVALID {
			return live.Permanent(fmt.Errorf("mailbox: mail for %s event %d refused", r.Code, e.Seq))
		}
		return fmt.Errorf("mailbox: mail for %s event %d not sent (%s)", r.Code, e.Seq, feedback.ErrorCode(err))
	}
	if e.Type == feedback.EventCreated {
		_ = n.store.DeleteState(ctx, nsToken, r.ID) // expires anyway
	}
	n.log.InfoContext(ctx, "mailbox: mail sent", slog.String("report_code", r.Code),
		slog.String("event_type", string(e.Type)), slog.Int64("seq", e.Seq))
	return nil
}

// mail builds the message about event e of report r.
func (n *Notifier) mail(ctx context.Context, r *feedback.Report, e feedback.Event) (*Mail, error) {
	domain := n.mailer.Domain()
	ackSeq, err := n.ackSeq(ctx, r, e)
	if err != nil {
		return nil, err
	}
	link := n.baseURL + "/r/" + url.PathEscape(r.Code)
	var l letter
	switch e.Type {
	case feedback.EventCreated:
		l = n.ackLetter(r, link+n.tokenFragment(ctx, r))
	case feedback.EventPublicReply:
		l = n.replyLetter(r, e, link)
	default:
		l = n.statusLetter(r, e, link)
	}
	text, html, err := l.render()
	if err != nil {
		return nil, feedback.Internal(err)
	}
	msg := &Mail{
		To:      []mail.Address{{Name: r.Reporter.Name, Address: r.Reporter.Email}},
		Subject: l.Subject, Text: text, HTML: html, AutoSubmitted: true,
		MessageID: MessageID(r.Code, e.Seq, domain), Date: e.At, ReplyTo: n.replyTo,
	}
	if ackSeq > 0 && ackSeq != e.Seq {
		ack := MessageID(r.Code, ackSeq, domain)
		msg.InReplyTo, msg.References = ack, []string{ack}
	}
	return msg, nil
}

// ackSeq returns the sequence of the report's created event, whose mail
// starts the thread; 0 when the report has none.
func (n *Notifier) ackSeq(ctx context.Context, r *feedback.Report, e feedback.Event) (int64, error) {
	if e.Type == feedback.EventCreated {
		return e.Seq, nil
	}
	evs, err := n.store.Events(ctx, feedback.EventFilter{ReportID: r.ID, Limit: 10})
	if err != nil {
		return 0, err
	}
	for _, ev := range evs {
		if ev.Type == feedback.EventCreated {
			return ev.Seq, nil
		}
	}
	return 0, nil
}

// tokenFragment returns "#token=<reporter token>" when the ingestor left
// the token for this acknowledgement. The fragment never reaches a
// server's logs; the tracking page keeps it (as it keeps the web form's).
// The ingestor stores it just after the report is committed, so a
// just-created e-mail report waits briefly for it.
func (n *Notifier) tokenFragment(ctx context.Context, r *feedback.Report) string {
	start := time.Now()
	for {
		v, err := n.store.State(ctx, nsToken, r.ID)
		if err == nil {
			return "#token=" + url.QueryEscape(string(v))
		}
		if r.Channel != feedback.ChannelEmail || n.now().Sub(r.CreatedAt) > time.Minute || time.Since(start) > 5*time.Second {
			return ""
		}
		select {
		case <-ctx.Done():
			return ""
		case <-time.After(100 * time.Millisecond):
		}
	}
}
