// Package auth provides staff accounts, password sign-in with throttling,
// server-side sessions and CSRF tokens for cookie-authenticated requests.
package auth

import (
	"log/slog"
	"time"

	"phananh/feedback"
)

// Store is what auth needs from persistence.
type Store interface {
	feedback.UserStore
	feedback.SessionStore
	feedback.AuditStore
}

// Config tunes the service; zero fields take the defaults in brackets.
type Config struct {
	IdleTimeout     time.Duration // [30m] since the last request
	AbsoluteTimeout time.Duration // [12h] since sign-in
	MaxFailures     int           // [5] failed logins per account and per IP ...
	FailureWindow   time.Duration // [15m] ... within this window
	Hash            HashParams    // [DefaultHashParams]
	// UnitExists says whether a unit id is known to the city; nil accepts
	// any non-empty id.
	UnitExists func(id string) bool
	Now        func() time.Time // [time.Now]
	Log        *slog.Logger     // [slog.Default()]
}

func (c *Config) defaults() {
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.AbsoluteTimeout <= 0 {
		c.AbsoluteTimeout = 12 * time.Hour
	}
	if c.MaxFailures <= 0 {
		c.MaxFailures = 5
	}
	if c.FailureWindow <= 0 {
		c.FailureWindow = 15 * time.Minute
	}
	if c.Hash == (HashParams{}) {
		c.Hash = DefaultHashParams
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// touchEvery limits how often a session's last-seen time is written: once
// a minute is precise enough for a 30-minute idle timeout.
const touchEvery = time.Minute

// maxHashing bounds concurrent argon2 computations (19 MiB each), so a
// flood of logins cannot exhaust memory or starve the CPU.
const maxHashing = 4

// Service signs staff in and out and manages accounts.
type Service struct {
	store Store
	cfg   Config
	locks stripedLock
	slots chan struct{}
	// dummyHash is verified when the username is unknown, so a response
	// time does not tell whether an account exists.
	dummyHash string
}

// New returns a Service over store.
func New(store Store, cfg Config) (*Service, error) {
	cfg.defaults()
	secret, _ := feedback.NewSecret()
	dummy, err := HashPassword(secret, cfg.Hash)
	if err != nil {
		return nil, err
	}
	return &Service{store: store, cfg: cfg, slots: make(chan struct{}, maxHashing), dummyHash: dummy}, nil
}

// IdleTimeout returns the configured idle expiry (for cookie lifetimes).
func (s *Service) IdleTimeout() time.Duration { return s.cfg.IdleTimeout }

// AbsoluteTimeout returns the configured absolute expiry.
func (s *Service) AbsoluteTimeout() time.Duration { return s.cfg.AbsoluteTimeout }

func errBadLogin() *feedback.Error {
	return feedback.Errorf(feedback.EUNAUTHORIZED,
		"Tên đăng nhập hoặc mật khẩu không đúng.",
		"Wrong username or password.")
}

func errThrottled() *feedback.Error {
	return feedback.Errorf(feedback.ERATELIMIT,
		"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.",
		"Too many failed sign-ins. Please try again in 15 minutes.")
}

func errNoSession() *feedback.Error {
	return feedback.Errorf(feedback.EUNAUTHORIZED,
		"Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại.",
		"Your session is invalid or has expired. Please sign in again.")
}
