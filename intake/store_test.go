package intake

import (
	"context"
	"sync"
	"testing"

	"phananh/feedback"
	"phananh/store/sqlite"
)

// spyStore is the real SQLite store with a log of the writes intake makes,
// and a number of code collisions to simulate.
type spyStore struct {
	*sqlite.Store
	mu         sync.Mutex
	calls      []string
	codes      []string
	collisions int
}

func (s *spyStore) PutPhoto(ctx context.Context, data []byte, ct string) (feedback.Photo, error) {
	s.mu.Lock()
	s.calls = append(s.calls, "PutPhoto")
	s.mu.Unlock()
	return s.Store.PutPhoto(ctx, data, ct)
}

func (s *spyStore) CreateReport(ctx context.Context, r *feedback.Report, evs []feedback.Event) (*feedback.Report, bool, []feedback.Event, error) {
	s.mu.Lock()
	s.calls = append(s.calls, "CreateReport")
	s.codes = append(s.codes, r.Code)
	collide := s.collisions > 0
	s.collisions--
	s.mu.Unlock()
	for _, ev := range evs {
		if ev.ReportCode != r.Code || ev.ReportID != r.ID {
			return nil, false, nil, feedback.FieldError("events", "x", "event does not name the report being created")
		}
	}
	if collide {
		return nil, false, nil, feedback.Conflict("Mã đã tồn tại.", "code taken")
	}
	return s.Store.CreateReport(ctx, r, evs)
}

func TestSubmitStoresPhotosBeforeTheReport(t *testing.T) {
	e := mustEnv(t, nil)
	spy := &spyStore{Store: e.store, collisions: 2}
	svc := New(Deps{Store: spy, City: e.city, Publisher: e.pub})
	sub := submission("Cây đổ chắn ngang đường Nguyễn Trãi, xe không qua được.")
	sub.Photos = []Upload{{Data: exifJPEG(t)}}
	rec, err := svc.Submit(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"PutPhoto", "CreateReport", "CreateReport", "CreateReport"}
	if len(spy.calls) != len(want) {
		t.Fatalf("calls = %v, want %v", spy.calls, want)
	}
	for i := range want {
		if spy.calls[i] != want[i] {
			t.Fatalf("calls = %v, want %v", spy.calls, want)
		}
	}
	if spy.codes[0] == spy.codes[1] || spy.codes[2] != rec.Report.Code {
		t.Errorf("codes tried %v, stored %s: a collision must draw a new code", spy.codes, rec.Report.Code)
	}
}

func TestSubmitGivesUpAfterRepeatedCollisions(t *testing.T) {
	e := mustEnv(t, nil)
	spy := &spyStore{Store: e.store, collisions: 100}
	svc := New(Deps{Store: spy, City: e.city, Publisher: e.pub})
	_, err := svc.Submit(context.Background(), submission("Đèn tín hiệu giao thông ở ngã tư bị tắt."))
	if errCode(err) != feedback.EINTERNAL || len(spy.codes) != codeAttempts {
		t.Errorf("err = %v after %d attempts", err, len(spy.codes))
	}
	if len(e.pub.all()) != 0 {
		t.Error("events published for a report that was not stored")
	}
}
