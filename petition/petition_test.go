package petition_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"phananh/city"
	"phananh/feedback"
	"phananh/petition"
	"phananh/store/petitiontest"
	"phananh/store/sqlite"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// fixture is a service over a real SQLite store with a recording mailbox.
type fixture struct {
	t     *testing.T
	store *sqlite.Store
	svc   *petition.Service
	mail  *petitiontest.Mailbox
	clock *clock
	pub   *recorder
}

// recorder is a Publisher that keeps what it was handed.
type recorder struct {
	mu  sync.Mutex
	evs []feedback.Event
}

func (r *recorder) Publish(evs []feedback.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, evs...)
	r.mu.Unlock()
}

var (
	supervisor = feedback.Actor{User: &feedback.User{ID: "sup", Username: "sup", Role: feedback.RoleSupervisor}, IP: "127.0.0.1"}
	manager    = feedback.Actor{User: &feedback.User{ID: "mgr", Username: "mgr", Role: feedback.RoleManager, UnitID: "moi_truong"}}
	officerP2  = feedback.Actor{User: &feedback.User{ID: "off", Username: "off", Role: feedback.RoleOfficer, UnitID: "ubnd_p2"}}
)

func newFixture(t *testing.T, mutate func(*petition.Config)) *fixture {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	st, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, store: st, mail: &petitiontest.Mailbox{}, pub: &recorder{},
		clock: &clock{t: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}}
	cfg := petition.Config{Mailer: f.mail, BaseURL: "https://phananh.example.vn", Publisher: f.pub, Now: f.clock.Now,
		IPRate: rate.Inf, DomainRate: rate.Inf, Log: quiet}
	if mutate != nil {
		mutate(&cfg)
	}
	f.svc = petition.New(st, city.Demo(), cfg)
	return f
}

func (f *fixture) open() *feedback.Petition {
	f.t.Helper()
	p, err := f.svc.Create(context.Background(), petition.CreateInput{Title: "Trả lại vỉa hè đường Hùng Vương", Text: "Quán xá lấn chiếm hết vỉa hè, người đi bộ phải xuống lòng đường.",
		Category: "lan_chiem", Ward: "p2", Author: feedback.Contact{Name: "Lê C", Email: "c@example.vn"}})
	if err != nil {
		f.t.Fatal(err)
	}
	if p, err = f.svc.Moderate(context.Background(), supervisor, p.ID, petition.Approve, ""); err != nil {
		f.t.Fatal(err)
	}
	return p
}

// sign signs by e-mail and follows the link.
func (f *fixture) sign(id, email string) (petition.Signed, error) {
	f.t.Helper()
	ctx := context.Background()
	if err := f.svc.RequestEmail(ctx, petition.SignInput{PetitionID: id, Email: email, Name: "Dân", IP: "203.0.113.5"}); err != nil {
		return petition.Signed{}, err
	}
	addr, _, _ := petition.NormalizeEmail(email)
	tok, ok := f.mail.Take(addr)
	if !ok {
		f.t.Fatalf("no mail for %s", addr)
	}
	return f.svc.Confirm(ctx, tok)
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct{ in, want, domain string }{
		{"Nguyen.Van.A+kien-nghi@Gmail.com", "nguyenvana@gmail.com", "gmail.com"},
		{"nguyenvana@googlemail.com", "nguyenvana@gmail.com", "gmail.com"},
		{" n.g.u.y.e.n.v.a.n.a@gmail.com ", "nguyenvana@gmail.com", "gmail.com"},
		{"user+tag@outlook.com", "user@outlook.com", "outlook.com"},
		{"First.Last+x@Example.VN", "first.last+x@example.vn", "example.vn"}, // unknown provider: + and . kept
		{"a@icloud.com", "a@icloud.com", "icloud.com"},
	}
	for _, tt := range tests {
		got, dom, err := petition.NormalizeEmail(tt.in)
		if err != nil || got != tt.want || dom != tt.domain {
			t.Errorf("petition.NormalizeEmail(%q) = %q, %q, %v; want %q, %q", tt.in, got, dom, err, tt.want, tt.domain)
		}
	}
	for _, bad := range []string{"", "khong-phai-email", "a@b", "Tên <a@b.vn>", "a@@b.vn", "+tag@gmail.com", "a b@c.vn"} {
		if _, _, err := petition.NormalizeEmail(bad); feedback.ErrorCode(err) != feedback.EINVALID {
			t.Errorf("petition.NormalizeEmail(%q) accepted: %v", bad, err)
		}
	}
}

