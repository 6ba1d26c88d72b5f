package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"phananh/feedback"
)

// CreateSession stores a new session. Errors: EINVALID, ECONFLICT.
func (s *Store) CreateSession(ctx context.Context, sess *feedback.Session) error {
	if sess.TokenHash == "" || sess.UserID == "" {
		return feedback.FieldError("session", "Phiên không hợp lệ.", "token hash and user id are required")
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at,
			expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			sess.TokenHash, sess.UserID, sess.CreatedAt.UnixNano(), sess.LastSeenAt.UnixNano(),
			sess.ExpiresAt.UnixNano(), sess.IP, sess.UserAgent)
		if isUnique(err) {
			return feedback.Conflict("Phiên đã tồn tại.", "Session exists.")
		} else if err != nil {
			return feedback.Internal(fmt.Errorf("insert session: %w", err))
		}
		return nil
	})
}

// Session returns the session with the given token hash. Errors: ENOTFOUND.
func (s *Store) Session(ctx context.Context, tokenHash string) (*feedback.Session, error) {
	var (
		sess                   feedback.Session
		created, seen, expires int64
	)
	err := s.rdb.QueryRowContext(ctx, `SELECT token_hash, user_id, created_at, last_seen_at, expires_at, ip,
		user_agent FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&sess.TokenHash, &sess.UserID, &created, &seen, &expires, &sess.IP, &sess.UserAgent)
	if err != nil {
		return nil, dbError(err, "session")
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = unixNano(created), unixNano(seen), unixNano(expires)
	return &sess, nil
}

func unixNano(n int64) time.Time { return time.Unix(0, n).UTC() }

// TouchSession sets the last-seen time of a session. Errors: ENOTFOUND.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	return s.execAffecting(ctx, "session", `UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE token_hash = ?`,
		at.UnixNano(), tokenHash)
}

// DeleteSession removes a session; a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	return s.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
}

// DeleteUserSessions removes every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	return s.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
}

// DeleteExpiredSessions removes sessions past their absolute expiry or idle
// since before idleBefore, and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at < ?`,
			now.UnixNano(), idleBefore.UnixNano())
		if err != nil {
			return feedback.Internal(fmt.Errorf("delete sessions: %w", err))
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// AddLoginFailure records a failed login under key.
func (s *Store) AddLoginFailure(ctx context.Context, key string, at time.Time) error {
	return s.exec(ctx, `INSERT INTO login_failures (key, at) VALUES (?, ?)`, key, at.UnixNano())
}

// LoginFailures counts the failures under key at or after since.
func (s *Store) LoginFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM login_failures WHERE key = ? AND at >= ?`,
		key, since.UnixNano()).Scan(&n)
	if err != nil {
		return 0, dbError(err, "login failures")
	}
	return n, nil
}

// ClearLoginFailures forgets the failures under key and every failure
// older than before.
func (s *Store) ClearLoginFailures(ctx context.Context, key string, before time.Time) error {
	return s.exec(ctx, `DELETE FROM login_failures WHERE key = ? OR at < ?`, key, before.UnixNano())
}

// exec runs one statement through the writer.
func (s *Store) exec(ctx context.Context, query string, args ...any) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return feedback.Internal(err)
		}
		return nil
	})
}

// execAffecting runs one statement through the writer and reports
// ENOTFOUND for what when it changed no row.
func (s *Store) execAffecting(ctx context.Context, what, query string, args ...any) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return execAffectingTx(ctx, tx, what, query, args...)
	})
}

// execAffectingTx is execAffecting inside a write.
func execAffectingTx(ctx context.Context, tx *sql.Tx, what, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return feedback.Internal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return feedback.NotFound(what)
	}
	return nil
}
