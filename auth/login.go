package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"phananh/feedback"
)

// Credentials is a sign-in attempt and where it came from.
type Credentials struct {
	Username  string
	Password  string
	IP        string
	UserAgent string
}

// Login is a successful sign-in. Token is the bearer secret (shown once);
// CSRFToken must accompany cookie-authenticated state-changing requests.
type Login struct {
	Token     string         `json:"token"`
	CSRFToken string         `json:"csrf_token"`
	User      *feedback.User `json:"user"`
	ExpiresAt time.Time      `json:"expires_at"`
}

// Login checks credentials and opens a session. After MaxFailures failed
// attempts within FailureWindow for the same account or the same IP
// address, every attempt is refused with ERATELIMIT until the window has
// passed, even with the right password. Errors: EUNAUTHORIZED, ERATELIMIT.
func (s *Service) Login(ctx context.Context, c Credentials) (*Login, error) {
	name := CanonicalUsername(c.Username)
	// Serialise attempts on one account so that parallel guesses cannot
	// slip past the failure count between reading and recording it.
	unlock := s.locks.lock(name)
	defer unlock()
	now := s.cfg.Now()
	keys := []string{"user:" + name, "ip:" + c.IP}
	if err := s.checkThrottle(ctx, keys, now); err != nil {
		return nil, err
	}
	u, ok, err := s.checkPassword(ctx, name, c.Password)
	if err != nil {
		return nil, err
	}
	if !ok {
		for _, k := range keys {
			if err := s.store.AddLoginFailure(ctx, k, now); err != nil {
				return nil, err
			}
		}
		s.logFailure(ctx, name, u != nil, c.IP)
		return nil, errBadLogin()
	}
	if err := s.store.ClearLoginFailures(ctx, keys[0], now.Add(-s.cfg.FailureWindow)); err != nil {
		return nil, err
	}
	s.upgradeHash(ctx, u, c.Password)
	return s.openSession(ctx, u, c, now)
}

func (s *Service) checkThrottle(ctx context.Context, keys []string, now time.Time) error {
	since := now.Add(-s.cfg.FailureWindow)
	for _, k := range keys {
		n, err := s.store.LoginFailures(ctx, k, since)
		if err != nil {
			return err
		}
		if n >= s.cfg.MaxFailures {
			return errThrottled()
		}
	}
	return nil
}

// checkPassword verifies the password of an active account; it returns
// the account whenever the name is one, so that failures can be told
// apart. An unknown name is checked against a dummy hash so it costs the
// same time.
func (s *Service) checkPassword(ctx context.Context, name, password string) (*feedback.User, bool, error) {
	u, err := s.store.UserByUsername(ctx, name)
	if err != nil && feedback.ErrorCode(err) != feedback.ENOTFOUND {
		return nil, false, err
	}
	hash := s.dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	ok, verr := VerifyPassword(password, hash)
	<-s.slots
	if verr != nil {
		return nil, false, feedback.Internal(verr)
	}
	if u == nil || u.Disabled || password == "" {
		return u, false, nil
	}
	return u, ok, nil
}

// logFailure records a failed sign-in. The name is logged only when it is
// an account's: what people type into the username box when it is not one
// is often an e-mail address, a phone number or the password itself.
func (s *Service) logFailure(ctx context.Context, name string, known bool, ip string) {
	user := slog.String("username", name)
	if !known {
		user = slog.Bool("unknown_username", true)
	}
	s.cfg.Log.LogAttrs(ctx, slog.LevelWarn, "login failed", user, slog.String("ip", ip))
}

// upgradeHash re-hashes a password made with older cost parameters, now
// that it is known. Failing is harmless: it is tried again next time.
func (s *Service) upgradeHash(ctx context.Context, u *feedback.User, password string) {
	if !needsRehash(u.PasswordHash, s.cfg.Hash) {
		return
	}
	hash, err := HashPassword(password, s.cfg.Hash)
	if err == nil {
		u.PasswordHash, u.UpdatedAt = hash, s.cfg.Now().UTC()
		err = s.store.UpdateUser(ctx, u)
	}
	if err != nil {
		s.cfg.Log.LogAttrs(ctx, slog.LevelWarn, "password rehash failed", slog.String("username", u.Username), slog.String("error", err.Error()))
	}
}