func TestDuplicateEmailVariantsRejected(t *testing.T) {
	f := newFixture(t, nil)
	p := f.open()
	if _, err := f.sign(p.ID, "Tran.Thi.B@gmail.com"); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"tranthib@gmail.com", "TRAN.THI.B+kn@googlemail.com", "t.r.a.n.t.h.i.b@Gmail.Com"} {
		err := f.svc.RequestEmail(context.Background(), petition.SignInput{PetitionID: p.ID, Email: v})
		if feedback.ErrorCode(err) != feedback.ECONFLICT {
			t.Errorf("variant %q: %v, want conflict", v, err)
		}
	}
	if n, _ := f.svc.Count(context.Background(), p.ID); n != 1 {
		t.Fatalf("count = %d, want 1", n)
	}
}

func TestExpiredTokenRefused(t *testing.T) {
	f := newFixture(t, func(c *petition.Config) { c.TokenTTL = time.Hour })
	p := f.open()
	ctx := context.Background()
	if err := f.svc.RequestEmail(ctx, petition.SignInput{PetitionID: p.ID, Email: "cham@example.vn"}); err != nil {
		t.Fatal(err)
	}
	tok, _ := f.mail.Take("cham@example.vn")
	f.clock.Add(time.Hour + time.Second)
	_, err := f.svc.Confirm(ctx, tok)
	if e := feedback.AsError(err); e.Code != feedback.EINVALID || e.Field != "token" {
		t.Fatalf("expired token: %v", err)
	}
	if _, err := f.svc.Confirm(ctx, "khong-co-that"); feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Fatalf("unknown token: %v", err)
	}
	if n, _ := f.svc.Count(ctx, p.ID); n != 0 {
		t.Fatalf("count = %d after an expired link", n)
	}
}

