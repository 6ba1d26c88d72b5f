package mailbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"phananh/feedback"
	"phananh/intake"
	"phananh/photo"
)

// Outcome is what became of an inbound message.
type Outcome string

// The outcomes of processing a message.
const (
	OutcomeCreated     Outcome = "created"     // a new report
	OutcomeDuplicate   Outcome = "duplicate"   // seen before: nothing written
	OutcomeThreaded    Outcome = "threaded"    // added to a report as a citizen message
	OutcomeIgnored     Outcome = "ignored"     // an auto-reply, a bounce or our own mail
	OutcomeQuarantined Outcome = "quarantined" // unreadable or refused; staff were told
)

// Result is the outcome of one message.
type Result struct {
	Outcome    Outcome `json:"outcome"`
	ReportCode string  `json:"report_code,omitempty"`
	// Reason explains an ignored or quarantined message; it holds no
	// personal data.
	Reason string `json:"reason,omitempty"`
}

// Submitter is the part of intake.Service the ingestor uses.
type Submitter interface {
	Submit(ctx context.Context, sub intake.Submission) (intake.Receipt, error)
}

var _ Submitter = (*intake.Service)(nil)

// Processor turns raw messages into reports, replies or quarantine
// entries. It is what the Ingestor runs per message; it is exported so
// that other sources (an LMTP or webhook receiver) can reuse it.
type Processor struct {
	intake  Submitter
	store   feedback.Store
	thread  threader
	ownAddr string
	ack     bool
	now     func() time.Time
	log     *slog.Logger
}

// ProcessorDeps are a Processor's collaborators and settings.
type ProcessorDeps struct {
	Intake Submitter      // required
	Store  feedback.Store // required
	// OwnAddress is our From address: mail from it is a loop. Its domain
	// recognises our Message-IDs in replies.
	OwnAddress string
	// Acknowledge says a Notifier mails acknowledgements: the reporter
	// token of a new report is then kept (in the state store, until the
	// acknowledgement is sent, at most 7 days) for the link in it.
	Acknowledge bool
	Logger      *slog.Logger     // nil discards
	Now         func() time.Time // nil is time.Now
}

// doneTTL is how long a processed message's key is remembered for quick
// skips; the store's idempotency keys and reply keys outlive it.
const doneTTL = 400 * 24 * time.Hour

// tokenTTL bounds how long a reporter token waits for the acknowledgement.
const tokenTTL = 7 * 24 * time.Hour

