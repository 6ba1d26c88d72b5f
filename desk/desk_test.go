package desk

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"sync"
	"testing"
	"time"

	"phananh/city"
	"phananh/feedback"
	"phananh/photo"
	"phananh/store/sqlite"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// recorder is a Publisher that keeps what it was given.
type recorder struct {
	mu     sync.Mutex
	events []feedback.Event
}

func (r *recorder) Publish(evs []feedback.Event) {
	r.mu.Lock()
	r.events = append(r.events, evs...)
	r.mu.Unlock()
}

// fixture is a desk over a fresh SQLite store with the demo city and one
// account of every kind: two units, ubnd_p1 ("own") and ubnd_p2 ("other").
type fixture struct {
	desk  *Service
	store *sqlite.Store
	clock *clock
	pub   *recorder
	users map[string]*feedback.User
}

// monday09 is Monday 30 November 2026, 09:00 in Tuy Hòa.
var monday09 = time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)

var quiet = slog.New(slog.DiscardHandler)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{store: st, clock: &clock{t: monday09}, pub: &recorder{}, users: map[string]*feedback.User{}}
	f.desk = New(st, city.Demo(), Config{Publisher: f.pub, Clean: photo.Clean, Now: f.clock.Now, Log: quiet})
	for _, u := range []struct {
		name string
		role feedback.Role
		unit string
	}{
		{"officer", feedback.RoleOfficer, "ubnd_p1"},
		{"officer2", feedback.RoleOfficer, "ubnd_p1"},
		{"manager", feedback.RoleManager, "ubnd_p1"},
		{"officer_p2", feedback.RoleOfficer, "ubnd_p2"},
		{"manager_p2", feedback.RoleManager, "ubnd_p2"},
		{"supervisor", feedback.RoleSupervisor, ""},
		{"admin", feedback.RoleAdmin, ""},
	} {
		user := &feedback.User{ID: feedback.NewID(), Username: u.name, Role: u.role, UnitID: u.unit,
			PasswordHash: "x", CreatedAt: monday09, UpdatedAt: monday09}
		if err := st.CreateUser(context.Background(), user); err != nil {
			t.Fatal(err)
		}
		f.users[u.name] = user
	}
	return f
}

func (f *fixture) as(name string) feedback.Actor {
	return feedback.Actor{User: f.users[name], IP: "203.0.113.7"}
}

// token is the reporter token of every fixture report.
const token = "bí-mật-của-người-phản-ánh"

// report stores a report of unit in status st, received at the clock's
// current time and due three working days later.
func (f *fixture) report(t *testing.T, unit string, st feedback.Status) *feedback.Report {
	t.Helper()
	now := f.clock.Now()
	r := &feedback.Report{
		ID: feedback.NewID(), Code: feedback.NewCode(), Text: "Rác thải đổ trộm tràn ra lòng đường",
		Channel: feedback.ChannelWeb, Status: st, Priority: feedback.PriorityNormal,
		Category: "rac_thai", Ward: "p1", Unit: unit,
		Reporter:          feedback.Contact{Name: "Lê Thị Hoa", Phone: "0905000111"},
		ReporterTokenHash: feedback.HashSecret(token),
		DueAt:             city.Demo().Due(now, "rac_thai", feedback.PriorityNormal),
		CreatedAt:         now,
	}
	if st == feedback.StatusResolved {
		r.ResolvedAt = &now
	}
	stored, _, _, err := f.store.CreateReport(context.Background(), r, []feedback.Event{{Type: feedback.EventCreated, Public: true, At: now}})
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

func (f *fixture) reload(t *testing.T, r *feedback.Report) *feedback.Report {
	t.Helper()
	got, err := f.store.ReportByID(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// events returns the stored events of a report of the given type.
func (f *fixture) events(t *testing.T, r *feedback.Report, typ feedback.EventType) []feedback.Event {
	t.Helper()
	all, err := f.store.Events(context.Background(), feedback.EventFilter{ReportID: r.ID})
	if err != nil {
		t.Fatal(err)
	}
	var out []feedback.Event
	for _, e := range all {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := feedback.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want %q", err, got, code)
	}
}

// pngBytes is a small real image for after-photos.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for x := range 32 {
		img.Set(x, x%24, color.RGBA{R: 200, G: uint8(x * 7), B: 40, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
