package intake

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"phananh/feedback"
)

func mustSubmit(t *testing.T, e *env, sub Submission) *feedback.Report {
	t.Helper()
	rec, err := e.svc.Submit(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Report
}

func TestSupportCountsEachPersonOnce(t *testing.T) {
	e := mustEnv(t, nil)
	ctx := context.Background()
	r := mustSubmit(t, e, submission("Karaoke hát to đến 1 giờ sáng ở khu phố 3, phường 5."))
	neighbour := feedback.Contact{Phone: "0914 555 666"}
	got, added, err := e.svc.Support(ctx, r.Code, neighbour, "")
	if err != nil || !added || got.Supporters != 1 {
		t.Fatalf("first support: %d supporters, added %v, err %v", got.Supporters, added, err)
	}
	// Same person, phone typed differently, lower-case code: not counted again.
	got, added, err = e.svc.Support(ctx, "  "+lower(r.Code), feedback.Contact{Phone: "+84914555666"}, "")
	if err != nil || added || got.Supporters != 1 {
		t.Errorf("repeat support: %d supporters, added %v, err %v", got.Supporters, added, err)
	}
	if _, added, _ := e.svc.Support(ctx, r.Code, feedback.Contact{}, "telegram:4242"); !added {
		t.Error("another person was not counted")
	}
	stored, _ := e.store.Report(ctx, r.Code)
	if stored.Supporters != 2 {
		t.Errorf("stored supporters = %d, want 2", stored.Supporters)
	}
	evs, _ := e.store.Events(ctx, feedback.EventFilter{ReportID: r.ID, PublicOnly: true})
	last := evs[len(evs)-1]
	if last.Type != feedback.EventSupporterAdded || last.Data["supporters"] != "2" || last.Actor != feedback.ActorCitizen {
		t.Errorf("last public event = %+v", last)
	}
	for _, ev := range evs {
		for _, v := range ev.Data {
			if v == "0914555666" || v == "telegram:4242" {
				t.Errorf("public event %s carries personal data %q", ev.Type, v)
			}
		}
	}
}

func TestSupportRejects(t *testing.T) {
	e := mustEnv(t, nil)
	ctx := context.Background()
	r := mustSubmit(t, e, submission("Xe tải đổ xà bần xuống lề đường Hùng Vương ban đêm."))
	if _, _, err := e.svc.Support(ctx, "ZZZZZZZZ", feedback.Contact{Phone: "0905111222"}, ""); errCode(err) != feedback.ENOTFOUND {
		t.Errorf("unknown code: %v", err)
	}
	if _, _, err := e.svc.Support(ctx, r.Code, feedback.Contact{Name: "Ẩn danh"}, ""); errCode(err) != feedback.EINVALID {
		t.Errorf("no identity: %v", err)
	}
	r.Status = feedback.StatusRejected
	if _, err := e.store.UpdateReport(ctx, r, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Support(ctx, r.Code, feedback.Contact{Phone: "0905111222"}, ""); errCode(err) != feedback.ECONFLICT {
		t.Errorf("closed report: %v", err)
	}
}

// Eight neighbours press "me too" at once: compare-and-set retries make
// every one count.
func TestSupportConcurrent(t *testing.T) {
	e := mustEnv(t, nil)
	ctx := context.Background()
	r := mustSubmit(t, e, submission("Ngập sâu 40 cm trên đường Trần Hưng Đạo sau cơn mưa chiều nay."))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := e.svc.Support(ctx, r.Code, feedback.Contact{}, fmt.Sprintf("web:%d", i)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	stored, _ := e.store.Report(ctx, r.Code)
	if stored.Supporters != 8 {
		t.Errorf("supporters = %d, want 8", stored.Supporters)
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
