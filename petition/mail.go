package petition

import (
	"context"
	"net/mail"
)

// Mail is one e-mail the petition service sends: a confirmation link or an
// official answer, to one signer. It holds only what petitions need; the
// wiring in cmd/phananh turns it into the mail adapter's message.
type Mail struct {
	To      mail.Address
	Subject string
	Text    string // plain text, UTF-8
	// AutoSubmitted marks machine-generated mail (RFC 3834), so that
	// auto-responders do not answer it. Every petition mail sets it.
	AutoSubmitted bool
}

// Mailer sends one e-mail. Errors: EINVALID or EFORBIDDEN when the
// recipient is refused for good (an answer is then not retried); any other
// error, typically EUNAVAILABLE, is taken as one a retry may cure.
type Mailer interface {
	Send(ctx context.Context, msg Mail) error
}
