package mailbox

import (
	"fmt"
	"io"
	netmail "net/mail"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
)

// compose writes msg as a MIME message: multipart/alternative with a
// quoted-printable UTF-8 text part and, when there is HTML, an HTML part.
func compose(w io.Writer, from netmail.Address, msg *Mail) error {
	h := mail.Header{}
	h.SetAddressList("From", []*mail.Address{&from})
	to := make([]*mail.Address, len(msg.To))
	for i := range msg.To {
		to[i] = &msg.To[i]
	}
	h.SetAddressList("To", to)
	if msg.ReplyTo != nil {
		h.SetAddressList("Reply-To", []*mail.Address{msg.ReplyTo})
	}
	h.SetSubject(msg.Subject)
	date := msg.Date
	if date.IsZero() {
		date = time.Now()
	}
	h.SetDate(date)
	h.SetMessageID(msg.MessageID)
	if msg.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{msg.InReplyTo})
	}
	if len(msg.References) > 0 {
		h.SetMsgIDList("References", msg.References)
	}
	if msg.AutoSubmitted {
		h.Set("Auto-Submitted", "auto-generated")
		h.Set("X-Auto-Response-Suppress", "All")
	}
	h.Set("X-Loop", "phananh")
	h.Set("Content-Language", "vi, en")
	h.Set("MIME-Version", "1.0")
	if msg.HTML == "" {
		return writePart(w, h.Header, "text/plain", msg.Text)
	}
	h.SetContentType("multipart/alternative", nil)
	mw, err := message.CreateWriter(w, h.Header)
	if err != nil {
		return err
	}
	for _, p := range []struct{ ct, body string }{{"text/plain", msg.Text}, {"text/html", msg.HTML}} {
		pw, err := mw.CreatePart(textHeader(p.ct))
		if err != nil {
			return err
		}
		if _, err := io.WriteString(pw, p.body); err != nil {
			return err
		}
		if err := pw.Close(); err != nil {
			return err
		}
	}
	return mw.Close()
}

func textHeader(ct string) message.Header {
	var h message.Header
	h.SetContentType(ct, map[string]string{"charset": "utf-8"})
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	return h
}

// writePart writes a single-part text message.
func writePart(w io.Writer, h message.Header, ct, body string) error {
	th := textHeader(ct)
	fields := th.Fields()
	for fields.Next() {
		h.Set(fields.Key(), fields.Value())
	}
	ww, err := message.CreateWriter(w, h)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(ww, body); err != nil {
		return fmt.Errorf("write body: %w", err)
	}
	return ww.Close()
}
