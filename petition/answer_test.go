package petition_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"phananh/feedback"
	"phananh/live"
	"phananh/petition"
)

// outbox records answers by recipient; failOnce makes the first send to
// each listed recipient fail transiently.
type outbox struct {
	mu       sync.Mutex
	got      map[string]int
	failOnce map[string]bool
}

func (o *outbox) record(to string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failOnce[to] {
		delete(o.failOnce, to)
		return feedback.Errorf(feedback.EUNAVAILABLE, "tạm lỗi", "temporary failure")
	}
	if o.got == nil {
		o.got = map[string]int{}
	}
	o.got[to]++
	return nil
}

func (o *outbox) Send(_ context.Context, m petition.Mail) error {
	if !m.AutoSubmitted {
		return feedback.Errorf(feedback.EINVALID, "thiếu Auto-Submitted", "answer mail not marked Auto-Submitted")
	}
	return o.record(m.To.Address)
}

func (o *outbox) SendText(_ context.Context, chat int64, _ string) error {
	return o.record("tg:" + strconv.Itoa(int(chat)))
}

func (o *outbox) count(to string) int { o.mu.Lock(); defer o.mu.Unlock(); return o.got[to] }

func TestAnswerDeliveredOncePerSigner(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	p := f.open()
	emails := []string{"mot@example.vn", "hai@example.vn", "ba@example.vn"}
	for _, e := range emails {
		if _, err := f.sign(p.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.SignTelegram(ctx, p.ID, 4242, "Tư", true); err != nil {
		t.Fatal(err)
	}
	// A pending (unconfirmed) signer is not told.
	if err := f.svc.RequestEmail(ctx, petition.SignInput{PetitionID: p.ID, Email: "chua@example.vn"}); err != nil {
		t.Fatal(err)
	}
	out := &outbox{failOnce: map[string]bool{"hai@example.vn": true}}
	runDelivery := func() {
		t.Helper()
		d := petition.NewAnswerDelivery(petition.DeliveryDeps{Store: f.store, Mailer: out, Telegram: out, BaseURL: "https://x.vn",
			Consumer: live.ConsumerOptions{PollInterval: 10 * time.Millisecond, RetryMin: 10 * time.Millisecond, RetryMax: 20 * time.Millisecond}})
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- d.Run(runCtx) }()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && (out.count("hai@example.vn") == 0 || out.count("tg:4242") == 0) {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond) // room for a wrong second delivery
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Answer(ctx, supervisor, p.ID, "Thành phố sẽ di dời bãi rác trong quý II."); err != nil {
		t.Fatal(err)
	}
	runDelivery()
	// Answering again edits the text but tells nobody again; neither does
	// a restarted delivery.
	if _, err := f.svc.Answer(ctx, supervisor, p.ID, "Thành phố sẽ di dời bãi rác trước ngày 30/6."); err != nil {
		t.Fatal(err)
	}
	runDelivery()
	for _, to := range append(emails, "tg:4242") {
		if n := out.count(to); n != 1 {
			t.Errorf("%s told %d times, want once", to, n)
		}
	}
	if n := out.count("chua@example.vn"); n != 0 {
		t.Errorf("pending signer told %d times", n)
	}
	got, _ := f.svc.Get(ctx, feedback.Actor{}, p.ID)
	if got.Answer == nil || got.Answer.Text != "Thành phố sẽ di dời bãi rác trước ngày 30/6." {
		t.Fatalf("answer = %+v", got.Answer)
	}
}

func TestAnswerAuthorization(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	p := f.open() // lan_chiem in p2: routed to ubnd_p2
	if _, err := f.svc.Answer(ctx, manager, p.ID, "Đơn vị khác trả lời thay."); feedback.ErrorCode(err) != feedback.EFORBIDDEN {
		t.Fatalf("another unit's manager answered: %v (unit %s)", err, p.Unit)
	}
	if _, err := f.svc.Answer(ctx, officerP2, p.ID, "ngắn"); feedback.ErrorCode(err) != feedback.EINVALID {
		t.Fatalf("short answer: %v", err)
	}
	got, err := f.svc.Answer(ctx, officerP2, p.ID, "Phường 2 đã lên kế hoạch xử lý.")
	if err != nil || got.Answer.UnitID != "ubnd_p2" {
		t.Fatalf("responsible officer: %+v %v", got, err)
	}
}

func TestThresholdObligesAnswerAndFlagsOverdue(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	p := f.open()
	// Lower the first threshold for the test by signing through the store
	// with the petition's own thresholds: 200 signatures.
	for i := range 200 {
		if _, err := f.svc.SignTelegram(ctx, p.ID, int64(1000+i), "", false); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := f.svc.Get(ctx, feedback.Actor{}, p.ID)
	if got.Level != 1 || got.AnswerUnit != p.Unit || got.AnswerDueAt.IsZero() {
		t.Fatalf("after 200: level %d unit %q due %v", got.Level, got.AnswerUnit, got.AnswerDueAt)
	}
	// 15 working days from Monday 09:00 (Vietnam) is three weeks later.
	if want := f.clock.Now().AddDate(0, 0, 21); !got.AnswerDueAt.Equal(want) {
		t.Fatalf("answer due %v, want %v", got.AnswerDueAt, want)
	}
	f.pub.mu.Lock()
	published := countEvents(f.pub.evs, feedback.EventThresholdReached)
	f.pub.mu.Unlock()
	if published != 1 {
		t.Fatalf("threshold published %d times", published)
	}
	f.clock.Add(22 * 24 * time.Hour)
	if res, err := f.svc.Tick(ctx); err != nil || res.Overdue != 1 {
		t.Fatalf("tick: %+v %v", res, err)
	}
	if res, _ := f.svc.Tick(ctx); res.Overdue != 0 {
		t.Fatal("overdue flagged twice")
	}
}

func TestBulkInvalidationAdjustsCountAndAudits(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	p := f.open()
	for _, e := range []string{"a@rac.example", "b@rac.example", "c@sach.example"} {
		if _, err := f.sign(p.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	in := petition.InvalidateInput{EmailDomain: "@RAC.example", Reason: "Tên miền dùng một lần"}
	if _, err := f.svc.Invalidate(ctx, manager, p.ID, in); feedback.ErrorCode(err) != feedback.EFORBIDDEN {
		t.Fatalf("manager invalidated: %v", err)
	}
	res, err := f.svc.Invalidate(ctx, supervisor, p.ID, in)
	if err != nil || res.Removed != 2 || res.Count != 1 {
		t.Fatalf("invalidate: %+v %v", res, err)
	}
	if n, _ := f.svc.Count(ctx, p.ID); n != 1 {
		t.Fatalf("count = %d, want 1", n)
	}
	audit, _ := f.store.Audit(ctx, feedback.AuditFilter{Action: "petition.invalidate_signatures", Subject: p.ID})
	if len(audit) != 1 || audit[0].ActorID != "sup" {
		t.Fatalf("audit = %+v", audit)
	}
	mustContain(t, string(audit[0].After), `"removed":2`)
	if _, err := f.svc.Invalidate(ctx, supervisor, p.ID, petition.InvalidateInput{Reason: "không chọn gì"}); feedback.ErrorCode(err) != feedback.EINVALID {
		t.Fatalf("empty selector: %v", err)
	}
}

func TestPromoteInvitesReporters(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	var codes []string
	for i := range 3 {
		r := &feedback.Report{ID: feedback.NewID(), Code: feedback.NewCode(), Text: "Ngập nước đường Lê Lợi lần " + strconv.Itoa(i),
			Channel: feedback.ChannelWeb, Status: feedback.StatusAssigned, Unit: "moi_truong", CreatedAt: f.clock.Now(),
			Reporter: feedback.Contact{Email: "dan" + strconv.Itoa(i) + "@example.vn"}}
		if _, _, _, err := f.store.CreateReport(ctx, r, []feedback.Event{{Type: feedback.EventCreated}}); err != nil {
			t.Fatal(err)
		}
		codes = append(codes, r.Code)
	}
	in := petition.PromoteInput{Title: "Chống ngập đường Lê Lợi", Text: "Nhiều người dân phản ánh ngập.", Category: "thoat_nuoc", ReportCodes: codes}
	if _, err := f.svc.Promote(ctx, officerP2, in); feedback.ErrorCode(err) != feedback.EFORBIDDEN {
		t.Fatalf("officer promoted: %v", err)
	}
	p, err := f.svc.Promote(ctx, manager, in)
	if err != nil || p.Origin != feedback.OriginStaff || len(p.SourceReports) != 3 || p.Status != feedback.PetitionPending {
		t.Fatalf("promote: %+v %v", p, err)
	}
	if _, err := f.svc.Moderate(ctx, supervisor, p.ID, petition.Approve, ""); err != nil {
		t.Fatal(err)
	}
	for _, code := range codes {
		r, _ := f.store.Report(ctx, code)
		evs, _ := f.store.Events(ctx, feedback.EventFilter{ReportID: r.ID, PublicOnly: true})
		last := evs[len(evs)-1]
		if last.Type != feedback.EventPublicReply || last.Data["invitation"] != p.ID {
			t.Fatalf("report %s: last public event %+v, want an invitation", code, last)
		}
		mustContain(t, last.Text, "https://phananh.example.vn/petitions/"+p.ID)
	}
	bad := in
	bad.ReportCodes = []string{"ZZZZZZZZ"}
	if _, err := f.svc.Promote(ctx, manager, bad); feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Fatalf("unknown report: %v", err)
	}
}

// TestPromoteKeepsManagersToTheirUnit: a manager naming another unit's
// report gets the same answer as for a code that does not exist, and no
// petition; a supervisor may gather reports from every unit.
func TestPromoteKeepsManagersToTheirUnit(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	var codes []string
	for _, unit := range []string{"moi_truong", "ubnd_p2"} {
		r := &feedback.Report{ID: feedback.NewID(), Code: feedback.NewCode(), Text: "Ngập nước kéo dài ở khu phố 3",
			Channel: feedback.ChannelWeb, Status: feedback.StatusAssigned, Unit: unit, CreatedAt: f.clock.Now()}
		if _, _, _, err := f.store.CreateReport(ctx, r, []feedback.Event{{Type: feedback.EventCreated}}); err != nil {
			t.Fatal(err)
		}
		codes = append(codes, r.Code)
	}
	in := petition.PromoteInput{Title: "Chống ngập khu phố 3", Text: "Nhiều người dân phản ánh ngập.", Category: "thoat_nuoc", ReportCodes: codes}
	if p, err := f.svc.Promote(ctx, manager, in); feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Fatalf("manager promoted another unit's report: %+v %v", p, err)
	}
	if ps, _ := f.svc.Pending(ctx, supervisor, 10); len(ps) != 0 {
		t.Fatalf("a refused promotion left %d pending petitions", len(ps))
	}
	if p, err := f.svc.Promote(ctx, supervisor, in); err != nil || len(p.SourceReports) != 2 {
		t.Fatalf("supervisor promote: %+v %v", p, err)
	}
}
