package mailbox

import (
	"errors"
	"fmt"
	"mime/quotedprintable"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// toneMarks are the combining marks windows-1258 encodes separately.
var toneMarks = map[rune]bool{'\u0300': true, '\u0301': true, '\u0303': true, '\u0309': true, '\u0323': true}

// encode1258 writes s in windows-1258 the way Vietnamese Windows does:
// a letter the code page lacks precomposed is written as the letter
// without its tone followed by the combining tone mark.
func encode1258(t *testing.T, s string) []byte {
	t.Helper()
	enc := charmap.Windows1258.NewEncoder()
	var out []byte
	for _, r := range s {
		if b, err := enc.Bytes([]byte(string(r))); err == nil {
			out = append(out, b...)
			continue
		}
		var base, tone []rune
		for _, d := range norm.NFD.String(string(r)) {
			if toneMarks[d] {
				tone = append(tone, d)
			} else {
				base = append(base, d)
			}
		}
		b, err := enc.Bytes([]byte(norm.NFC.String(string(base)) + string(tone)))
		if err != nil {
			t.Fatalf("cannot encode %q in windows-1258: %v", r, err)
		}
		out = append(out, b...)
	}
	return out
}

// qWord is an RFC 2047 Q encoded word of windows-1258 bytes.
func qWord(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		switch {
		case c == ' ':
			s.WriteByte('_')
		case c < 128 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'):
			s.WriteByte(c)
		default:
			fmt.Fprintf(&s, "=%02X", c)
		}
	}
	return "=?windows-1258?Q?" + s.String() + "?="
}

