package mongo

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"phananh/feedback"
)

// stateDoc is one adapter value. Expiry is checked on every read; a TTL
// index, where the server has one, only collects the garbage.
type stateDoc struct {
	ID        string    `bson:"_id"`
	Namespace string    `bson:"ns"`
	Key       string    `bson:"key"`
	Value     []byte    `bson:"value"`
	ExpiresAt time.Time `bson:"expires_at,omitempty"`
}

// stateID joins namespace and key unambiguously (the namespace length
// prefix keeps "a/b"+"c" apart from "a"+"b/c").
func stateID(namespace, key string) string {
	return strconv.Itoa(len(namespace)) + ":" + namespace + "/" + key
}

func (s *Store) stateDoc(namespace, key string, value []byte, expiresAt time.Time) stateDoc {
	if value == nil {
		value = []byte{}
	}
	return stateDoc{ID: stateID(namespace, key), Namespace: namespace, Key: key,
		Value: value, ExpiresAt: msUTC(expiresAt)}
}

// State returns the live value under (namespace, key). Errors: ENOTFOUND,
// also for an expired value.
func (s *Store) State(ctx context.Context, namespace, key string) ([]byte, error) {
	var d stateDoc
	err := s.state.FindOne(ctx, bson.D{{Key: "_id", Value: stateID(namespace, key)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, feedback.NotFound("state")
	}
	if err != nil {
		return nil, wrap(err)
	}
	if !d.ExpiresAt.IsZero() && !s.now().Before(d.ExpiresAt) {
		return nil, feedback.NotFound("state")
	}
	if d.Value == nil {
		d.Value = []byte{}
	}
	return d.Value, nil
}

// PutState stores a value; a zero expiresAt keeps it forever.
func (s *Store) PutState(ctx context.Context, namespace, key string, value []byte, expiresAt time.Time) error {
	d := s.stateDoc(namespace, key, value, expiresAt)
	return retryDuplicate(func() error {
		_, err := s.state.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, options.Replace().SetUpsert(true))
		return err
	})
}

// PutStateIfAbsent stores a value only when no live value exists, and
// reports whether it did. The claim is an insert of a unique _id; when a
// value exists but has expired, it is taken over by a replace conditional
// on that expiry, so that of two racing claimers exactly one wins.
func (s *Store) PutStateIfAbsent(ctx context.Context, namespace, key string, value []byte, expiresAt time.Time) (bool, error) {
	d := s.stateDoc(namespace, key, value, expiresAt)
	_, err := s.state.InsertOne(ctx, d)
	if err == nil {
		return true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return false, wrap(err)
	}
	expired := bson.D{
		{Key: "_id", Value: d.ID},
		{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: s.now().UTC()}}},
	}
	res, err := s.state.ReplaceOne(ctx, expired, d)
	if err != nil {
		return false, wrap(err)
	}
	return res.ModifiedCount == 1 || res.MatchedCount == 1, nil
}

// DeleteState removes a value; removing a missing value is not an error.
func (s *Store) DeleteState(ctx context.Context, namespace, key string) error {
	_, err := s.state.DeleteOne(ctx, bson.D{{Key: "_id", Value: stateID(namespace, key)}})
	return wrap(err)
}
