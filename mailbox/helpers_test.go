package mailbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"

	"phananh/city"
	"phananh/feedback"
	"phananh/intake"
	"phananh/store/sqlite"
)

const (
	testUser = "chutich@tuyhoa.example.vn"
	testPass = "mat-khau-thu"
	ourAddr  = "phananh@tuyhoa.example.vn"
)

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// mustStore opens a real SQLite store in dir.
func mustStore(tb testing.TB, dir string) *sqlite.Store {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), dir, sqlite.WithLogger(quietLog()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// newProcessor files reports through a real intake on st.
func newProcessor(st feedback.Store) *Processor {
	in := intake.New(intake.Deps{Store: st, City: city.Demo(), Logger: quietLog()})
	return NewProcessor(ProcessorDeps{Intake: in, Store: st, OwnAddress: ourAddr, Acknowledge: true, Logger: quietLog()})
}

// testJPEG returns a small valid JPEG; seed makes different pictures.
func testJPEG(tb testing.TB, seed int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 96, 64))
	for y := range 64 {
		for x := range 96 {
			img.Set(x, y, color.RGBA{uint8(x*2 + seed), uint8(y * 3), uint8(seed * 40), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// mailSpec describes a test message.
type mailSpec struct {
	From      string // header value
	Subject   string // raw header value
	MessageID string // without brackets; "" for none
	InReplyTo string
	Headers   []string // extra header lines
	Body      string   // UTF-8 text/plain, quoted-printable
	JPEGs     [][]byte
	PDF       bool
}

// raw builds the message with CRLF line ends.
func (m mailSpec) raw() []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\r\n", args...) }
	if m.From == "" {
		m.From = `"Nguyễn Văn An" <an.nguyen@example.com>`
	}
	w("From: %s", m.From)
	w("To: %s", testUser)
	w("Subject: %s", m.Subject)
	w("Date: Mon, 10 Mar 2025 09:00:00 +0700")
	if m.MessageID != "" {
		w("Message-ID: <%s>", m.MessageID)
	}
	if m.InReplyTo != "" {
		w("In-Reply-To: <%s>", m.InReplyTo)
		w("References: <%s>", m.InReplyTo)
	}
	for _, h := range m.Headers {
		w("%s", h)
	}
	w("MIME-Version: 1.0")
	w(`Content-Type: multipart/mixed; boundary="b1"`)
	w("")
	w("--b1")
	w("Content-Type: text/plain; charset=utf-8")
	w("Content-Transfer-Encoding: base64")
	w("")
	w("%s", base64.StdEncoding.EncodeToString([]byte(m.Body)))
	for i, j := range m.JPEGs {
		w("--b1")
		w("Content-Type: image/jpeg")
		w(`Content-Disposition: attachment; filename="anh%d.jpg"`, i+1)
		w("Content-Transfer-Encoding: base64")
		w("")
		w("%s", base64.StdEncoding.EncodeToString(j))
	}
	if m.PDF {
		w("--b1")
		w(`Content-Type: application/pdf; name="don.pdf"`)
		w(`Content-Disposition: attachment; filename="don.pdf"`)
		w("Content-Transfer-Encoding: base64")
		w("")
		w("%s", base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 not really")))
	}
	w("--b1--")
	return []byte(b.String())
}

// imapTestServer is go-imap's in-memory server on 127.0.0.1.
type imapTestServer struct {
	addr  string
	caps  imap.CapSet
	mem   *imapmemserver.Server
	user  *imapmemserver.User
	close func()
}

func startIMAP(tb testing.TB, caps imap.CapSet) *imapTestServer {
	tb.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(testUser, testPass)
	if err := user.Create("INBOX", nil); err != nil {
		tb.Fatal(err)
	}
	mem.AddUser(user)
	s := &imapTestServer{addr: "127.0.0.1:0", caps: caps, mem: mem, user: user}
	s.serve(tb)
	return s
}

// restartIMAP serves old's mailboxes again on the same address.
func restartIMAP(tb testing.TB, old *imapTestServer) *imapTestServer {
	tb.Helper()
	s := *old
	s.serve(tb)
	return &s
}

func (s *imapTestServer) serve(tb testing.TB) {
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return s.mem.NewSession(), nil, nil
		},
		Caps: s.caps, InsecureAuth: true, Logger: discardLogger{},
	})
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		tb.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	var once sync.Once
	s.close = func() { once.Do(func() { srv.Close() }) }
	tb.Cleanup(s.close)
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// imapClient logs in to addr as the test user.
func imapClient(tb testing.TB, addr, user, pass string) *imapclient.Client {
	tb.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	if err := c.Login(user, pass).Wait(); err != nil {
		tb.Fatal(err)
	}
	return c
}

// appendMail stores raw in a folder, as a mail server delivering it would.
func appendMail(tb testing.TB, c *imapclient.Client, folder string, raw []byte) {
	tb.Helper()
	appendMailAt(tb, c, folder, raw, time.Time{})
}

// appendMailAt appends with an internal (arrival) date; zero is now.
func appendMailAt(tb testing.TB, c *imapclient.Client, folder string, raw []byte, at time.Time) {
	tb.Helper()
	cmd := c.Append(folder, int64(len(raw)), &imap.AppendOptions{Time: at})
	if _, err := cmd.Write(raw); err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		tb.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		tb.Fatal(err)
	}
}

// folderCount returns the number of messages in a folder.
func folderCount(tb testing.TB, c *imapclient.Client, folder string) uint32 {
	tb.Helper()
	st, err := c.Status(folder, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		tb.Fatal(err)
	}
	return *st.NumMessages
}

func testIMAPConfig(addr string) IMAPConfig {
	return IMAPConfig{Addr: addr, User: testUser, Password: testPass, TLS: "none",
		Poll: 300 * time.Millisecond, BackoffMin: 50 * time.Millisecond, BackoffMax: 500 * time.Millisecond}
}

// runIngestor runs in until the test ends.
func runIngestor(tb testing.TB, in *Ingestor) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("Run: %v", err)
		}
	})
}

