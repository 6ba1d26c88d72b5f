package mailbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"phananh/feedback"
)

// fileWebReport stores a report as the web form files it (already routed),
// with the given contact address, and returns its code.
func fileWebReport(t *testing.T, st feedback.Store, email string) string {
	t.Helper()
	now := time.Now().UTC()
	r := &feedback.Report{
		ID: feedback.NewID(), Code: feedback.NewCode(), Text: "Đèn đường trước nhà văn hóa khu phố 3 bị hỏng cả tuần nay",
		Channel: feedback.ChannelWeb, Status: feedback.StatusAssigned, Priority: feedback.PriorityNormal, Unit: "moi_truong",
		Reporter: feedback.Contact{Name: "Lan", Email: email}, CreatedAt: now, UpdatedAt: now,
	}
	ev := []feedback.Event{{Type: feedback.EventCreated, ReportID: r.ID, ReportCode: r.Code, Public: true,
		Actor: feedback.ActorCitizen, To: feedback.StatusReceived, At: now}}
	if _, _, _, err := st.CreateReport(context.Background(), r, ev); err != nil {
		t.Fatal(err)
	}
	return r.Code
}

func TestWebFormAddressGetsFewAcknowledgementsADay(t *testing.T) {
	e := newNotifyEnv(t)
	var codes []string
	for i := range maxAcksPerDay + 1 {
		addr := "nan.nhan@example.com"
		if i == 2 {
			addr = "Nan.Nhan@Example.com" // the same mailbox, typed differently
		}
		codes = append(codes, fileWebReport(t, e.st(), addr))
	}
	other := fileWebReport(t, e.st(), "khac@example.com")
	mails := e.mails(t, maxAcksPerDay+1)
	got := map[string]int{}
	for _, m := range mails {
		got[strings.ToLower(m.to)]++
	}
	if got["nan.nhan@example.com"] != maxAcksPerDay || got["khac@example.com"] != 1 {
		t.Fatalf("acknowledgements by address: %v, want %d and 1", got, maxAcksPerDay)
	}
	for _, m := range mails {
		if strings.Contains(m.subject, codes[maxAcksPerDay]) {
			t.Fatalf("the report over the cap was acknowledged: %q", m.subject)
		}
	}

	// The held-back report gets no status mail either; the others do.
	staff := feedback.Event{Type: feedback.EventStatusChanged, Public: true, Actor: "user:u1", To: feedback.StatusInProgress}
	e.change(t, codes[maxAcksPerDay], staff)
	e.change(t, codes[0], staff)
	e.change(t, other, staff)
	mails = e.mails(t, maxAcksPerDay+3)
	for _, m := range mails[maxAcksPerDay+1:] {
		if strings.Contains(m.subject, codes[maxAcksPerDay]) {
			t.Fatalf("status mail for the held-back report: %q", m.subject)
		}
	}

	// A report mailed in by the address itself is always answered.
	res, err := e.proc.Process(context.Background(), mailSpec{From: "nan.nhan@example.com", Subject: "Phản ánh",
		MessageID: "cap@example.com", Body: "Cống thoát nước bị tắc ở đường Nguyễn Huệ."}.raw())
	if err != nil || res.Outcome != OutcomeCreated {
		t.Fatalf("%+v %v", res, err)
	}
	if last := e.mails(t, maxAcksPerDay+4)[maxAcksPerDay+3]; !strings.Contains(last.subject, res.ReportCode) {
		t.Fatalf("mail-filed report not acknowledged: %q", last.subject)
	}
}
