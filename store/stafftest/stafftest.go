// Package stafftest is the contract suite every feedback.StaffStore passes
// (accounts, sessions, login failures, the append-only audit log and the
// statistics), alongside store/storetest for feedback.Store.
package stafftest

import (
	"context"
	"testing"
	"time"

	"phananh/feedback"
)

// Store is a store with the staff capabilities.
type Store interface {
	feedback.Store
	feedback.StaffStore
}

// Run runs the suite against stores made by open, which must return a
// fresh, empty store closed when t ends.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"UserRoundTrip", testUserRoundTrip},
		{"UserConflictAndNotFound", testUserConflict},
		{"SessionLifecycle", testSessionLifecycle},
		{"LoginFailures", testLoginFailures},
		{"AuditAppendAndFilter", testAudit},
		{"StatsHandMade", testStatsHandMade},
		{"StatsByCategoryAndUnitScope", testStatsScoped},
		{"StatsRejectsBadQuery", testStatsInvalid},
		{"ApplyChangeAllOrNothing", testApplyChange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// base is a fixed instant in the past all fixtures are built around.
var base = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := feedback.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func newUser(name string, role feedback.Role, unit string) *feedback.User {
	return &feedback.User{
		ID: feedback.NewID(), Username: name, Name: "Cán bộ " + name, Role: role, UnitID: unit,
		PasswordHash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5aw",
		CreatedAt:    base, UpdatedAt: base,
	}
}

func testUserRoundTrip(t *testing.T, s Store) {
	ctx := context.Background()
	u := newUser("nguyen.an", feedback.RoleOfficer, "ubnd_p1")
	must(t, s.CreateUser(ctx, u))
	must(t, s.CreateUser(ctx, newUser("admin", feedback.RoleAdmin, "")))
	got, err := s.UserByUsername(ctx, "nguyen.an")
	must(t, err)
	if got.ID != u.ID || got.Role != u.Role || got.UnitID != u.UnitID || got.PasswordHash != u.PasswordHash ||
		got.Name != u.Name || !got.CreatedAt.Equal(base) || got.Disabled {
		t.Fatalf("UserByUsername = %+v, want %+v", got, u)
	}
	got.Disabled, got.Role, got.UnitID, got.UpdatedAt = true, feedback.RoleManager, "ubnd_p2", base.Add(time.Hour)
	must(t, s.UpdateUser(ctx, got))
	again, err := s.User(ctx, u.ID)
	must(t, err)
	if !again.Disabled || again.Role != feedback.RoleManager || again.UnitID != "ubnd_p2" || !again.UpdatedAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("after update: %+v", again)
	}
	all, err := s.Users(ctx)
	must(t, err)
	if len(all) != 2 || all[0].Username != "admin" || all[1].Username != "nguyen.an" {
		t.Fatalf("Users = %v, want admin then nguyen.an", all)
	}
}

func testUserConflict(t *testing.T, s Store) {
	ctx := context.Background()
	must(t, s.CreateUser(ctx, newUser("tran.binh", feedback.RoleOfficer, "u1")))
	wantCode(t, s.CreateUser(ctx, newUser("tran.binh", feedback.RoleManager, "u1")), feedback.ECONFLICT)
	_, err := s.User(ctx, "nope")
	wantCode(t, err, feedback.ENOTFOUND)
	_, err = s.UserByUsername(ctx, "nope")
	wantCode(t, err, feedback.ENOTFOUND)
	ghost := newUser("ghost", feedback.RoleOfficer, "u1")
	wantCode(t, s.UpdateUser(ctx, ghost), feedback.ENOTFOUND)
}

func testSessionLifecycle(t *testing.T, s Store) {
	ctx := context.Background()
	a := &feedback.Session{TokenHash: feedback.HashSecret("a"), UserID: "u1", CreatedAt: base, LastSeenAt: base,
		ExpiresAt: base.Add(12 * time.Hour), IP: "203.0.113.7", UserAgent: "Firefox"}
	b := &feedback.Session{TokenHash: feedback.HashSecret("b"), UserID: "u1", CreatedAt: base, LastSeenAt: base,
		ExpiresAt: base.Add(time.Hour)}
	c := &feedback.Session{TokenHash: feedback.HashSecret("c"), UserID: "u2", CreatedAt: base, LastSeenAt: base,
		ExpiresAt: base.Add(12 * time.Hour)}
	for _, x := range []*feedback.Session{a, b, c} {
		must(t, s.CreateSession(ctx, x))
	}
	wantCode(t, s.CreateSession(ctx, a), feedback.ECONFLICT)
	got, err := s.Session(ctx, a.TokenHash)
	must(t, err)
	if got.UserID != "u1" || !got.ExpiresAt.Equal(a.ExpiresAt) || got.IP != a.IP || got.UserAgent != "Firefox" {
		t.Fatalf("Session = %+v", got)
	}
	must(t, s.TouchSession(ctx, a.TokenHash, base.Add(20*time.Minute)))
	got, _ = s.Session(ctx, a.TokenHash)
	if !got.LastSeenAt.Equal(base.Add(20 * time.Minute)) {
		t.Fatalf("LastSeenAt = %v after touch", got.LastSeenAt)
	}
	wantCode(t, s.TouchSession(ctx, "missing", base), feedback.ENOTFOUND)
	// At base+2h: b is past its absolute expiry, c idle since base.
	n, err := s.DeleteExpiredSessions(ctx, base.Add(2*time.Hour), base.Add(10*time.Minute))
	must(t, err)
	if n != 2 {
		t.Fatalf("DeleteExpiredSessions removed %d, want 2 (b expired, c idle)", n)
	}
	_, err = s.Session(ctx, c.TokenHash)
	wantCode(t, err, feedback.ENOTFOUND)
	must(t, s.DeleteUserSessions(ctx, "u1"))
	_, err = s.Session(ctx, a.TokenHash)
	wantCode(t, err, feedback.ENOTFOUND)
	must(t, s.DeleteSession(ctx, a.TokenHash)) // already gone: not an error
}

func testLoginFailures(t *testing.T, s Store) {
	ctx := context.Background()
	for i := range 4 {
		must(t, s.AddLoginFailure(ctx, "user:an", base.Add(time.Duration(i)*time.Minute)))
	}
	must(t, s.AddLoginFailure(ctx, "ip:203.0.113.7", base))
	n, err := s.LoginFailures(ctx, "user:an", base.Add(2*time.Minute))
	must(t, err)
	if n != 2 {
		t.Fatalf("failures since +2m = %d, want 2", n)
	}
	must(t, s.ClearLoginFailures(ctx, "user:an", base.Add(-time.Hour)))
	if n, _ := s.LoginFailures(ctx, "user:an", base.Add(-time.Hour)); n != 0 {
		t.Fatalf("after clear: %d failures", n)
	}
	if n, _ := s.LoginFailures(ctx, "ip:203.0.113.7", base.Add(-time.Hour)); n != 1 {
		t.Fatalf("clearing one key touched another: %d", n)
	}
	must(t, s.ClearLoginFailures(ctx, "user:other", base.Add(time.Second)))
	if n, _ := s.LoginFailures(ctx, "ip:203.0.113.7", base.Add(-time.Hour)); n != 0 {
		t.Fatalf("old failures survive housekeeping: %d", n)
	}
}
