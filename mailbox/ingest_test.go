package mailbox

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"phananh/feedback"
)

// ingestEnv is an ingestor on a real store watching an in-memory server.
type ingestEnv struct {
	srv    *imapTestServer
	store  feedback.Store
	in     *Ingestor
	client *imapclient.Client // the "mail server delivering" side
}

func newIngestEnv(t *testing.T, caps imap.CapSet, done string) *ingestEnv {
	t.Helper()
	srv := startIMAP(t, caps)
	e := ingestEnvAt(t, srv.addr, testUser, done)
	e.srv = srv
	return e
}

// ingestEnvAt is an ingestor on a fresh store watching user's INBOX at addr.
func ingestEnvAt(t *testing.T, addr, user, done string) *ingestEnv {
	t.Helper()
	st := mustStore(t, t.TempDir())
	cfg := testIMAPConfig(addr)
	cfg.User, cfg.DoneFolder = user, done
	in, err := NewIngestor(cfg, newProcessor(st), st, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	return &ingestEnv{store: st, in: in, client: imapClient(t, addr, user, testPass)}
}

// deliver appends a message to INBOX and waits until the ingestor's
// checkpoint has passed it.
func (e *ingestEnv) deliver(t *testing.T, raw []byte) {
	t.Helper()
	before := e.uidNext(t)
	appendMail(t, e.client, "INBOX", raw)
	e.waitCheckpoint(t, before)
}

func (e *ingestEnv) uidNext(t *testing.T) imap.UID {
	t.Helper()
	st, err := e.client.Status("INBOX", &imap.StatusOptions{UIDNext: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return st.UIDNext
}

func (e *ingestEnv) waitCheckpoint(t *testing.T, uid imap.UID) {
	t.Helper()
	eventually(t, "checkpoint to pass the message", func() bool {
		cp, err := e.in.loadCheckpoint(context.Background())
		return err == nil && cp.LastUID >= uid
	})
}

var idleCaps = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}

func TestIngestMailWithPhotoBecomesOneReport(t *testing.T) {
	e := newIngestEnv(t, idleCaps, "")
	runIngestor(t, e.in)
	spec := mailSpec{Subject: "Rác thải ùn ứ đường Trần Hưng Đạo", MessageID: "first@example.com",
		Body: "Rác thải ùn ứ nhiều ngày trước số 12, bốc mùi nặng.", JPEGs: [][]byte{testJPEG(t, 1)}, PDF: true}
	e.deliver(t, spec.raw())

	rs := reports(t, e.store)
	if len(rs) != 1 {
		t.Fatalf("%d reports, want 1", len(rs))
	}
	r := rs[0]
	if r.Channel != feedback.ChannelEmail || len(r.Photos) != 1 || r.IdempotencyKey != "email:first@example.com" {
		t.Errorf("channel %s photos %d key %q", r.Channel, len(r.Photos), r.IdempotencyKey)
	}
	if r.Reporter.Email != "an.nguyen@example.com" || r.Reporter.Name != "Nguyễn Văn An" || r.Public {
		t.Errorf("reporter %+v public %v", r.Reporter, r.Public)
	}
	for _, want := range []string{"Rác thải ùn ứ đường Trần Hưng Đạo", "số 12", "don.pdf"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text %q lacks %q", r.Text, want)
		}
	}
	eventually(t, "the message flagged \\Seen", func() bool { return e.seen(t, 1) })

	// The same message delivered again (a second copy, new UID) files
	// nothing new.
	e.deliver(t, spec.raw())
	if n := len(reports(t, e.store)); n != 1 {
		t.Fatalf("after a repeat: %d reports, want 1", n)
	}
}

func (e *ingestEnv) seen(t *testing.T, uid imap.UID) bool {
	t.Helper()
	if _, err := e.client.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := e.client.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("fetch flags: %v (%d)", err, len(msgs))
	}
	return slices.Contains(msgs[0].Flags, imap.FlagSeen)
}

