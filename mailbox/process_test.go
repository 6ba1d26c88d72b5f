package mailbox

import (
	"context"
	"testing"

	"phananh/feedback"
)

// A crash after the store write and before the done record is the window
// the store itself must cover: the report's idempotency key and the reply's
// key inside its event.
func TestProcessRepeatsWithoutDoneRecordWriteNothing(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, t.TempDir())
	p := newProcessor(st)
	report := mailSpec{Subject: "Rác", MessageID: "w1@example.com", Body: "Rác thải bên đường Trần Phú."}.raw()
	res, err := p.Process(ctx, report)
	if err != nil || res.Outcome != OutcomeCreated {
		t.Fatalf("first: %+v %v", res, err)
	}
	reply := mailSpec{Subject: "Re: " + SubjectTag(res.ReportCode), MessageID: "w2@example.com", Body: "Thêm: rác cả ở hẻm bên cạnh."}.raw()
	if res, err := p.Process(ctx, reply); err != nil || res.Outcome != OutcomeThreaded {
		t.Fatalf("reply: %+v %v", res, err)
	}
	for _, key := range []string{"w1@example.com", "w2@example.com"} {
		if err := st.DeleteState(ctx, nsDone, key); err != nil {
			t.Fatal(err)
		}
	}
	for _, raw := range [][]byte{report, reply} {
		res, err := p.Process(ctx, raw)
		if err != nil || res.Outcome != OutcomeDuplicate || res.ReportCode == "" {
			t.Errorf("again: %+v %v", res, err)
		}
	}
	if n := len(reports(t, st)); n != 1 {
		t.Errorf("%d reports", n)
	}
	if n := len(eventsOf(t, st, feedback.EventCitizenMessage)); n != 1 {
		t.Errorf("%d citizen messages", n)
	}
}

func TestProcessQuarantinesWhatIntakeRefuses(t *testing.T) {
	ctx := context.Background()
	st := mustStore(t, t.TempDir())
	p := newProcessor(st)
	res, err := p.Process(ctx, mailSpec{Subject: "Hi", MessageID: "short@example.com", Body: "ok"}.raw())
	if err != nil || res.Outcome != OutcomeQuarantined || res.Reason != "refused" {
		t.Fatalf("short mail: %+v %v", res, err)
	}
	// A photo with a one-word subject is still a report.
	res, err = p.Process(ctx, mailSpec{Subject: "Rác", MessageID: "photo@example.com", JPEGs: [][]byte{testJPEG(t, 7)}}.raw())
	if err != nil || res.Outcome != OutcomeCreated {
		t.Fatalf("photo-only mail: %+v %v", res, err)
	}
	q := eventsOf(t, st, feedback.EventQuarantined)
	if len(q) != 1 || q[0].Data["detail"] == "" {
		t.Errorf("quarantine events %+v", q)
	}
}