func TestParseWindows1258DecodesToNFCVietnamese(t *testing.T) {
	want := "Đường Trần Hưng Đạo có rác thải ùn ứ, bốc mùi nặng, đề nghị xử lý."
	body := encode1258(t, want)
	if strings.Contains(string(body), "ả") {
		t.Fatal("fixture is not windows-1258")
	}
	var qp strings.Builder
	w := quotedprintable.NewWriter(&qp)
	w.Write(body)
	w.Close()
	raw := "From: " + qWord(encode1258(t, "Trần Văn Bình")) + " <binh@example.com>\r\n" +
		"Subject: " + qWord(encode1258(t, "Rác thải")) + "\r\n" +
		"Message-ID: <cp1258@example.com>\r\n" +
		"Content-Type: text/plain; charset=windows-1258\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qp.String()
	m, err := ParseMessage([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Body != want {
		t.Errorf("body = %q\nwant   %q", m.Body, want)
	}
	if !norm.NFC.IsNormalString(m.Body) {
		t.Error("body is not NFC")
	}
	if m.Subject != "Rác thải" {
		t.Errorf("subject = %q", m.Subject)
	}
	if m.FromName != "Trần Văn Bình" {
		t.Errorf("from name = %q", m.FromName)
	}
	if m.FromAddr != "binh@example.com" || m.Key != "cp1258@example.com" {
		t.Errorf("from %q key %q", m.FromAddr, m.Key)
	}
}

func TestParseISO88591AndHTMLOnly(t *testing.T) {
	raw := "From: Jos\xe9 <jose@example.org>\r\n" +
		"Subject: Streetlight\r\n" +
		"Content-Type: text/html; charset=ISO-8859-1\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"<html><head><style>p{color:red}</style></head><body><p>Caf=E9 corner: the lamp is <b>broken</b>.</p>" +
		"<ul><li>since Monday</li><li>very dark</li></ul>" +
		"<div class=3D\"gmail_quote\">On Mon someone wrote:<blockquote>old text</blockquote></div></body></html>"
	m, err := ParseMessage([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Café corner: the lamp is broken.\n\n- since Monday\n- very dark"; m.Body != want {
		t.Errorf("body = %q", m.Body)
	}
	for _, bad := range []string{"color:red", "old text", "wrote"} {
		if strings.Contains(m.Body, bad) {
			t.Errorf("body keeps %q", bad)
		}
	}
	if !strings.HasPrefix(m.Key, "sha256:") {
		t.Errorf("no Message-ID: key %q, want a hash", m.Key)
	}
	again, _ := ParseMessage([]byte("Received: from mx2.example.net\r\nDelivered-To: x@example.vn\r\n" + raw))
	if again.Key != m.Key {
		t.Error("hash key changes with trace headers: a second delivery would file a second report")
	}
	other, _ := ParseMessage([]byte(strings.Replace(raw, "broken", "flickering", 1)))
	if other.Key == m.Key {
		t.Error("different bodies share a key")
	}
}

func TestParsePrefersPlainAndStripsQuotesAndSignature(t *testing.T) {
	body := "Xin chào,\r\nCống ở tổ 5 bị tắc.\r\n\r\n> trích dẫn cũ\r\n-- \r\nNguyễn Văn An\r\n0905123456\r\n"
	spec := mailSpec{Subject: "Re: cống", MessageID: "q@example.com", Body: body, PDF: true, JPEGs: [][]byte{testJPEG(t, 1)}}
	m, err := ParseMessage(spec.raw())
	if err != nil {
		t.Fatal(err)
	}
	if m.Body != "Xin chào,\nCống ở tổ 5 bị tắc." {
		t.Errorf("body = %q", m.Body)
	}
	if len(m.Images) != 1 || m.Images[0].Name != "anh1.jpg" || len(m.Others) != 1 || m.Others[0].Name != "don.pdf" {
		t.Errorf("images %d others %+v", len(m.Images), m.Others)
	}
	if m.FromName != "Nguyễn Văn An" {
		t.Errorf("from name %q", m.FromName)
	}
}

func TestParseBrokenMIMEIsUnparsable(t *testing.T) {
	cases := map[string]string{
		"no boundary": "From: a@example.com\r\nContent-Type: multipart/mixed\r\n\r\nbody",
		"bad base64":  "From: a@example.com\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!",
		"no from":     "Subject: hi\r\nContent-Type: text/plain\r\n\r\nhello there citizen",
		"unterminated": "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n" +
			"Content-Type: text/plain\r\n\r\ntext without the closing boundary",
		"garbage header": "\x00\x01\x02 not a header\r\n\r\n",
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseMessage([]byte(raw))
			if !errors.Is(err, ErrUnparsable) {
				t.Fatalf("err = %v, want ErrUnparsable", err)
			}
		})
	}
}

func TestCleanBody(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"gmail vi":    {"Bổ sung ảnh.\n\nVào Th 2, 10 thg 3, 2025 lúc 09:00 Hòm thư <a@b.vn> đã viết:\n> cũ", "Bổ sung ảnh."},
		"outlook vi":  {"Đã xử lý chưa?\n\nTừ: Hòm thư <a@b.vn>\nĐã gửi: Thứ Hai\nTiêu đề: cũ", "Đã xử lý chưa?"},
		"outlook en":  {"Any news?\r\n\r\nFrom: City <a@b.vn>\r\nSent: Monday\r\nSubject: old", "Any news?"},
		"mobile":      {"Ngập nặng.\nGửi từ iPhone của tôi", "Ngập nặng."},
		"blank lines": {"\n\nMột\n\n\n\nHai  \n", "Một\n\nHai"},
	}
	for name, c := range cases {
		if got := cleanBody(c.in); got != c.want {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
	if got := htmlToText("<p>The lamp is <b>broken</b> since <i>Monday</i>.<br>Thanks</p>"); got != "The lamp is broken since Monday.\nThanks" {
		t.Errorf("html: %q", got)
	}
}

func TestAutoReplies(t *testing.T) {
	cases := map[string]struct {
		from   string
		header string
		want   bool
	}{
		"person":            {"a@example.com", "X-Mailer: Thunderbird", false},
		"auto-submitted no": {"a@example.com", "Auto-Submitted: no", false},
		"auto-replied":      {"a@example.com", "Auto-Submitted: auto-replied", true},
		"precedence bulk":   {"a@example.com", "Precedence: bulk", true},
		"precedence list":   {"a@example.com", "Precedence: list", true},
		"precedence junk":   {"a@example.com", "Precedence: junk", true},
		"x-autoreply":       {"a@example.com", "X-Autoreply: yes", true},
		"x-autorespond":     {"a@example.com", "X-Autorespond: vacation", true},
		"mailer-daemon":     {"MAILER-DAEMON@example.com", "X-Mailer: x", true},
		"bounce":            {"a@example.com", "Return-Path: <>", true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			raw := "From: " + c.from + "\r\n" + c.header + "\r\nSubject: Out of office\r\n\r\nI am away until Monday."
			m, err := ParseMessage([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if got := m.AutoReason != ""; got != c.want {
				t.Errorf("auto = %v (%q), want %v", got, m.AutoReason, c.want)
			}
		})
	}
}

func TestReportTextFitsAndListsAttachments(t *testing.T) {
	long := strings.Repeat("rác ", 2000)
	got := reportText("Re: [PA-ABCD1234] Rác", long, []string{"don.pdf (1 KB)"})
	if n := len([]rune(got)); n > 5000 {
		t.Errorf("text has %d runes", n)
	}
	if !strings.HasPrefix(got, "Rác\n\n") || !strings.HasSuffix(got, "don.pdf (1 KB)]") {
		t.Errorf("text = %q...%q", got[:20], got[len(got)-30:])
	}
	if codeFromSubject("Re: [pa-abcd 1234] Rác") != "ABCD1234" {
		t.Error("subject tag not recognised")
	}
}
