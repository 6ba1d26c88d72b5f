package mailbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"phananh/feedback"
)

// SMTPConfig says how outgoing mail is sent.
type SMTPConfig struct {
	Addr     string // host:port
	User     string // empty: no authentication
	Password string
	// From is our address, with or without a display name
	// ("Hòm thư Chủ tịch <chutich@example.gov.vn>").
	From string
	// TLS is "starttls" (the default), "tls" (implicit) or "none".
	TLS       string
	TLSConfig *tls.Config // nil: system roots, server name from Addr
	// Timeout bounds one delivery (default 30s) when ctx has no deadline.
	Timeout time.Duration
	// HelloName is the EHLO name (default: the From domain).
	HelloName string
}

// Mail is one outgoing message. Text is required; HTML is optional and
// becomes the alternative part.
type Mail struct {
	To []mail.Address
	// ReplyTo, when set, is where replies should go (the ingested mailbox,
	// when mail is sent from another address).
	ReplyTo *mail.Address
	Subject string
	Text    string
	HTML    string
	// MessageID (without brackets) is generated when empty; set it to
	// make a retried send recognisable as the same message.
	MessageID  string
	InReplyTo  string
	References []string
	// AutoSubmitted marks machine-generated mail (RFC 3834), so that
	// auto-responders do not answer it. Notifications set it; a
	// confirmation link that the recipient asked for may too.
	AutoSubmitted bool
	Date          time.Time // zero: now
}

// Mailer sends mail over SMTP. It dials per message: notifications are
// rare, and a fresh connection never inherits a broken state. It is safe
// for concurrent use.
type Mailer struct {
	cfg  SMTPConfig
	from mail.Address
}

// NewMailer returns a Mailer. Errors: a missing address, an unreadable
// From, an unknown TLS mode.
func NewMailer(cfg SMTPConfig) (*Mailer, error) {
	if cfg.Addr == "" {
		return nil, errors.New("mailbox: SMTP address is required")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mailbox: SMTP From %q: %w", cfg.From, err)
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = "starttls"
	case "tls", "starttls", "none":
	default:
		return nil, fmt.Errorf("mailbox: SMTP TLS mode %q is not tls, starttls or none", cfg.TLS)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.HelloName == "" {
		cfg.HelloName = domainOf(from.Address)
	}
	return &Mailer{cfg: cfg, from: *from}, nil
}

// From returns our sender address.
func (m *Mailer) From() mail.Address { return m.from }

// Domain returns the domain of our address, used in Message-IDs.
func (m *Mailer) Domain() string { return domainOf(m.from.Address) }

// Send delivers msg. Errors carrying an SMTP 5xx reply are permanent
// (feedback.EINVALID: the address or message was refused); others are
// feedback.EUNAVAILABLE and worth retrying.
func (m *Mailer) Send(ctx context.Context, msg *Mail) error {
	if len(msg.To) == 0 {
		return feedback.FieldError("to", "Thiếu người nhận.", "No recipient.")
	}
	if msg.MessageID == "" {
		msg.MessageID = feedback.NewID() + "@" + m.Domain()
	}
	var body bytes.Buffer
	if err := compose(&body, m.from, msg); err != nil {
		return feedback.Internal(err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, m.cfg.Timeout)
		defer cancel()
	}
	to := make([]string, len(msg.To))
	for i, a := range msg.To {
		to[i] = a.Address
	}
	if err := m.deliver(ctx, to, body.Bytes()); err != nil {
		return classifySMTP(err)
	}
	return nil
}

func (m *Mailer) deliver(ctx context.Context, to []string, body []byte) error {
	c, err := m.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	if m.cfg.User != "" {
		if err := c.Auth(sasl.NewPlainClient("", m.cfg.User, m.cfg.Password)); err != nil {
			return err
		}
	}
	if err := c.SendMail(m.from.Address, to, bytes.NewReader(body)); err != nil {
		return err
	}
	return c.Quit()
}

func (m *Mailer) dial(ctx context.Context) (*smtp.Client, error) {
	d := &net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", m.cfg.Addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	tc := m.tlsConfig()
	var c *smtp.Client
	switch m.cfg.TLS {
	case "tls":
		c = smtp.NewClient(tls.Client(conn, tc))
	case "starttls":
		// go-smtp greets as "localhost" before STARTTLS and offers no way
		// to name ourselves on this path; submission servers accept it.
		if c, err = smtp.NewClientStartTLS(conn, tc); err != nil {
			conn.Close()
			return nil, err
		}
		return c, nil
	default:
		c = smtp.NewClient(conn)
	}
	if err := c.Hello(m.cfg.HelloName); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (m *Mailer) tlsConfig() *tls.Config {
	if m.cfg.TLSConfig != nil {
		return m.cfg.TLSConfig
	}
	host, _, _ := net.SplitHostPort(m.cfg.Addr)
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

// classifySMTP turns a delivery failure into a domain error: 5xx replies
// are permanent, everything else (network, 4xx) is transient. The server's
// reply text is dropped: it often quotes the recipient's address, and
// errors end up in logs.
func classifySMTP(err error) error {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return &feedback.Error{Code: feedback.EUNAVAILABLE, Message: "Máy chủ thư tạm thời không gửi được.",
			MessageEN: "mail server unavailable", Err: err}
	}
	ec := se.EnhancedCode
	reply := fmt.Sprintf("smtp %d %d.%d.%d", se.Code, ec[0], ec[1], ec[2])
	if se.Code >= 500 {
		return &feedback.Error{Code: feedback.EINVALID, Message: "Máy chủ thư từ chối thư.", MessageEN: "mail refused: " + reply}
	}
	return &feedback.Error{Code: feedback.EUNAVAILABLE, Message: "Máy chủ thư tạm thời không gửi được.",
		MessageEN: "mail deferred: " + reply}
}