func TestIngestReplyWithCodeJoinsTheReport(t *testing.T) {
	e := newIngestEnv(t, idleCaps, "Processed")
	runIngestor(t, e.in)
	e.deliver(t, mailSpec{Subject: "Đèn đường hỏng", MessageID: "lamp@example.com",
		Body: "Đèn đường trước chợ Tuy Hòa hỏng ba hôm nay."}.raw())
	r := reports(t, e.store)[0]

	reply := mailSpec{Subject: "Re: " + SubjectTag(r.Code) + " Đã tiếp nhận phản ánh", MessageID: "lamp-reply@example.com",
		Body: "Xin bổ sung: đèn số 3 và số 4.\n\nVào 10/3, Phản ánh đã viết:\n> Chúng tôi đã tiếp nhận", JPEGs: [][]byte{testJPEG(t, 2)}}
	e.deliver(t, reply.raw())
	e.deliver(t, reply.raw()) // delivered twice: attached once

	if n := len(reports(t, e.store)); n != 1 {
		t.Fatalf("%d reports, want the reply to join the first", n)
	}
	msgs := eventsOf(t, e.store, feedback.EventCitizenMessage)
	if len(msgs) != 1 {
		t.Fatalf("%d citizen messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.ReportID != r.ID || m.Public || m.Text != "Xin bổ sung: đèn số 3 và số 4." || m.Data["from_reporter"] != "true" || m.Data["photos"] == "" {
		t.Errorf("citizen message %+v", m)
	}
	// Moving to the done folder follows the checkpoint: wait for it.
	eventually(t, "three messages in the done folder", func() bool { return folderCount(t, e.client, "Processed") == 3 })
}

func TestIngestIgnoresAutoRepliesAndQuarantinesBrokenMail(t *testing.T) {
	e := newIngestEnv(t, idleCaps, "")
	runIngestor(t, e.in)
	e.deliver(t, mailSpec{Subject: "Tự động trả lời: Out of office", MessageID: "ooo@example.com",
		Headers: []string{"Auto-Submitted: auto-replied"}, Body: "Tôi đang nghỉ phép đến thứ Hai."}.raw())
	e.deliver(t, mailSpec{From: ourAddr, Subject: "[PA-ABCD1234] Đã tiếp nhận", MessageID: "loop@example.com",
		Body: "Our own acknowledgement came back to us."}.raw())
	broken := "From: a@example.com\r\nSubject: broken\r\nMessage-ID: <broken@example.com>\r\n" +
		"Content-Type: multipart/mixed\r\n\r\nno boundary here"
	e.deliver(t, []byte(broken))
	// A good message after the broken one is not held up.
	e.deliver(t, mailSpec{Subject: "Lấn chiếm vỉa hè", MessageID: "after@example.com",
		Body: "Quán nước lấn chiếm vỉa hè đường Lê Lợi."}.raw())

	if n := len(reports(t, e.store)); n != 1 {
		t.Errorf("%d reports, want only the good one", n)
	}
	q := eventsOf(t, e.store, feedback.EventQuarantined)
	if len(q) != 1 || q[0].Public || q[0].Data["reason"] != "unparsable" || q[0].Data["subject"] != "" && strings.Contains(q[0].Text, "a@example.com") {
		t.Fatalf("quarantine events %+v", q)
	}
	if n := folderCount(t, e.client, "Quarantine"); n != 1 {
		t.Errorf("quarantine folder has %d messages, want 1", n)
	}
	if n := folderCount(t, e.client, "INBOX"); n != 3 {
		t.Errorf("INBOX has %d messages, want 3 (the quarantined one moved)", n)
	}
}

func TestIngestWithoutIdleAndAfterUIDValidityChange(t *testing.T) {
	e := newIngestEnv(t, imap.CapSet{imap.CapIMAP4rev1: {}}, "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.in.Run(ctx) }()
	first := mailSpec{Subject: "Cây đổ", MessageID: "tree@example.com", Body: "Cây đổ chắn ngang đường Nguyễn Huệ."}.raw()
	e.deliver(t, first)
	broken := []byte("From: a@example.com\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!")
	e.deliver(t, broken)
	cancel()
	<-done

	// The server rebuilds the mailbox: new UIDVALIDITY, same messages.
	if err := e.srv.user.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	appendMail(t, e.client, "INBOX", first)
	appendMail(t, e.client, "INBOX", mailSpec{Subject: "Ngập nước", MessageID: "flood@example.com",
		Body: "Ngập nước sau mưa ở hẻm 45 Hùng Vương."}.raw())
	runIngestor(t, e.in)
	eventually(t, "the new message after the rescan", func() bool { return len(reports(t, e.store)) == 2 })
	e.waitCheckpoint(t, 2)
	if n := len(reports(t, e.store)); n != 2 {
		t.Errorf("%d reports after the rescan, want 2", n)
	}
	if n := len(eventsOf(t, e.store, feedback.EventQuarantined)); n != 1 {
		t.Errorf("%d quarantine events, want 1", n)
	}
	if n := folderCount(t, e.client, "Quarantine"); n != 1 {
		t.Errorf("quarantine folder has %d (moved without MOVE support), want 1", n)
	}
}

func TestIngestReconnectsAfterTheServerGoesAway(t *testing.T) {
	first := startIMAP(t, idleCaps)
	e := ingestEnvAt(t, first.addr, testUser, "")
	runIngestor(t, e.in)
	e.deliver(t, mailSpec{Subject: "Trước", MessageID: "before@example.com", Body: "Rác trước khi máy chủ khởi động lại."}.raw())

	// The server restarts on the same address, keeping its mailboxes.
	first.close()
	second := restartIMAP(t, first)
	e.client = imapClient(t, second.addr, testUser, testPass)
	e.deliver(t, mailSpec{Subject: "Sau", MessageID: "after@example.com", Body: "Rác sau khi máy chủ khởi động lại."}.raw())
	if n := len(reports(t, e.store)); n != 2 {
		t.Errorf("%d reports, want 2", n)
	}
}

func TestIngestQuarantinesOversizeMailUnread(t *testing.T) {
	srv := startIMAP(t, idleCaps)
	e := ingestEnvAt(t, srv.addr, testUser, "")
	e.in.cfg.MaxMessageBytes = 1500 // the small mail is about 700 bytes, the photo mail over 3000
	runIngestor(t, e.in)
	e.deliver(t, mailSpec{Subject: "Ảnh lớn", MessageID: "big@example.com", Body: "Ảnh đính kèm.", JPEGs: [][]byte{testJPEG(t, 3)}}.raw())
	e.deliver(t, mailSpec{Subject: "Nhỏ", MessageID: "small@example.com", Body: "Thư nhỏ vẫn được xử lý bình thường."}.raw())
	q := eventsOf(t, e.store, feedback.EventQuarantined)
	if len(q) != 1 || q[0].Data["reason"] != "too large" {
		t.Errorf("quarantine events %+v", q)
	}
	if n := len(reports(t, e.store)); n != 1 {
		t.Errorf("%d reports, want the small one", n)
	}
}

func TestIngestFirstScanLeavesOldMailAlone(t *testing.T) {
	srv := startIMAP(t, idleCaps)
	e := ingestEnvAt(t, srv.addr, testUser, "")
	old := mailSpec{Subject: "Thư cũ", MessageID: "old@example.com", Body: "Thư từ năm ngoái, đã được xử lý bằng tay."}.raw()
	appendMailAt(t, e.client, "INBOX", old, time.Now().AddDate(-1, 0, 0))
	appendMail(t, e.client, "INBOX", mailSpec{Subject: "Thư mới", MessageID: "new@example.com", Body: "Thư mới gửi hôm nay về rác thải."}.raw())
	runIngestor(t, e.in)
	e.waitCheckpoint(t, 2)
	rs := reports(t, e.store)
	if len(rs) != 1 || rs[0].IdempotencyKey != "email:new@example.com" {
		t.Errorf("%d reports, want only the recent message", len(rs))
	}
}

// With IDLE, new mail is seen when the server announces it, not at the
// next poll (an hour away here).
func TestIngestWakesOnIdle(t *testing.T) {
	srv := startIMAP(t, idleCaps)
	e := ingestEnvAt(t, srv.addr, testUser, "")
	e.in.cfg.Poll = time.Hour
	idling := make(chan struct{}, 10)
	e.in.idling = func() { idling <- struct{}{} }
	runIngestor(t, e.in)
	for i := range 2 {
		select {
		case <-idling:
		case <-time.After(15 * time.Second):
			t.Fatal("the ingestor never started IDLE")
		}
		// go-imap's memory server misses appends made just as IDLE starts.
		time.Sleep(200 * time.Millisecond)
		e.deliver(t, mailSpec{Subject: "Thư", MessageID: fmt.Sprintf("idle%d@example.com", i), Body: "Thư đến trong lúc IDLE."}.raw())
	}
	if n := len(reports(t, e.store)); n != 2 {
		t.Errorf("%d reports", n)
	}
}
