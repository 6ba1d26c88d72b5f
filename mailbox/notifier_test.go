package mailbox

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"phananh/feedback"
	"phananh/live"
)

const testBaseURL = "https://phananh.tuyhoa.example.vn"

// received is a mail the SMTP sink got, decoded.
type received struct {
	to, subject, id string
	inReplyTo, refs []string
	auto, replyTo   string
	contentType     string
	text, html      string
}

func decodeMail(t *testing.T, m sunkMail) received {
	t.Helper()
	mr, err := mail.CreateReader(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	r := received{to: strings.Join(m.To, ",")}
	r.subject, _ = mr.Header.Subject()
	r.id, _ = mr.Header.MessageID()
	r.inReplyTo, _ = mr.Header.MsgIDList("In-Reply-To")
	r.refs, _ = mr.Header.MsgIDList("References")
	r.auto = mr.Header.Get("Auto-Submitted")
	if rt, err := mr.Header.AddressList("Reply-To"); err == nil && len(rt) == 1 {
		r.replyTo = rt[0].Address
	}
	r.contentType, _, _ = mr.Header.ContentType()
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		if h, ok := p.Header.(*mail.InlineHeader); ok {
			if ct, _, _ := h.ContentType(); ct == "text/html" {
				r.html = string(b)
			} else {
				r.text = string(b)
			}
		}
	}
	return r
}

// notifyEnv is a Notifier on a real store mailing an in-process SMTP
// server, with a Processor to file reports as mail would.
type notifyEnv struct {
	store feedback.Store
	sink  *smtpSink
	proc  *Processor
	stop  func()
}

func newNotifyEnv(t *testing.T) *notifyEnv {
	t.Helper()
	st := mustStore(t, t.TempDir())
	e := &notifyEnv{store: st, sink: startSMTP(t), proc: newProcessor(st)}
	e.start(t)
	return e
}

func (e *notifyEnv) st() feedback.Store { return e.store }