func TestModerationFlow(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	in := petition.CreateInput{Title: "Lắp đèn đường hẻm 12 Nguyễn Huệ", Text: "Hẻm tối, nhiều vụ trộm cắp.", Category: "chieu_sang", Ward: "p1"}
	p, err := f.svc.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != feedback.PetitionPending {
		t.Fatalf("created as %s", p.Status)
	}
	// Pending: not listed, not visible, not signable.
	if list, _ := f.svc.List(ctx, feedback.PetitionFilter{}); len(list) != 0 {
		t.Fatalf("pending petition listed")
	}
	if _, err := f.svc.Get(ctx, feedback.Actor{}, p.ID); feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Fatalf("pending petition visible: %v", err)
	}
	if err := f.svc.RequestEmail(ctx, petition.SignInput{PetitionID: p.ID, Email: "x@example.vn"}); feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Fatalf("pending petition signable: %v", err)
	}
	// Only supervisors moderate; a rejection needs a reason.
	if _, err := f.svc.Moderate(ctx, manager, p.ID, petition.Approve, ""); feedback.ErrorCode(err) != feedback.EFORBIDDEN {
		t.Fatalf("manager moderated: %v", err)
	}
	if _, err := f.svc.Moderate(ctx, feedback.Actor{}, p.ID, petition.Approve, ""); feedback.ErrorCode(err) != feedback.EUNAUTHORIZED {
		t.Fatalf("anonymous moderated: %v", err)
	}
	if _, err := f.svc.Moderate(ctx, supervisor, p.ID, petition.Reject, " "); feedback.ErrorCode(err) != feedback.EINVALID {
		t.Fatalf("reject without reason: %v", err)
	}
	if p, err = f.svc.Moderate(ctx, supervisor, p.ID, petition.Approve, ""); err != nil {
		t.Fatal(err)
	}
	if p.Status != feedback.PetitionOpen || !p.ClosesAt.Equal(p.PublishedAt.AddDate(0, 0, 30)) || len(p.Thresholds) != 2 ||
		p.Thresholds[0].Unit != p.Unit || p.Thresholds[1].Unit != "van_phong" {
		t.Fatalf("approved: %+v", p)
	}
	if _, err := f.svc.Moderate(ctx, supervisor, p.ID, petition.Reject, "trùng"); feedback.ErrorCode(err) != feedback.ECONFLICT {
		t.Fatalf("moderated twice: %v", err)
	}
	if list, _ := f.svc.List(ctx, feedback.PetitionFilter{}); len(list) != 1 {
		t.Fatalf("approved petition not listed")
	}
	// A rejected one stays invisible.
	r, _ := f.svc.Create(ctx, in)
	if r, err = f.svc.Moderate(ctx, supervisor, r.ID, petition.Reject, "Nội dung trùng kiến nghị khác"); err != nil || r.RejectReason == "" {
		t.Fatalf("reject: %v", err)
	}
	if _, err := f.svc.Get(ctx, feedback.Actor{}, r.ID); feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Fatalf("rejected petition visible: %v", err)
	}
	audit, _ := f.store.Audit(ctx, feedback.AuditFilter{Action: "petition.moderate"})
	if len(audit) != 2 {
		t.Fatalf("%d moderation audit entries, want 2", len(audit))
	}
}

func TestSigningWindowCloses(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	p := f.open()
	f.clock.Add(30 * 24 * time.Hour)
	got, err := f.svc.Get(ctx, feedback.Actor{}, p.ID)
	if err != nil || got.Status != feedback.PetitionClosed {
		t.Fatalf("petition past its window shows %v, %v", got.Status, err)
	}
	if _, err := f.svc.SignTelegram(ctx, p.ID, 77, "", false); feedback.ErrorCode(err) != feedback.ECONFLICT {
		t.Fatalf("signed a closed petition: %v", err)
	}
	res, err := f.svc.Tick(ctx)
	if err != nil || res.Closed != 1 {
		t.Fatalf("tick: %+v %v", res, err)
	}
	if res, _ = f.svc.Tick(ctx); res.Closed != 0 {
		t.Fatalf("closed twice")
	}
	evs, _ := f.store.Events(ctx, feedback.EventFilter{PetitionID: p.ID})
	if countEvents(evs, feedback.EventPetitionClosed) != 1 {
		t.Fatalf("closed events: %d", countEvents(evs, feedback.EventPetitionClosed))
	}
}

func TestRateLimits(t *testing.T) {
	f := newFixture(t, func(c *petition.Config) {
		c.IPRate, c.IPBurst, c.DomainRate, c.DomainBurst = rate.Every(time.Hour), 2, rate.Every(time.Hour), 3
	})
	ctx := context.Background()
	p := f.open()
	try := func(email, ip string) string {
		return feedback.ErrorCode(f.svc.RequestEmail(ctx, petition.SignInput{PetitionID: p.ID, Email: email, IP: ip}))
	}
	if try("a@one.example", "10.0.0.1") != "" || try("b@one.example", "10.0.0.1") != "" {
		t.Fatal("first requests refused")
	}
	if got := try("c@two.example", "10.0.0.1"); got != feedback.ERATELIMIT {
		t.Fatalf("third request from one IP: %q", got)
	}
	if try("c@one.example", "10.0.0.2") != "" {
		t.Fatal("third of the domain refused")
	}
	if got := try("d@one.example", "10.0.0.3"); got != feedback.ERATELIMIT {
		t.Fatalf("fourth request of one domain: %q", got)
	}
}

