package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"phananh/feedback"
	"phananh/mailbox"
	"phananh/petition"
)

// smtpRecorder is an in-process SMTP server that keeps each message's
// recipients and data; "bounce" recipients are refused for good.
type smtpRecorder struct {
	mu   sync.Mutex
	rcpt [][]string
	data [][]byte
}

func startSMTPRecorder(t *testing.T) (*smtpRecorder, string) {
	t.Helper()
	rec := &smtpRecorder{}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &recSession{rec: rec}, nil }))
	s.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { s.Close() })
	return rec, ln.Addr().String()
}

type recSession struct {
	rec *smtpRecorder
	to  []string
}

func (s *recSession) Mail(string, *smtp.MailOptions) error { s.to = nil; return nil }

func (s *recSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "bounce") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *recSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.rec.mu.Lock()
	s.rec.rcpt, s.rec.data = append(s.rec.rcpt, s.to), append(s.rec.data, b)
	s.rec.mu.Unlock()
	return nil
}

func (s *recSession) Reset()        { s.to = nil }
func (s *recSession) Logout() error { return nil }

func newPetitionMailer(t *testing.T) (petitionMailer, *smtpRecorder) {
	t.Helper()
	rec, addr := startSMTPRecorder(t)
	m, err := mailbox.NewMailer(mailbox.SMTPConfig{Addr: addr, From: "Hòm thư <phananh@example.vn>", TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	return petitionMailer{m}, rec
}

func TestPetitionMailKeepsWhatPetitionsSet(t *testing.T) {
	pm, rec := newPetitionMailer(t)
	msg := petition.Mail{To: mail.Address{Address: "nguoi.ky@example.vn"}, Subject: "Xác nhận chữ ký kiến nghị: Vỉa hè",
		Text: "Mở liên kết sau:\nhttps://phananh.example.vn/x?token=abc\n", AutoSubmitted: true}
	for range 2 {
		if err := pm.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.data) != 2 {
		t.Fatalf("%d messages sent, want 2", len(rec.data))
	}
	var ids []string
	for i, data := range rec.data {
		if got := strings.Join(rec.rcpt[i], ","); got != "nguoi.ky@example.vn" {
			t.Errorf("envelope recipients %q", got)
		}
		mr, err := gomail.CreateReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if to, _ := mr.Header.AddressList("To"); len(to) != 1 || to[0].Address != "nguoi.ky@example.vn" {
			t.Errorf("To header %v", to)
		}
		if s, _ := mr.Header.Subject(); s != msg.Subject {
			t.Errorf("subject %q, want %q", s, msg.Subject)
		}
		if a := mr.Header.Get("Auto-Submitted"); a != "auto-generated" {
			t.Errorf("Auto-Submitted %q, want auto-generated", a)
		}
		id, _ := mr.Header.MessageID()
		ids = append(ids, id)
		p, err := mr.NextPart()
		if err != nil {
			t.Fatal(err)
		}
		// SMTP carries lines ending in CRLF.
		if b, _ := io.ReadAll(p.Body); strings.ReplaceAll(string(b), "\r\n", "\n") != msg.Text {
			t.Errorf("text %q, want %q", b, msg.Text)
		}
	}
	if ids[0] == "" || ids[0] == ids[1] {
		t.Errorf("Message-IDs %q: each send needs its own", ids)
	}
}

func TestPetitionMailHumanMailNotAutoSubmitted(t *testing.T) {
	pm, rec := newPetitionMailer(t)
	msg := petition.Mail{To: mail.Address{Address: "a@example.vn"}, Subject: "s", Text: "t"}
	if err := pm.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	mr, err := gomail.CreateReader(bytes.NewReader(rec.data[0]))
	if err != nil {
		t.Fatal(err)
	}
	if a := mr.Header.Get("Auto-Submitted"); a != "" {
		t.Errorf("Auto-Submitted %q on mail not marked so", a)
	}
}

func TestPetitionMailRefusalIsPermanent(t *testing.T) {
	pm, _ := newPetitionMailer(t)
	err := pm.Send(context.Background(), petition.Mail{To: mail.Address{Address: "bounce@example.vn"}, Subject: "s", Text: "t", AutoSubmitted: true})
	if code := feedback.ErrorCode(err); code != feedback.EINVALID {
		t.Fatalf("refused recipient: code %q (%v), want %q so answers are not retried", code, err, feedback.EINVALID)
	}
}