func (s *Service) openSession(ctx context.Context, u *feedback.User, c Credentials, now time.Time) (*Login, error) {
	token, hash := feedback.NewSecret()
	sess := &feedback.Session{
		TokenHash: hash, UserID: u.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.cfg.AbsoluteTimeout), IP: c.IP, UserAgent: truncate(c.UserAgent, 256),
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	s.audit(ctx, feedback.Actor{User: u, IP: c.IP}, "auth.login", u.ID, nil, nil)
	return &Login{Token: token, CSRFToken: CSRFToken(token), User: u, ExpiresAt: sess.ExpiresAt}, nil
}

// Authenticate returns the account and session a bearer token belongs to.
// Expired sessions (idle or absolute) and sessions of disabled accounts are
// removed. Errors: EUNAUTHORIZED.
func (s *Service) Authenticate(ctx context.Context, token string) (*feedback.User, *feedback.Session, error) {
	if !wellFormedToken(token) {
		return nil, nil, errNoSession()
	}
	hash := feedback.HashSecret(token)
	sess, err := s.store.Session(ctx, hash)
	if feedback.ErrorCode(err) == feedback.ENOTFOUND {
		return nil, nil, errNoSession()
	} else if err != nil {
		return nil, nil, err
	}
	now := s.cfg.Now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.cfg.IdleTimeout {
		return nil, nil, s.drop(ctx, hash)
	}
	u, err := s.store.User(ctx, sess.UserID)
	if feedback.ErrorCode(err) == feedback.ENOTFOUND || (err == nil && u.Disabled) {
		return nil, nil, s.drop(ctx, hash)
	} else if err != nil {
		return nil, nil, err
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.store.TouchSession(ctx, hash, now); err != nil && feedback.ErrorCode(err) != feedback.ENOTFOUND {
			return nil, nil, err
		}
		sess.LastSeenAt = now
	}
	return u, sess, nil
}

// drop removes a dead session and returns the error the caller reports.
func (s *Service) drop(ctx context.Context, hash string) error {
	if err := s.store.DeleteSession(ctx, hash); err != nil {
		return err
	}
	return errNoSession()
}

// Logout revokes the session of token; an unknown token is not an error.
func (s *Service) Logout(ctx context.Context, by feedback.Actor, token string) error {
	if !wellFormedToken(token) {
		return nil
	}
	if err := s.store.DeleteSession(ctx, feedback.HashSecret(token)); err != nil {
		return err
	}
	if by.User != nil {
		s.audit(ctx, by, "auth.logout", by.User.ID, nil, nil)
	}
	return nil
}

// CSRFToken derives the anti-CSRF token of a session from its secret. It is
// unguessable without the session token, needs no storage, and dies with
// the session.
func CSRFToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("phananh-csrf\x00" + sessionToken))
	return hex.EncodeToString(sum[:])
}

// CheckCSRF reports, in constant time, whether got is the CSRF token of the
// session. Without a session there is no token: the one derived from ""
// is public.
func CheckCSRF(sessionToken, got string) bool {
	if sessionToken == "" {
		return false
	}
	want := CSRFToken(sessionToken)
	return len(got) == len(want) && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// wellFormedToken accepts only what NewSecret produces (64 hex digits), so
// junk never reaches the store.
func wellFormedToken(t string) bool {
	if len(t) != 64 {
		return false
	}
	_, err := hex.DecodeString(t)
	return err == nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// stripedLock is a fixed set of mutexes picked by key hash: per-key
// serialisation without a map that grows with every guessed username.
type stripedLock struct{ mu [64]sync.Mutex }

func (l *stripedLock) lock(key string) (unlock func()) {
	h := fnv.New32a()
	h.Write([]byte(key))
	m := &l.mu[h.Sum32()%uint32(len(l.mu))]
	m.Lock()
	return m.Unlock
}
