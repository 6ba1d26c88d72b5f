package mailbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"phananh/feedback"
)

// testTLS returns a server config with a fresh self-signed certificate
// for 127.0.0.1 and a client config that trusts only it.
func testTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "phananh test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return server, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

// listen listens on 127.0.0.1 with implicit TLS when mode is "tls", in
// clear otherwise (STARTTLS upgrades later).
func listen(t *testing.T, mode string, cfg *tls.Config) net.Listener {
	t.Helper()
	var ln net.Listener
	var err error
	if mode == "tls" {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", cfg)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// authSession is the sink session with AUTH PLAIN.
type authSession struct{ sinkSession }

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "phananh" || pass != "smtp-secret" {
			return errors.New("bad credentials")
		}
		return nil
	}), nil
}

func TestMailerTLSModesAndAuth(t *testing.T) {
	srvTLS, cliTLS := testTLS(t)
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			sink := &smtpSink{}
			s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
				return &authSession{sinkSession{sink: sink}}, nil
			}))
			s.Domain, s.TLSConfig = "localhost", srvTLS
			ln := listen(t, mode, srvTLS)
			go func() { _ = s.Serve(ln) }()
			t.Cleanup(func() { s.Close() })

			m, err := NewMailer(SMTPConfig{Addr: ln.Addr().String(), User: "phananh", Password: "smtp-secret",
				From: ourAddr, TLS: mode, TLSConfig: cliTLS})
			if err != nil {
				t.Fatal(err)
			}
			msg := &Mail{To: []mail.Address{{Address: "dan@example.com"}}, Subject: "Xác nhận", Text: "Xin chào"}
			if err := m.Send(context.Background(), msg); err != nil {
				t.Fatal(err)
			}
			if got := sink.all(); len(got) != 1 || got[0].To[0] != "dan@example.com" {
				t.Fatalf("received %+v", got)
			}
			bad, _ := NewMailer(SMTPConfig{Addr: ln.Addr().String(), User: "phananh", Password: "wrong",
				From: ourAddr, TLS: mode, TLSConfig: cliTLS})
			if err := bad.Send(context.Background(), msg); err == nil {
				t.Error("a wrong password was accepted")
			}
		})
	}
}

func TestIngestOverTLS(t *testing.T) {
	srvTLS, cliTLS := testTLS(t)
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			base := startIMAP(t, idleCaps) // holds the mailboxes
			srv := imapserver.New(&imapserver.Options{
				NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
					return base.mem.NewSession(), nil, nil
				},
				Caps: imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}, TLSConfig: srvTLS, Logger: discardLogger{},
			})
			ln := listen(t, mode, srvTLS)
			go func() { _ = srv.Serve(ln) }()
			t.Cleanup(func() { srv.Close() })

			e := ingestEnvAt(t, base.addr, testUser, "")
			e.in.cfg.Addr, e.in.cfg.TLS, e.in.cfg.TLSConfig = ln.Addr().String(), mode, cliTLS
			runIngestor(t, e.in)
			e.deliver(t, mailSpec{Subject: "Qua TLS", MessageID: mode + "@example.com", Body: "Thư đến qua kết nối mã hóa."}.raw())
			if n := len(reports(t, e.store)); n != 1 {
				t.Errorf("%d reports", n)
			}
		})
	}
}

func TestMailerRefusalIsPermanentAndKeepsTheAddressOutOfTheError(t *testing.T) {
	sink := startSMTP(t)
	m, err := NewMailer(SMTPConfig{Addr: sink.addr, TLS: "none", From: ourAddr})
	if err != nil {
		t.Fatal(err)
	}
	err = m.Send(context.Background(), &Mail{To: []mail.Address{{Address: "bounce.secret@example.com"}}, Subject: "x", Text: "y"})
	if feedback.ErrorCode(err) != feedback.EINVALID || strings.Contains(err.Error(), "secret") {
		t.Errorf("err = %v, want EINVALID without the address", err)
	}
}
