package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"phananh/feedback"
)

// sessionDoc is a staff session, keyed by the hash of its token.
type sessionDoc struct {
	TokenHash  string    `bson:"_id"`
	UserID     string    `bson:"user_id"`
	CreatedAt  time.Time `bson:"created_at"`
	LastSeenAt time.Time `bson:"last_seen_at"`
	ExpiresAt  time.Time `bson:"expires_at"`
	IP         string    `bson:"ip,omitempty"`
	UserAgent  string    `bson:"user_agent,omitempty"`
}

// loginFailureDoc is one failed login under a throttling key.
type loginFailureDoc struct {
	Key string    `bson:"key"`
	At  time.Time `bson:"at"`
}

// CreateSession stores a new session. Errors: ECONFLICT (token hash
// taken), EINVALID.
func (s *Store) CreateSession(ctx context.Context, sess *feedback.Session) error {
	if sess.TokenHash == "" || sess.UserID == "" {
		return feedback.FieldError("session", "Phiên không hợp lệ.", "token hash and user id are required")
	}
	d := sessionDoc{
		TokenHash: sess.TokenHash, UserID: sess.UserID, CreatedAt: msUTC(sess.CreatedAt),
		LastSeenAt: msUTC(sess.LastSeenAt), ExpiresAt: msUTC(sess.ExpiresAt), IP: sess.IP, UserAgent: sess.UserAgent,
	}
	_, err := s.sessions.InsertOne(ctx, d)
	if mongo.IsDuplicateKeyError(err) {
		return feedback.Conflict("Phiên đã tồn tại.", "Session exists.")
	}
	return wrap(err)
}

// Session returns the session with the given token hash. Errors: ENOTFOUND.
func (s *Store) Session(ctx context.Context, tokenHash string) (*feedback.Session, error) {
	var d sessionDoc
	err := s.sessions.FindOne(ctx, bson.D{{Key: "_id", Value: tokenHash}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, feedback.NotFound("session")
	}
	if err != nil {
		return nil, wrap(err)
	}
	return &feedback.Session{
		TokenHash: d.TokenHash, UserID: d.UserID, CreatedAt: utc(d.CreatedAt),
		LastSeenAt: utc(d.LastSeenAt), ExpiresAt: utc(d.ExpiresAt), IP: d.IP, UserAgent: d.UserAgent,
	}, nil
}

// TouchSession moves LastSeenAt forward to at (never back, so that racing
// requests cannot undo each other). Errors: ENOTFOUND.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	res, err := s.sessions.UpdateOne(ctx, bson.D{{Key: "_id", Value: tokenHash}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "last_seen_at", Value: msUTC(at)}}}})
	if err != nil {
		return wrap(err)
	}
	if res.MatchedCount == 0 {
		return feedback.NotFound("session")
	}
	return nil
}

// DeleteSession removes a session; removing a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.sessions.DeleteOne(ctx, bson.D{{Key: "_id", Value: tokenHash}})
	return wrap(err)
}

// DeleteUserSessions removes every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) error {
	_, err := s.sessions.DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}})
	return wrap(err)
}

// DeleteExpiredSessions removes sessions past their absolute expiry at now
// or last seen before idleBefore, and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) (int64, error) {
	res, err := s.sessions.DeleteMany(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}},
		bson.D{{Key: "last_seen_at", Value: bson.D{{Key: "$lt", Value: idleBefore.UTC()}}}},
	}}})
	if err != nil {
		return 0, wrap(err)
	}
	return res.DeletedCount, nil
}

// AddLoginFailure records a failed login under key at the given time.
func (s *Store) AddLoginFailure(ctx context.Context, key string, at time.Time) error {
	_, err := s.loginFails.InsertOne(ctx, loginFailureDoc{Key: key, At: msUTC(at)})
	return wrap(err)
}

// LoginFailures counts the failures recorded under key at or after since.
func (s *Store) LoginFailures(ctx context.Context, key string, since time.Time) (int, error) {
	n, err := s.loginFails.CountDocuments(ctx, bson.D{
		{Key: "key", Value: key},
		{Key: "at", Value: bson.D{{Key: "$gte", Value: msUTC(since)}}},
	})
	if err != nil {
		return 0, wrap(err)
	}
	return int(n), nil
}

// ClearLoginFailures forgets the failures under key and those of any key
// older than before.
func (s *Store) ClearLoginFailures(ctx context.Context, key string, before time.Time) error {
	_, err := s.loginFails.DeleteMany(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "key", Value: key}},
		bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before.UTC()}}}},
	}}})
	return wrap(err)
}
