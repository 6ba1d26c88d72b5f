package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"

	"phananh/city"
	"phananh/feedback"
	"phananh/lease"
	"phananh/mailbox"
)

// mailParts is the e-mail side of `phananh serve`: the SMTP mailer and the
// notifier (when PHANANH_SMTP_ADDR is set) and the IMAP ingestor (when
// PHANANH_IMAP_ADDR is set). Any part may be nil.
type mailParts struct {
	cfg *Config
	log *slog.Logger
	st  feedback.Store
	// Mailer sends mail with the SMTP settings; petitions reuse it for
	// confirmation links.
	Mailer *mailbox.Mailer
	// Notifier mails reporters; it joins the publisher fan-out through
	// mailParts.Publish.
	Notifier *mailbox.Notifier
	// Ingestor turns the chairman's mailbox into reports.
	Ingestor *mailbox.Ingestor
}

var _ feedback.Publisher = (*mailParts)(nil)

// newMail builds the mailer and the notifier. It needs no intake, so that
// it can be created before intake and put in the publisher fan-out that
// intake is given; withIngestor completes it.
func newMail(cfg *Config, st feedback.Store, c *city.City, log *slog.Logger) (*mailParts, error) {
	m := &mailParts{cfg: cfg, log: log, st: st}
	if cfg.SMTPAddr == "" {
		return m, nil
	}
	var err error
	m.Mailer, err = mailbox.NewMailer(mailbox.SMTPConfig{
		Addr: cfg.SMTPAddr, User: cfg.SMTPUser, Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS,
	})
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	m.Notifier = mailbox.NewNotifier(mailbox.NotifierDeps{
		Store: st, Mailer: m.Mailer, BaseURL: cfg.BaseURL, Logger: log, ReplyTo: m.replyTo(),
		UnitName: func(id string) string {
			u, _ := c.Unit(id)
			return u.Name
		},
	})
	return m, nil
}

// withIngestor adds the IMAP ingestor, filing through in, when IMAP is
// configured.
func (m *mailParts) withIngestor(in mailbox.Submitter) error {
	if m.cfg.IMAPAddr == "" {
		return nil
	}
	proc := mailbox.NewProcessor(mailbox.ProcessorDeps{
		Intake: in, Store: m.st, OwnAddress: m.ownAddress(), Acknowledge: m.Notifier != nil, Logger: m.log,
	})
	ing, err := mailbox.NewIngestor(mailbox.IMAPConfig{
		Addr: m.cfg.IMAPAddr, User: m.cfg.IMAPUser, Password: m.cfg.IMAPPassword, Mailbox: m.cfg.IMAPMailbox,
		TLS: m.cfg.IMAPTLS, Poll: m.cfg.IMAPPoll, Quarantine: m.cfg.IMAPQuarantine, DoneFolder: m.cfg.IMAPDoneFolder,
	}, proc, m.st, m.log)
	if err != nil {
		return fmt.Errorf("imap: %w", err)
	}
	m.Ingestor = ing
	return nil
}

// ownAddress is the address our mail comes from, so that a copy of it
// arriving in the mailbox is recognised as a loop: the SMTP From, else the
// IMAP login when it is an address.
func (m *mailParts) ownAddress() string {
	for _, s := range []string{m.cfg.SMTPFrom, m.cfg.IMAPUser} {
		if a, err := mail.ParseAddress(s); err == nil {
			return strings.ToLower(a.Address)
		}
	}
	return ""
}

// replyTo is the ingested mailbox when citizens' replies would otherwise
// go to a From address nobody reads: nil when there is no IMAP, when the
// login is not an address, or when it is the From address.
func (m *mailParts) replyTo() *mail.Address {
	if m.cfg.IMAPAddr == "" {
		return nil
	}
	a, err := mail.ParseAddress(m.cfg.IMAPUser)
	if err != nil || strings.EqualFold(a.Address, m.Mailer.From().Address) {
		return nil
	}
	return a
}

// Publish wakes the notifier for committed events; it never blocks.
func (m *mailParts) Publish(events []feedback.Event) {
	if m != nil && m.Notifier != nil {
		m.Notifier.Publish(events)
	}
}

// workers returns the parts to run under runWorkers.
func (m *mailParts) workers() []worker {
	var ws []worker
	if m.Notifier != nil {
		ws = append(ws, worker{"mail-notifier", m.Notifier.Run})
	}
	if m.Ingestor != nil {
		// One ingestor per mailbox among the instances sharing the store.
		l := lease.New(m.st, "mailbox:"+m.cfg.IMAPUser+"@"+m.cfg.IMAPAddr+"/"+m.cfg.IMAPMailbox,
			lease.Options{Logger: m.log})
		ws = append(ws, worker{"mailbox", func(ctx context.Context) error { return l.Run(ctx, m.Ingestor.Run) }})
	}
	return ws
}

// mailWorkers is the one call serve.go needs when the publisher fan-out
// is already fixed: it builds every part and returns its workers; the
// notifier then finds new events by polling (every 500 ms) instead of
// being woken.
func mailWorkers(cfg *Config, st feedback.Store, c *city.City, in mailbox.Submitter, log *slog.Logger) (*mailParts, []worker, error) {
	m, err := newMail(cfg, st, c, log)
	if err != nil {
		return nil, nil, err
	}
	if err := m.withIngestor(in); err != nil {
		return nil, nil, err
	}
	return m, m.workers(), nil
}