// NewProcessor returns a Processor. It panics without Intake or Store:
// that is a wiring bug.
func NewProcessor(d ProcessorDeps) *Processor {
	if d.Intake == nil || d.Store == nil {
		panic("mailbox: NewProcessor needs Intake and Store")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	own := strings.ToLower(d.OwnAddress)
	return &Processor{intake: d.Intake, store: d.Store, thread: threader{store: d.Store, domain: domainOf(own)},
		ownAddr: own, ack: d.Acknowledge, now: d.Now, log: d.Logger}
}

// Process handles one raw message. Quarantine is a Result, not an error:
// the staff-visible event is stored before it returns, and the caller
// moves the message. An error means "try again later" (store or context).
func (p *Processor) Process(ctx context.Context, raw []byte) (Result, error) {
	m, err := ParseMessage(raw)
	if err != nil {
		return p.quarantine(ctx, hashKey(raw), "", "unparsable", err.Error())
	}
	if m.AutoReason == "" && m.FromAddr == p.ownAddr {
		m.AutoReason = "own address"
	}
	if m.AutoReason != "" {
		return Result{Outcome: OutcomeIgnored, Reason: m.AutoReason}, nil
	}
	if res, ok, err := p.done(ctx, m.Key); ok || err != nil {
		if res.Outcome != OutcomeQuarantined {
			res.Outcome = OutcomeDuplicate
		}
		return res, err
	}
	r, ok, err := p.thread.find(ctx, m)
	if err != nil {
		return Result{}, err
	}
	var res Result
	if ok {
		res, err = p.addReply(ctx, r, m)
	} else {
		res, err = p.file(ctx, m)
	}
	if err != nil {
		return p.refused(ctx, m, err)
	}
	return res, p.markDone(ctx, m.Key, res)
}

// refused quarantines a message intake refuses for good (too short, bad
// photos...) and passes transient errors on.
func (p *Processor) refused(ctx context.Context, m *Message, err error) (Result, error) {
	switch feedback.ErrorCode(err) {
	case feedback.EINVALID, feedback.ETOOLARGE, feedback.EUNSUPPORTED:
		e := feedback.AsError(err)
		return p.quarantine(ctx, m.Key, m.Subject, "refused", e.MessageEN)
	}
	return Result{}, err
}

// file submits a message as a new report.
func (p *Processor) file(ctx context.Context, m *Message) (Result, error) {
	uploads, notKept := acceptImages(m.Images, feedback.MaxPhotos)
	for _, a := range m.Others {
		notKept = append(notKept, describeAttachment(a, ""))
	}
	text := reportText(m.Subject, m.Body, notKept)
	if len([]rune(strings.TrimSpace(m.Body))) < feedback.MinTextLen && len(uploads) > 0 {
		text = reportText("Phản ánh qua e-mail kèm ảnh: "+cleanSubject(m.Subject), m.Body, notKept)
	}
	sub := intake.Submission{
		Channel: feedback.ChannelEmail, Text: text, IdempotencyKey: m.Key, Photos: uploads,
		Reporter: feedback.Contact{Name: m.FromName, Email: validEmail(m.FromAddr)}, Language: "vi",
	}
	rc, err := p.intake.Submit(ctx, sub)
	if err != nil {
		return Result{}, err
	}
	if !rc.Created {
		return Result{Outcome: OutcomeDuplicate, ReportCode: rc.Report.Code}, nil
	}
	if p.ack && rc.ReporterToken != "" && sub.Reporter.Email != "" {
		// Handed to the Notifier for the acknowledgement's link, then deleted.
		if err := p.store.PutState(ctx, nsToken, rc.Report.ID, []byte(rc.ReporterToken), p.now().Add(tokenTTL)); err != nil {
			p.log.WarnContext(ctx, "mailbox: reporter token not kept for the acknowledgement",
				slog.String("report_code", rc.Report.Code), slog.String("error", err.Error()))
		}
	}
	return Result{Outcome: OutcomeCreated, ReportCode: rc.Report.Code}, nil
}

// addReply attaches a reply to the report it answers.
func (p *Processor) addReply(ctx context.Context, r *feedback.Report, m *Message) (Result, error) {
	uploads, notKept := acceptImages(m.Images, feedback.MaxPhotos)
	var photos []feedback.Photo
	for _, u := range uploads {
		ph, err := p.store.PutPhoto(ctx, u.Data, u.Name)
		if err != nil {
			return Result{}, err
		}
		photos = append(photos, ph)
	}
	for _, a := range m.Others {
		notKept = append(notKept, describeAttachment(a, ""))
	}
	body := m.Body
	if body == "" {
		body = cleanSubject(m.Subject)
	}
	rp := reply{
		key: m.Key, subject: cleanSubject(m.Subject), text: truncateRunes(body, feedback.MaxTextLen),
		photos: photos, fromReport: strings.EqualFold(r.Reporter.Email, m.FromAddr),
		attachments: strings.Join(notKept, "; "),
	}
	added, err := attachReply(ctx, p.store, p.store, r, rp)
	if err != nil {
		return Result{}, err
	}
	if !added {
		return Result{Outcome: OutcomeDuplicate, ReportCode: r.Code}, nil
	}
	return Result{Outcome: OutcomeThreaded, ReportCode: r.Code}, nil
}

// acceptImages cleans picture attachments and keeps up to limit of them;
// it describes the rest. Uploads carry cleaned bytes, with the content type
// in Name for PutPhoto.
func acceptImages(images []Attachment, limit int) (uploads []intake.Upload, notKept []string) {
	for _, a := range images {
		clean, ct, err := photo.Clean(a.Data)
		switch {
		case err != nil:
			notKept = append(notKept, describeAttachment(a, "ảnh không hợp lệ / not a valid photo"))
		case len(uploads) >= limit:
			notKept = append(notKept, describeAttachment(a, "quá số ảnh cho phép / over the photo limit"))
		default:
			uploads = append(uploads, intake.Upload{Name: ct, Data: clean})
		}
	}
	return uploads, notKept
}

// quarantine records a staff-visible event for a message that cannot
// become a report, once per message key, and returns the quarantine
// result. A crash between the event and the mark repeats the event: a
// duplicate note is better than a lost one.
func (p *Processor) quarantine(ctx context.Context, key, subject, reason, detail string) (Result, error) {
	res := Result{Outcome: OutcomeQuarantined, Reason: reason}
	if _, ok, err := p.done(ctx, key); ok || err != nil {
		return res, err
	}
	ev := feedback.Event{
		Type: feedback.EventQuarantined, Actor: feedback.ActorSystem, Public: false,
		Text: "Thư không xử lý được, đã chuyển vào thư mục cách ly / message quarantined: " + reason,
		Data: map[string]string{"channel": string(feedback.ChannelEmail), "reason": reason,
			"detail": truncateRunes(detail, 300), "message_ref": keyRef(key)},
	}
	if subject != "" {
		ev.Data["subject"] = truncateRunes(subject, 200)
	}
	if _, err := p.store.AppendEvents(ctx, []feedback.Event{ev}); err != nil {
		return Result{}, err
	}
	p.log.WarnContext(ctx, "mailbox: message quarantined", slog.String("reason", reason), slog.String("message_ref", keyRef(key)))
	return res, p.markDone(ctx, key, res)
}

// done returns the recorded result of a message processed before.
func (p *Processor) done(ctx context.Context, key string) (Result, bool, error) {
	v, err := p.store.State(ctx, nsDone, key)
	if feedback.ErrorCode(err) == feedback.ENOTFOUND {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, err
	}
	var res Result
	if err := json.Unmarshal(v, &res); err != nil {
		return Result{}, false, feedback.Internal(fmt.Errorf("mailbox: done record: %w", err))
	}
	return res, true, nil
}

func (p *Processor) markDone(ctx context.Context, key string, res Result) error {
	v, err := json.Marshal(res)
	if err != nil {
		return feedback.Internal(err)
	}
	return p.store.PutState(ctx, nsDone, key, v, p.now().Add(doneTTL))
}

// keyRef is a short, non-reversible reference to a message key for logs
// and staff events (a Message-ID can contain the sender's address).
func keyRef(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:6])
}

// validEmail returns addr when intake will accept it as a contact, "" when
// not (a local address with no dot in its domain, say): the report is
// still filed, only no mail can be sent back.
func validEmail(addr string) string {
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || len(addr) > 254 || !strings.Contains(domainOf(addr), ".") {
		return ""
	}
	return addr
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}
