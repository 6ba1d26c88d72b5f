package intake

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"phananh/feedback"
)

func TestSubmitDecides(t *testing.T) {
	inP1 := func(s Submission) Submission { s.Lat, s.Lng = ptr(13.093), ptr(109.306); return s }
	withCategory := func(c string) func(Submission) Submission {
		return func(s Submission) Submission { s.Category = c; return s }
	}
	cls := func(cat string, conf float64, ward string) feedback.Classifier {
		return scripted{out: feedback.Classification{Category: cat, Confidence: conf, Ward: ward, WardSource: "text", Model: "local:test"}}
	}
	tests := []struct {
		name       string
		cls        feedback.Classifier
		edit       func(Submission) Submission
		category   string
		ward       string
		unit       string
		status     feedback.Status
		priority   feedback.Priority
		model      string
		predicted  string
		wardSource string
	}{
		{"no classifier: citizen category and GPS ward", nil, func(s Submission) Submission { return inP1(withCategory("lan_chiem")(s)) },
			"lan_chiem", "p1", "ubnd_p1", feedback.StatusAssigned, feedback.PriorityNormal, "citizen", "lan_chiem", "polygon"},
		{"no classifier, no category: triage", nil, nil,
			"", "", "van_phong", feedback.StatusTriage, feedback.PriorityNormal, "none", "", ""},
		{"confident classifier routes", cls("rac_thai", 0.9, "p5"), nil,
			"rac_thai", "p5", "moi_truong", feedback.StatusAssigned, feedback.PriorityNormal, "local:test", "rac_thai", "text"},
		{"unsure classifier: triage without category", cls("rac_thai", 0.3, "p5"), nil,
			"", "p5", "van_phong", feedback.StatusTriage, feedback.PriorityNormal, "local:test", "rac_thai", "text"},
		{"citizen's choice beats a confident classifier", cls("rac_thai", 0.95, "p5"), withCategory("tieng_on"),
			"tieng_on", "p5", "ubnd_p5", feedback.StatusAssigned, feedback.PriorityNormal, "local:test", "rac_thai", "text"},
		{"khac goes to triage", cls("khac", 0.99, "p2"), nil,
			"khac", "p2", "van_phong", feedback.StatusTriage, feedback.PriorityNormal, "local:test", "khac", "text"},
		{"GPS polygon beats the ward in the text", cls("lan_chiem", 0.8, "p5"), inP1,
			"lan_chiem", "p1", "ubnd_p1", feedback.StatusAssigned, feedback.PriorityNormal, "local:test", "lan_chiem", "polygon"},
		{"ward named by the classifier is resolved", cls("lan_chiem", 0.8, "Phú Lâm"), nil,
			"lan_chiem", "phu_lam", "ubnd_phu_lam", feedback.StatusAssigned, feedback.PriorityNormal, "local:test", "lan_chiem", "text"},
		{"ward-level rule without a ward: triage", cls("lan_chiem", 0.8, ""), nil,
			"lan_chiem", "", "van_phong", feedback.StatusTriage, feedback.PriorityNormal, "local:test", "lan_chiem", ""},
		{"failing classifier: the report is still taken", scripted{err: feedback.Errorf(feedback.EUNAVAILABLE, "x", "x")}, nil,
			"", "", "van_phong", feedback.StatusTriage, feedback.PriorityNormal, "none", "", ""},
		{"fallen tree is urgent", cls("cay_xanh", 0.9, "p7"), nil,
			"cay_xanh", "p7", "moi_truong", feedback.StatusAssigned, feedback.PriorityUrgent, "local:test", "cay_xanh", "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustEnv(t, tt.cls)
			sub := submission("Có vấn đề cần xử lý ở khu phố, mong cơ quan chức năng xem xét.")
			if tt.edit != nil {
				sub = tt.edit(sub)
			}
			rec, err := e.svc.Submit(context.Background(), sub)
			if err != nil {
				t.Fatal(err)
			}
			r := rec.Report
			if r.Category != tt.category || r.Ward != tt.ward || r.Unit != tt.unit || r.Status != tt.status || r.Priority != tt.priority {
				t.Errorf("got category %q ward %q unit %q status %s priority %s", r.Category, r.Ward, r.Unit, r.Status, r.Priority)
			}
			c := r.Classification
			if c.Model != tt.model || c.Category != tt.predicted || c.WardSource != tt.wardSource {
				t.Errorf("classification = %+v", c)
			}
			if want := e.city.Due(monday, tt.category, tt.priority); !r.DueAt.Equal(want) {
				t.Errorf("due %s, want %s", r.DueAt, want)
			}
			checkStored(t, e, rec)
		})
	}
}

