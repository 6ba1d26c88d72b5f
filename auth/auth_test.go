package auth

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"phananh/feedback"
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

// cheap keeps argon2 fast in tests; production uses DefaultHashParams.
var quiet = slog.New(slog.DiscardHandler)

var cheap = HashParams{Memory: 1024, Time: 1, Threads: 1}

const password = "mật khẩu rất dài 2026"

func mustService(t *testing.T) (*Service, *sqlite.Store, *clock) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{t: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
	s, err := New(st, Config{Hash: cheap, Now: clk.Now, Log: quiet, UnitExists: func(id string) bool { return id == "ubnd_p1" || id == "ubnd_p2" }})
	if err != nil {
		t.Fatal(err)
	}
	return s, st, clk
}

var cli = feedback.Actor{Local: true}

func mustAdd(t *testing.T, s *Service, name string, role feedback.Role, unit string) *feedback.User {
	t.Helper()
	u, err := s.AddUser(context.Background(), cli, NewUser{Username: name, Role: role, UnitID: unit, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := feedback.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want %q", err, got, code)
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword(password, cheap)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword(password, cheap)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	if ok, err := VerifyPassword(password, h); !ok || err != nil {
		t.Errorf("right password: %v %v", ok, err)
	}
	if ok, _ := VerifyPassword(password+"x", h); ok {
		t.Error("wrong password accepted")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$a2V5", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw"} {
		if _, err := VerifyPassword(password, bad); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestLoginAndAuthenticate(t *testing.T) {
	s, _, _ := mustService(t)
	ctx := context.Background()
	u := mustAdd(t, s, "Nguyen.An", feedback.RoleOfficer, "ubnd_p1")
	if u.Username != "nguyen.an" {
		t.Fatalf("username not canonical: %q", u.Username)
	}
	l, err := s.Login(ctx, Credentials{Username: " NGUYEN.AN ", Password: password, IP: "203.0.113.7"})
	if err != nil {
		t.Fatal(err)
	}
	if CheckCSRF("", CSRFToken("")) {
		t.Error("a CSRF token passes without a session")
	}
	if len(l.Token) != 64 || l.User.ID != u.ID || !CheckCSRF(l.Token, l.CSRFToken) || CheckCSRF(l.Token, "x") {
		t.Fatalf("login = %+v", l)
	}
	got, _, err := s.Authenticate(ctx, l.Token)
	if err != nil || got.ID != u.ID {
		t.Fatalf("Authenticate = %v, %v", got, err)
	}
	tampered := l.Token[:63] + "0"
	if tampered == l.Token { // the token already ended in 0
		tampered = l.Token[:63] + "1"
	}
	_, _, err = s.Authenticate(ctx, tampered)
	wantCode(t, err, feedback.EUNAUTHORIZED)
	_, err = s.Login(ctx, Credentials{Username: "nguyen.an", Password: "sai mật khẩu rồi", IP: "203.0.113.7"})
	wantCode(t, err, feedback.EUNAUTHORIZED)
	_, err = s.Login(ctx, Credentials{Username: "khong.co", Password: password, IP: "203.0.113.7"})
	wantCode(t, err, feedback.EUNAUTHORIZED)
}

func TestLoginThrottlingPerAccount(t *testing.T) {
	s, _, clk := mustService(t)
	ctx := context.Background()
	mustAdd(t, s, "an", feedback.RoleOfficer, "ubnd_p1")
	for i := range 5 {
		// Each guess from a different address: only the account counter trips.
		ip := "198.51.100." + string(rune('1'+i))
		_, err := s.Login(ctx, Credentials{Username: "an", Password: "đoán mò số " + ip, IP: ip})
		wantCode(t, err, feedback.EUNAUTHORIZED)
	}
	_, err := s.Login(ctx, Credentials{Username: "an", Password: password, IP: "203.0.113.9"})
	wantCode(t, err, feedback.ERATELIMIT) // even the right password is refused now
	clk.Add(14 * time.Minute)
	_, err = s.Login(ctx, Credentials{Username: "an", Password: password, IP: "203.0.113.9"})
	wantCode(t, err, feedback.ERATELIMIT)
	clk.Add(2 * time.Minute) // the first failures have left the 15-minute window
	if _, err := s.Login(ctx, Credentials{Username: "an", Password: password, IP: "203.0.113.9"}); err != nil {
		t.Fatalf("login after the window: %v", err)
	}
}

func TestLoginThrottlingPerIP(t *testing.T) {
	s, _, _ := mustService(t)
	ctx := context.Background()
	mustAdd(t, s, "binh", feedback.RoleOfficer, "ubnd_p1")
	for _, name := range []string{"a1", "a2", "a3", "a4", "a5"} {
		_, err := s.Login(ctx, Credentials{Username: name, Password: "không biết", IP: "192.0.2.66"})
		wantCode(t, err, feedback.EUNAUTHORIZED)
	}
	_, err := s.Login(ctx, Credentials{Username: "binh", Password: password, IP: "192.0.2.66"})
	wantCode(t, err, feedback.ERATELIMIT)
	if _, err := s.Login(ctx, Credentials{Username: "binh", Password: password, IP: "192.0.2.67"}); err != nil {
		t.Fatalf("another address is not throttled: %v", err)
	}
}

func TestSessionExpiry(t *testing.T) {
	s, _, clk := mustService(t)
	ctx := context.Background()
	mustAdd(t, s, "chi", feedback.RoleSupervisor, "")
	login := func() string {
		l, err := s.Login(ctx, Credentials{Username: "chi", Password: password, IP: "203.0.113.7"})
		if err != nil {
			t.Fatal(err)
		}
		return l.Token
	}
	idle := login()
	clk.Add(29 * time.Minute)
	if _, _, err := s.Authenticate(ctx, idle); err != nil {
		t.Fatalf("29 idle minutes: %v", err)
	}
	clk.Add(29 * time.Minute) // the previous request kept it alive
	if _, _, err := s.Authenticate(ctx, idle); err != nil {
		t.Fatalf("active session expired: %v", err)
	}
	clk.Add(30 * time.Minute)
	_, _, err := s.Authenticate(ctx, idle)
	wantCode(t, err, feedback.EUNAUTHORIZED)

	busy := login()
	for range 12 * 3 { // a request every 20 minutes for 12 hours
		if _, _, err := s.Authenticate(ctx, busy); err != nil {
			t.Fatalf("busy session died early at %v: %v", clk.Now(), err)
		}
		clk.Add(20 * time.Minute)
	}
	_, _, err = s.Authenticate(ctx, busy)
	wantCode(t, err, feedback.EUNAUTHORIZED) // the 12-hour absolute expiry
}

func TestLogoutAndDisableRevoke(t *testing.T) {
	s, _, _ := mustService(t)
	ctx := context.Background()
	admin := mustAdd(t, s, "admin", feedback.RoleAdmin, "")
	mustAdd(t, s, "dung", feedback.RoleManager, "ubnd_p2")
	l1, _ := s.Login(ctx, Credentials{Username: "dung", Password: password, IP: "203.0.113.7"})
	l2, _ := s.Login(ctx, Credentials{Username: "dung", Password: password, IP: "203.0.113.7"})
	if err := s.Logout(ctx, feedback.Actor{User: l1.User}, l1.Token); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Authenticate(ctx, l1.Token)
	wantCode(t, err, feedback.EUNAUTHORIZED)
	if _, _, err := s.Authenticate(ctx, l2.Token); err != nil {
		t.Fatalf("logout revoked another session: %v", err)
	}
	_, err = s.DisableUser(ctx, feedback.Actor{User: l2.User}, "admin")
	wantCode(t, err, feedback.EFORBIDDEN) // managers do not manage accounts
	if _, err := s.DisableUser(ctx, feedback.Actor{User: admin}, "dung"); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Authenticate(ctx, l2.Token)
	wantCode(t, err, feedback.EUNAUTHORIZED)
	_, err = s.Login(ctx, Credentials{Username: "dung", Password: password, IP: "203.0.113.8"})
	wantCode(t, err, feedback.EUNAUTHORIZED)
}

func TestAddUserValidation(t *testing.T) {
	s, _, _ := mustService(t)
	ctx := context.Background()
	cases := []struct {
		name string
		in   NewUser
		code string
	}{
		{"officer without unit", NewUser{Username: "e1", Role: feedback.RoleOfficer, Password: password}, feedback.EINVALID},
		{"unknown unit", NewUser{Username: "e2", Role: feedback.RoleOfficer, UnitID: "nowhere", Password: password}, feedback.EINVALID},
		{"supervisor with unit", NewUser{Username: "e3", Role: feedback.RoleSupervisor, UnitID: "ubnd_p1", Password: password}, feedback.EINVALID},
		{"short password", NewUser{Username: "e4", Role: feedback.RoleAdmin, Password: "ngắn"}, feedback.EINVALID},
		{"bad role", NewUser{Username: "e5", Role: "root", Password: password}, feedback.EINVALID},
		{"bad username", NewUser{Username: "a b", Role: feedback.RoleAdmin, Password: password}, feedback.EINVALID},
		{"ok", NewUser{Username: "eee6", Role: feedback.RoleAdmin, Password: password}, ""},
		{"taken", NewUser{Username: "EEE6", Role: feedback.RoleAdmin, Password: password}, feedback.EINVALID},
	}
	for _, c := range cases {
		_, err := s.AddUser(ctx, cli, c.in)
		if got := feedback.ErrorCode(err); got != c.code {
			t.Errorf("%s: code %q (%v), want %q", c.name, got, err, c.code)
		}
	}
	_, err := s.AddUser(ctx, feedback.Actor{}, NewUser{Username: "e7", Role: feedback.RoleAdmin, Password: password})
	wantCode(t, err, feedback.EFORBIDDEN)
}

func TestPasswordResetAndRehash(t *testing.T) {
	s, st, _ := mustService(t)
	ctx := context.Background()
	u := mustAdd(t, s, "giang", feedback.RoleOfficer, "ubnd_p1")
	l, _ := s.Login(ctx, Credentials{Username: "giang", Password: password, IP: "203.0.113.7"})
	const fresh = "một mật khẩu mới hoàn toàn"
	if _, err := s.SetPassword(ctx, cli, "giang", fresh); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Authenticate(ctx, l.Token)
	wantCode(t, err, feedback.EUNAUTHORIZED) // the reset revoked the session
	_, err = s.Login(ctx, Credentials{Username: "giang", Password: password, IP: "203.0.113.7"})
	wantCode(t, err, feedback.EUNAUTHORIZED)

	// A service with stronger parameters upgrades the hash at sign-in.
	stronger, err := New(st, Config{Hash: HashParams{Memory: 2048, Time: 1, Threads: 1}, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stronger.Login(ctx, Credentials{Username: "giang", Password: fresh, IP: "203.0.113.7"}); err != nil {
		t.Fatal(err)
	}
	got, _ := st.User(ctx, u.ID)
	if !strings.Contains(got.PasswordHash, "m=2048,") {
		t.Fatalf("hash not upgraded: %s", got.PasswordHash)
	}
	if ok, _ := VerifyPassword(fresh, got.PasswordHash); !ok {
		t.Fatal("upgraded hash does not verify")
	}
}

// TestFailedLoginLogsOnlyAccountNames: what is typed into the username box
// when it is no account's name (an e-mail address, a phone number, a
// password) stays out of the log; an account's name is logged.
func TestFailedLoginLogsOnlyAccountNames(t *testing.T) {
	s, _, _ := mustService(t)
	var logs strings.Builder // Login logs on the caller's goroutine
	s.cfg.Log = slog.New(slog.NewTextHandler(&logs, nil))
	mustAdd(t, s, "canbo.p1", feedback.RoleOfficer, "ubnd_p1")
	ctx := context.Background()
	for _, name := range []string{"dan@example.vn", "0905123456", "canbo.p1"} {
		if _, err := s.Login(ctx, Credentials{Username: name, Password: "sai mật khẩu rồi", IP: "192.0.2.9"}); feedback.ErrorCode(err) != feedback.EUNAUTHORIZED {
			t.Fatalf("login %s: %v", name, err)
		}
	}
	out := logs.String()
	for _, leak := range []string{"dan@example.vn", "0905123456"} {
		if strings.Contains(out, leak) {
			t.Errorf("log holds %q:\n%s", leak, out)
		}
	}
	if strings.Count(out, "unknown_username=true") != 2 || !strings.Contains(out, "username=canbo.p1") {
		t.Errorf("log does not tell unknown names from the account's:\n%s", out)
	}
}
