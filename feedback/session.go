package feedback

import (
	"context"
	"time"
)

// Session is a signed-in staff session. The bearer token itself is never
// stored: TokenHash is HashSecret(token), so a leaked database does not
// leak live sessions.
type Session struct {
	TokenHash  string    `json:"-"`
	UserID     string    `json:"user_id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	// ExpiresAt is the absolute expiry, fixed at creation; idle expiry is
	// decided from LastSeenAt by the auth package.
	ExpiresAt time.Time `json:"expires_at"`
	IP        string    `json:"-"`
	UserAgent string    `json:"-"`
}

// SessionStore keeps staff sessions and the failed-login counters that
// throttle password guessing.
type SessionStore interface {
	// CreateSession stores a new session. Errors: ECONFLICT (token hash
	// taken), EINVALID.
	CreateSession(ctx context.Context, s *Session) error

	// Session returns the session with the given token hash.
	// Errors: ENOTFOUND.
	Session(ctx context.Context, tokenHash string) (*Session, error)

	// TouchSession sets LastSeenAt of a session. Errors: ENOTFOUND.
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error

	// DeleteSession removes a session; removing a missing one is not an
	// error.
	DeleteSession(ctx context.Context, tokenHash string) error

	// DeleteUserSessions removes every session of a user (disabled account,
	// password change).
	DeleteUserSessions(ctx context.Context, userID string) error

	// DeleteExpiredSessions removes sessions whose absolute expiry is before
	// now, or that were last seen before idleBefore; it returns how many.
	DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) (int64, error)

	// AddLoginFailure records a failed login under key ("user:<name>",
	// "ip:<addr>") at the given time.
	AddLoginFailure(ctx context.Context, key string, at time.Time) error

	// LoginFailures counts the failures recorded under key at or after since.
	LoginFailures(ctx context.Context, key string, since time.Time) (int, error)

	// ClearLoginFailures forgets the failures under key (after a successful
	// login) and those of any key older than before (housekeeping).
	ClearLoginFailures(ctx context.Context, key string, before time.Time) error
}