// eventually polls cond until it holds or 15 s pass.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// reports returns every report in the store.
func reports(tb testing.TB, st feedback.Store) []*feedback.Report {
	tb.Helper()
	p, err := st.FindReports(context.Background(), feedback.ReportFilter{Limit: 200})
	if err != nil {
		tb.Fatal(err)
	}
	return p.Reports
}

// eventsOf returns the events of a type, all reports.
func eventsOf(tb testing.TB, st feedback.Store, t feedback.EventType) []feedback.Event {
	tb.Helper()
	evs, err := st.Events(context.Background(), feedback.EventFilter{Limit: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	var out []feedback.Event
	for _, e := range evs {
		if e.Type == t {
			out = append(out, e)
		}
	}
	return out
}

// smtpSink is an in-process SMTP server that keeps what it receives.
type smtpSink struct {
	addr string
	mu   sync.Mutex
	msgs []sunkMail
}

type sunkMail struct {
	From string
	To   []string
	Data []byte
}

func startSMTP(tb testing.TB) *smtpSink {
	tb.Helper()
	sink := &smtpSink{}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &sinkSession{sink: sink}, nil
	}))
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	sink.addr = ln.Addr().String()
	go func() { _ = s.Serve(ln) }()
	tb.Cleanup(func() { s.Close() })
	return sink
}

func (s *smtpSink) all() []sunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunkMail(nil), s.msgs...)
}

type sinkSession struct {
	sink *smtpSink
	cur  sunkMail
}

func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	s.cur = sunkMail{From: from}
	return nil
}

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "bounce") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user " + to}
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = b
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, s.cur)
	s.sink.mu.Unlock()
	return nil
}

func (s *sinkSession) Reset()        {}
func (s *sinkSession) Logout() error { return nil }