// start runs a fresh Notifier (a restarted process, as far as its state
// goes: everything it knows is in the store).
func (e *notifyEnv) start(t *testing.T) {
	t.Helper()
	m, err := NewMailer(SMTPConfig{Addr: e.sink.addr, TLS: "none", From: "Hòm thư phản ánh <" + ourAddr + ">"})
	if err != nil {
		t.Fatal(err)
	}
	n := NewNotifier(NotifierDeps{Store: e.st(), Mailer: m, BaseURL: testBaseURL, Logger: quietLog(), ReplyTo: &mail.Address{Address: testUser},
		UnitName: func(id string) string { return "Đơn vị " + id },
		Consumer: live.ConsumerOptions{PollInterval: 30 * time.Millisecond, RetryMin: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := n.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	e.stop = func() { cancel(); <-done }
	t.Cleanup(e.stop)
}

// settle waits until the notifier has checkpointed every event.
func (e *notifyEnv) settle(t *testing.T) {
	t.Helper()
	eventually(t, "the mail consumer to catch up", func() bool {
		last, _ := e.st().LastSeq(context.Background())
		cp, _ := e.st().Checkpoint(context.Background(), ConsumerName)
		return cp >= last
	})
}

func (e *notifyEnv) mails(t *testing.T, n int) []received {
	t.Helper()
	eventually(t, "mail", func() bool { return len(e.sink.all()) >= n })
	e.settle(t)
	var out []received
	for _, m := range e.sink.all() {
		out = append(out, decodeMail(t, m))
	}
	if len(out) != n {
		t.Fatalf("%d mails, want %d", len(out), n)
	}
	return out
}

func (e *notifyEnv) change(t *testing.T, code string, ev feedback.Event) {
	t.Helper()
	r, err := e.st().Report(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	ev.ReportID, ev.ReportCode, ev.UnitID = r.ID, r.Code, r.Unit
	if ev.To != "" {
		ev.From, r.Status = r.Status, ev.To
	}
	if _, err := e.st().UpdateReport(context.Background(), r, []feedback.Event{ev}); err != nil {
		t.Fatal(err)
	}
}

func TestNotifierAcknowledgesAndThreadsStatusMailsOnce(t *testing.T) {
	ctx := context.Background()
	e := newNotifyEnv(t)
	res, err := e.proc.Process(ctx, mailSpec{From: `"Nguyễn <i>An</i>" <an.nguyen@example.com>`, Subject: "Rác thải",
		MessageID: "n1@example.com", Body: "Rác thải ùn ứ ở chợ Tuy Hòa."}.raw())
	if err != nil || res.Outcome != OutcomeCreated {
		t.Fatalf("%+v %v", res, err)
	}
	code := res.ReportCode
	ack := e.mails(t, 1)[0]
	if ack.replyTo != testUser {
		t.Errorf("Reply-To %q, want the ingested mailbox", ack.replyTo)
	}
	if ack.to != "an.nguyen@example.com" || !strings.HasPrefix(ack.subject, SubjectTag(code)) || ack.auto != "auto-generated" {
		t.Errorf("ack to %q subject %q auto %q", ack.to, ack.subject, ack.auto)
	}
	if !strings.HasPrefix(ack.id, "pa."+code+".") || !strings.HasSuffix(ack.id, "@tuyhoa.example.vn") || len(ack.inReplyTo) != 0 {
		t.Errorf("ack Message-ID %q In-Reply-To %v", ack.id, ack.inReplyTo)
	}
	if ack.contentType != "multipart/alternative" || !strings.Contains(ack.text, "Mã số phản ánh: "+code) ||
		!strings.Contains(ack.text, testBaseURL+"/r/"+code+"#token=") || !strings.Contains(ack.text, "We have received") {
		t.Errorf("ack %s text:\n%s", ack.contentType, ack.text)
	}
	if !strings.Contains(ack.html, "Nguyễn &lt;i&gt;An&lt;/i&gt;") || strings.Contains(ack.html, "<i>An") {
		t.Errorf("HTML does not escape the name:\n%s", ack.html)
	}
	if _, err := e.st().State(ctx, nsToken, reports(t, e.st())[0].ID); feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Errorf("reporter token still stored after the acknowledgement: %v", err)
	}

	e.change(t, code, feedback.Event{Type: feedback.EventStatusChanged, Public: true, Actor: "user:u1", To: feedback.StatusInProgress})
	e.change(t, code, feedback.Event{Type: feedback.EventInternalNote, Actor: "user:u1", Text: "ghi chú nội bộ"})
	e.change(t, code, feedback.Event{Type: feedback.EventPublicReply, Public: true, Actor: "user:u1", Text: "Đội vệ sinh sẽ thu gom trong chiều nay."})
	mails := e.mails(t, 3)
	status, reply := mails[1], mails[2]
	if !strings.Contains(status.subject, "Đang xử lý") && !strings.Contains(status.subject, feedback.StatusInProgress.Label()) {
		t.Errorf("status subject %q", status.subject)
	}
	for _, m := range []received{status, reply} {
		if len(m.inReplyTo) != 1 || m.inReplyTo[0] != ack.id || len(m.refs) != 1 || m.refs[0] != ack.id {
			t.Errorf("%q not threaded: In-Reply-To %v References %v", m.subject, m.inReplyTo, m.refs)
		}
	}
	if !strings.Contains(reply.text, "Đội vệ sinh sẽ thu gom trong chiều nay.") || strings.Contains(reply.text, "nội bộ") {
		t.Errorf("reply text:\n%s", reply.text)
	}

	// A restarted notifier sends nothing again.
	e.stop()
	e.start(t)
	e.change(t, code, feedback.Event{Type: feedback.EventStatusChanged, Public: true, Actor: feedback.ActorCitizen,
		To: feedback.StatusInProgress, Text: "citizen's own action"})
	time.Sleep(100 * time.Millisecond)
	e.mails(t, 3)

	// The citizen answers the status mail from their client: it joins the
	// report through In-Reply-To alone.
	res, err = e.proc.Process(ctx, mailSpec{Subject: "Re: cập nhật", MessageID: "n2@example.com", InReplyTo: status.id,
		Body: "Cảm ơn, nhưng rác vẫn còn ở cổng sau."}.raw())
	if err != nil || res.Outcome != OutcomeThreaded || res.ReportCode != code {
		t.Errorf("reply to the status mail: %+v %v", res, err)
	}
}

func TestNotifierMovesOnAfterARefusedAddress(t *testing.T) {
	ctx := context.Background()
	e := newNotifyEnv(t)
	for i, from := range []string{"bounce.me@example.com", "binh@example.com"} {
		res, err := e.proc.Process(ctx, mailSpec{From: from, Subject: "Phản ánh", MessageID: strings.Repeat("x", i+1) + "@example.com",
			Body: "Vỉa hè bị lấn chiếm ở đường Độc Lập."}.raw())
		if err != nil || res.Outcome != OutcomeCreated {
			t.Fatalf("%+v %v", res, err)
		}
	}
	m := e.mails(t, 1)[0]
	if m.to != "binh@example.com" {
		t.Errorf("mail went to %q", m.to)
	}
}
