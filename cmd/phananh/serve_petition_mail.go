package main

import (
	"context"
	"net/mail"

	"phananh/mailbox"
	"phananh/petition"
)

// petitionMailer sends the petition service's mail with the SMTP mailer, so
// that petition/ need not import the mailbox adapter.
type petitionMailer struct{ m *mailbox.Mailer }

var _ petition.Mailer = petitionMailer{}

// Send implements petition.Mailer; errors are the mailer's (EINVALID when
// the server refuses the recipient, EUNAVAILABLE otherwise).
func (p petitionMailer) Send(ctx context.Context, msg petition.Mail) error {
	return p.m.Send(ctx, toMailboxMail(msg))
}

// toMailboxMail is msg as the mailbox adapter's message. A fresh value per
// send: the mailer fills in the Message-ID.
func toMailboxMail(msg petition.Mail) *mailbox.Mail {
	return &mailbox.Mail{
		To: []mail.Address{msg.To}, Subject: msg.Subject, Text: msg.Text,
		AutoSubmitted: msg.AutoSubmitted,
	}
}