func countEvents(evs []feedback.Event, typ feedback.EventType) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func mustContain(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Fatalf("%q does not contain %q", s, sub)
	}
}

// failingMailer refuses every mail with an error quoting the address, as
// SMTP servers do.
type failingMailer struct{}

func (failingMailer) Send(_ context.Context, m petition.Mail) error {
	return feedback.Errorf(feedback.EUNAVAILABLE, "lỗi", "550 mailbox "+m.To.Address+" unavailable")
}

func TestEmailNeverLogged(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFixture(t, func(c *petition.Config) { c.Mailer, c.Log = failingMailer{}, log })
	p := f.open()
	err := f.svc.RequestEmail(context.Background(), petition.SignInput{PetitionID: p.ID, Email: "bi.mat@example.vn", IP: "203.0.113.8"})
	if feedback.ErrorCode(err) != feedback.EUNAVAILABLE || strings.Contains(err.Error(), "bi.mat") {
		t.Fatalf("failed mail: %v", err)
	}
	if logs.Len() == 0 || strings.Contains(logs.String(), "bi.mat") || strings.Contains(logs.String(), "@") {
		t.Fatalf("logs: %q", logs.String())
	}
}

// TestCreateTwiceWithOneKeyMakesOnePetition: a form posted twice (a double
// tap, a resent POST) makes one petition; another key makes another.
func TestCreateTwiceWithOneKeyMakesOnePetition(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	in := petition.CreateInput{Title: "Lắp đèn đường hẻm 12 Nguyễn Huệ", Text: "Hẻm tối, nhiều vụ trộm cắp.",
		Category: "rac_thai", IdempotencyKey: "web:abc"}
	a, err := f.svc.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.Create(ctx, in)
	if err != nil || b.ID != a.ID {
		t.Fatalf("second post: %+v %v, want petition %s again", b, err, a.ID)
	}
	in.IdempotencyKey = "web:def"
	if c, err := f.svc.Create(ctx, in); err != nil || c.ID == a.ID {
		t.Fatalf("another form: %+v %v, want a new petition", c, err)
	}
	if ps, _ := f.svc.Pending(ctx, supervisor, 10); len(ps) != 2 {
		t.Fatalf("%d pending petitions, want 2", len(ps))
	}
	// A refused submission does not keep its key: fixed, it goes through.
	in.IdempotencyKey, in.Category = "web:ghi", "khong_co"
	if _, err := f.svc.Create(ctx, in); feedback.ErrorCode(err) != feedback.EINVALID {
		t.Fatalf("unknown category: %v", err)
	}
	in.Category = "rac_thai"
	if _, err := f.svc.Create(ctx, in); err != nil {
		t.Fatalf("corrected form: %v", err)
	}
}

// TestAuthorContactOnlyForResponsibleStaff: the public, and staff of
// units with nothing to do with a petition, get it without its author's
// contact; supervisors and the responsible unit get the contact.
func TestAuthorContactOnlyForResponsibleStaff(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	p, err := f.svc.Create(ctx, petition.CreateInput{Title: "Dọn bãi rác tự phát bờ sông Đà Rằng", Text: "Rác chất đống ven sông, bốc mùi.",
		Category: "rac_thai", Author: feedback.Contact{Name: "Lê Thị Hoa", Email: "hoa@example.vn", Phone: "0905123456"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Moderate(ctx, supervisor, p.ID, petition.Approve, ""); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		by   feedback.Actor
		want bool
	}{
		{"public", feedback.Actor{}, false},
		{"officer of another unit", officerP2, false},
		{"manager of the unit", manager, true},
		{"supervisor", supervisor, true},
	} {
		got, err := f.svc.Get(ctx, tc.by, p.ID)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if has := got.Author.Email != "" || got.Author.Phone != ""; has != tc.want {
			t.Errorf("%s: author contact shown = %v, want %v", tc.name, has, tc.want)
		}
	}
}
