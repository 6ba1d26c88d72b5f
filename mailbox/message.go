package mailbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // windows-1258, ISO-8859-x, ... for bodies and headers
	"github.com/emersion/go-message/mail"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Limits on what a message may carry before it is read.
const (
	// maxPartBytes caps one decoded part: a photo within feedback's limit
	// plus slack, or a text body.
	maxPartBytes = 12 << 20
	// maxKeyLen keeps "email:<key>" within intake's idempotency key limit.
	maxKeyLen = 180
	// inlineLogoBytes: inline images (with a Content-ID) smaller than this
	// are signature logos and spacers, not photos of the problem.
	inlineLogoBytes = 16 << 10
)

// Message is an inbound e-mail as the ingestor understands it.
type Message struct {
	// ID is the Message-ID without angle brackets, "" when absent.
	ID string
	// Key identifies the message for exactly-once processing: the
	// Message-ID, or "sha256:<hex>" of its headers and body when it has
	// none (or an unusably long one).
	Key string
	// FromName and FromAddr are the sender; personal data.
	FromName, FromAddr string
	Subject            string
	// Body is the readable text: text/plain preferred, else the HTML as
	// text; quoted replies and signatures removed; NFC.
	Body string
	// InReplyTo and References are the Message-IDs the message answers.
	InReplyTo, References []string
	// Images are picture attachments, in order; Others the rest.
	Images []Attachment
	Others []Attachment
	// AutoReason says why the message is an auto-reply or a loop, "" when
	// it was written by a person.
	AutoReason string
}

// Attachment is a non-text part of a message.
type Attachment struct {
	Name        string
	ContentType string
	Size        int64
	Data        []byte // only kept for images
}

// ErrUnparsable marks a message that cannot be understood; it goes to
// quarantine.
var ErrUnparsable = errors.New("mailbox: unparsable message")

// ParseMessage reads a raw RFC 5322 message. Errors wrap ErrUnparsable.
func ParseMessage(raw []byte) (*Message, error) {
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, fmt.Errorf("%w: header: %v", ErrUnparsable, err)
	}
	h := mail.Header{Header: e.Header}
	m := &Message{}
	if err := m.readHeader(h); err != nil {
		return nil, err
	}
	if m.Key = m.ID; !usableID(m.ID) {
		m.Key = contentKey(h, raw)
	}
	var p bodyParts
	if err := p.walk(e); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnparsable, err)
	}
	m.Body = norm.NFC.String(p.text())
	m.Images, m.Others = p.images, p.others
	if m.AutoReason == "" && p.report {
		m.AutoReason = "delivery report"
	}
	return m, nil
}

func (m *Message) readHeader(h mail.Header) error {
	from, err := h.AddressList("From")
	if err == nil && len(from) > 0 {
		m.FromName, m.FromAddr = from[0].Name, from[0].Address
	} else {
		m.FromName, m.FromAddr = lenientAddress(h.Get("From"))
	}
	m.FromName = norm.NFC.String(strings.TrimSpace(m.FromName))
	m.FromAddr = strings.ToLower(strings.TrimSpace(m.FromAddr))
	if m.FromAddr == "" {
		return fmt.Errorf("%w: empty From address", ErrUnparsable)
	}
	subject, err := h.Subject()
	if err != nil {
		subject = h.Get("Subject") // undecodable encoded word: keep it raw
	}
	m.Subject = norm.NFC.String(strings.Join(strings.Fields(subject), " "))
	if id, err := h.MessageID(); err == nil {
		m.ID = id
	}
	m.InReplyTo, _ = h.MsgIDList("In-Reply-To")
	m.References, _ = h.MsgIDList("References")
	m.AutoReason = autoReplyReason(h)
	return nil
}

// angleAddr finds "<local@domain>" in a header that RFC 5322 parsing refused.
var angleAddr = regexp.MustCompile(`<([^<>@\s]+@[^<>@\s]+)>\s*$`)

// lenientAddress reads a From header as old or careless mailers write it:
// raw 8-bit names (taken as ISO-8859-1 unless they are UTF-8) and unquoted
// specials before an address in angle brackets.
func lenientAddress(v string) (name, addr string) {
	m := angleAddr.FindStringSubmatchIndex(v)
	if m == nil {
		return "", ""
	}
	name = strings.Trim(strings.TrimSpace(v[:m[0]]), `"`)
	if !utf8.ValidString(name) {
		if dec, err := charmap.ISO8859_1.NewDecoder().String(name); err == nil {
			name = dec
		}
	}
	return name, v[m[2]:m[3]]
}