// checkStored verifies the report and its three first events are in the
// store and were published after the commit, with their sequence numbers.
func checkStored(t *testing.T, e *env, rec Receipt) {
	t.Helper()
	ctx := context.Background()
	got, err := e.store.Report(ctx, rec.Report.Code)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != rec.Report.ID || got.Status != rec.Report.Status || got.Unit != rec.Report.Unit {
		t.Errorf("stored %+v differs from receipt", got)
	}
	if !rec.Created || rec.ReporterToken == "" || got.ReporterTokenHash != feedback.HashSecret(rec.ReporterToken) {
		t.Error("reporter token missing or not stored as its hash")
	}
	evs, err := e.store.Events(ctx, feedback.EventFilter{ReportID: got.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []feedback.EventType{feedback.EventCreated, feedback.EventClassified, feedback.EventStatusChanged}
	wantPublic := []bool{true, false, true}
	if len(evs) != 3 {
		t.Fatalf("%d events stored, want 3", len(evs))
	}
	for i, ev := range evs {
		if ev.Type != wantTypes[i] || ev.Public != wantPublic[i] || ev.ReportCode != got.Code || ev.UnitID != got.Unit {
			t.Errorf("event %d = %+v", i, ev)
		}
	}
	if evs[2].From != feedback.StatusReceived || evs[2].To != got.Status || evs[2].Data["unit"] != got.Unit {
		t.Errorf("routing event = %+v", evs[2])
	}
	pub := e.pub.all()
	if len(pub) != 3 || pub[0].Seq != evs[0].Seq || pub[2].Seq != evs[2].Seq || pub[0].Seq == 0 {
		t.Errorf("published %+v, stored %+v", pub, evs)
	}
}

func TestSubmitRejects(t *testing.T) {
	good := "Đèn đường trước nhà số 12 bị hỏng cả tuần nay."
	tests := []struct {
		name  string
		edit  func(*Submission)
		code  string
		field string
	}{
		{"text too short after trimming", func(s *Submission) { s.Text = "   rác      " }, feedback.EINVALID, "text"},
		{"text too long", func(s *Submission) { s.Text = strings.Repeat("ồ", 5001) }, feedback.EINVALID, "text"},
		{"lat without lng", func(s *Submission) { s.Lat = ptr(13.1) }, feedback.EINVALID, "lng"},
		{"lng without lat", func(s *Submission) { s.Lng = ptr(109.3) }, feedback.EINVALID, "lat"},
		{"lat out of range", func(s *Submission) { s.Lat, s.Lng = ptr(91), ptr(109.3) }, feedback.EINVALID, "lat"},
		{"lng out of range", func(s *Submission) { s.Lat, s.Lng = ptr(13), ptr(-181) }, feedback.EINVALID, "lng"},
		{"unknown category", func(s *Submission) { s.Category = "ma_tuy" }, feedback.EINVALID, "category"},
		{"bad e-mail", func(s *Submission) { s.Reporter.Email = "a@b" }, feedback.EINVALID, "reporter.email"},
		{"bad phone", func(s *Submission) { s.Reporter.Phone = "12345" }, feedback.EINVALID, "reporter.phone"},
		{"unknown channel", func(s *Submission) { s.Channel = "fax" }, feedback.EINVALID, "channel"},
		{"too many photos", func(s *Submission) { s.Photos = make([]Upload, 6) }, feedback.ETOOLARGE, "photos"},
		{"a text file posing as a photo", func(s *Submission) {
			s.Photos = []Upload{{Name: "anh.jpg", Data: exifJPEG(t)}, {Name: "hoa-don.jpg", Data: []byte("đây là văn bản")}}
		}, feedback.EINVALID, "photos"},
	}
	e := mustEnv(t, nil)
	for _, tt := range tests {
		sub := submission(good)
		tt.edit(&sub)
		_, err := e.svc.Submit(context.Background(), sub)
		if errCode(err) != tt.code || fieldOf(err) != tt.field {
			t.Errorf("%s: err = %v, want %s on %s", tt.name, err, tt.code, tt.field)
		}
		var fe *feedback.Error
		if errors.As(err, &fe) && fe.Message == fe.MessageEN {
			t.Errorf("%s: message is not in Vietnamese: %q", tt.name, fe.Message)
		}
	}
	page, err := e.store.FindReports(context.Background(), feedback.ReportFilter{})
	if err != nil || len(page.Reports) != 0 || len(e.pub.all()) != 0 {
		t.Errorf("rejected submissions left %d reports, %d events (%v)", len(page.Reports), len(e.pub.all()), err)
	}
}

func TestSubmitIdempotencyKey(t *testing.T) {
	e := mustEnv(t, nil)
	ctx := context.Background()
	sub := submission("Cống thoát nước trên đường Lê Lợi bị tắc, nước tràn lên mặt đường.")
	sub.IdempotencyKey = "form-7f3a"
	first, err := e.svc.Submit(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.svc.Submit(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if again.Created || again.ReporterToken != "" || again.Report.Code != first.Report.Code {
		t.Errorf("repeat = created %v, token %q, code %s; want the first report %s", again.Created, again.ReporterToken, again.Report.Code, first.Report.Code)
	}
	if n := len(e.pub.all()); n != 3 {
		t.Errorf("%d events published, want only the first submission's 3", n)
	}
	sub.Channel = feedback.ChannelTelegram // same key, other channel: another report
	other, err := e.svc.Submit(ctx, sub)
	if err != nil || !other.Created || other.Report.Code == first.Report.Code {
		t.Errorf("other channel: created %v, err %v", other.Created, err)
	}
}

func TestSubmitStoresCleanPhotos(t *testing.T) {
	e := mustEnv(t, nil)
	ctx := context.Background()
	sub := submission("Rác thải đổ trộm ở bãi đất trống cuối hẻm 45, có ảnh kèm theo.")
	pic := exifJPEG(t)
	sub.Photos = []Upload{{Name: "IMG_0001.JPG", Data: pic}, {Name: "IMG_0001 copy.JPG", Data: pic}}
	rec, err := e.svc.Submit(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	ph := rec.Report.Photos
	if len(ph) != 1 || ph[0].ContentType != "image/jpeg" || ph[0].Kind != feedback.PhotoBefore {
		t.Fatalf("photos = %+v, want one JPEG", ph)
	}
	rc, _, err := e.store.OpenPhoto(ctx, ph[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("GPS-SECRET")) || bytes.Contains(data, []byte("Exif")) {
		t.Error("the stored photo still carries EXIF")
	}
	if int64(len(data)) != ph[0].Size || len(data) >= len(pic) {
		t.Errorf("stored %d bytes, photo says %d, original %d", len(data), ph[0].Size, len(pic))
	}
}

func TestSubmitNormalisesInput(t *testing.T) {
	e := mustEnv(t, nil)
	sub := submission("  Phuong 5: lan chiem via he\u0301 o cho  ") // NFD accent, padding
	sub.Reporter.Phone = "+84 905.123.456"
	sub.Reporter.Email = "dan@example.vn"
	rec, err := e.svc.Submit(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	r := rec.Report
	if r.Text != "Phuong 5: lan chiem via hé o cho" || r.Reporter.Phone != "0905123456" || r.Reporter.Language != "vi" {
		t.Errorf("text %q, phone %q, language %q", r.Text, r.Reporter.Phone, r.Reporter.Language)
	}
	if !r.CreatedAt.Equal(monday) || !r.DueAt.After(r.CreatedAt.Add(time.Hour)) {
		t.Errorf("created %s due %s", r.CreatedAt, r.DueAt)
	}
}