// usableID reports whether a Message-ID can serve as the message's key.
func usableID(id string) bool {
	return id != "" && len(id) <= maxKeyLen && !strings.ContainsAny(id, " \t\r\n")
}

// hashKey is the key of a message without a usable Message-ID: a hash of
// parts, each length-prefixed. An unparsable message is keyed by its raw
// bytes alone (the IMAP server keeps them byte for byte).
func hashKey(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write(p)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// contentKey identifies a message without a Message-ID by what its author
// wrote: the originating headers and the body. Trace headers (Received,
// Delivered-To, Return-Path...) are left out, so the same message
// delivered twice gets the same key.
func contentKey(h mail.Header, raw []byte) string {
	var parts [][]byte
	for _, k := range []string{"From", "To", "Cc", "Date", "Subject"} {
		parts = append(parts, []byte(strings.Join(strings.Fields(h.Get(k)), " ")))
	}
	body := raw
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		body = raw[i+4:]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		body = raw[i+2:]
	}
	return hashKey(append(parts, body)...)
}

// bodyParts collects the text and attachments of a message while walking
// its MIME tree.
type bodyParts struct {
	plain, html []string
	images      []Attachment
	others      []Attachment
	report      bool // multipart/report: a bounce or a read receipt
}

func (p *bodyParts) walk(e *message.Entity) error {
	return e.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
			return err
		}
		ct, params, cterr := part.Header.ContentType()
		if cterr != nil {
			ct = "text/plain" // RFC 2045 default for an unreadable type
		}
		if strings.HasPrefix(ct, "multipart/") {
			if params["boundary"] == "" {
				return errors.New("multipart without boundary")
			}
			if ct == "multipart/report" {
				p.report = true
			}
			return nil
		}
		return p.add(part, ct)
	})
}

// add reads one leaf part.
func (p *bodyParts) add(part *message.Entity, ct string) error {
	disp, _, _ := part.Header.ContentDisposition()
	name := attachmentName(part.Header)
	data, err := io.ReadAll(io.LimitReader(part.Body, maxPartBytes+1))
	if err != nil && !message.IsUnknownCharset(err) {
		return fmt.Errorf("part %s: %w", ct, err)
	}
	attached := disp == "attachment" || (name != "" && !strings.HasPrefix(ct, "text/"))
	switch {
	case ct == "text/plain" && !attached:
		p.plain = append(p.plain, string(data))
	case ct == "text/html" && !attached:
		p.html = append(p.html, string(data))
	case isImage(ct, name) && len(data) <= maxPartBytes:
		if part.Header.Get("Content-Id") != "" && len(data) < inlineLogoBytes {
			return nil
		}
		p.images = append(p.images, Attachment{Name: name, ContentType: ct, Size: int64(len(data)), Data: data})
	default:
		if name == "" {
			name = ct
		}
		p.others = append(p.others, Attachment{Name: name, ContentType: ct, Size: int64(len(data))})
	}
	return nil
}

func (p *bodyParts) text() string {
	if t := strings.TrimSpace(strings.Join(p.plain, "\n\n")); t != "" {
		return cleanBody(t)
	}
	var parts []string
	for _, h := range p.html {
		parts = append(parts, htmlToText(h))
	}
	return cleanBody(strings.Join(parts, "\n\n"))
}

// attachmentName returns the decoded file name of a part (RFC 2231 or,
// as many clients still send, encoded words), "" when none.
func attachmentName(h message.Header) string {
	name, _ := (&mail.AttachmentHeader{Header: h}).Filename()
	dec := mime.WordDecoder{CharsetReader: message.CharsetReader}
	if d, err := dec.DecodeHeader(name); err == nil {
		name = d
	}
	name = strings.TrimSpace(strings.ReplaceAll(name, `\`, "/"))
	if name == "" {
		return ""
	}
	return norm.NFC.String(path.Base(name))
}

// isImage reports whether a part claims to be a picture. The claim is only
// a hint: photo.Clean judges the bytes.
func isImage(ct, name string) bool {
	if strings.HasPrefix(ct, "image/") {
		return true
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".jpg", ".jpeg", ".png", ".webp":
		return ct == "application/octet-stream"
	}
	return false
}
