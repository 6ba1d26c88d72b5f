package mongo

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// codeNotImplemented is what FerretDB answers for index options it lacks.
const codeNotImplemented = 238

// createIndexes builds every index the queries rely on. Creating an index
// that already exists with the same options is a no-op, so this runs at
// every start-up.
func (s *Store) createIndexes(ctx context.Context) error {
	sets := []struct {
		coll   *mongo.Collection
		models []mongo.IndexModel
	}{
		{s.reports, []mongo.IndexModel{
			{Keys: bson.D{{Key: "code", Value: 1}}, Options: options.Index().SetUnique(true)},
			// Sparse: reports without a key (absent field) do not collide.
			{Keys: bson.D{{Key: "idempotency_key", Value: 1}},
				Options: options.Index().SetUnique(true).SetSparse(true)},
			{Keys: bson.D{{Key: "unit", Value: 1}, {Key: "status", Value: 1}, {Key: "due_at", Value: 1}}},
			{Keys: bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}},
			{Keys: bson.D{{Key: "due_sort", Value: 1}, {Key: "_id", Value: 1}}},
			{Keys: bson.D{{Key: "status", Value: 1}}},
		}},
		// Events use the sequence number as _id, which makes it unique.
		{s.events, []mongo.IndexModel{
			{Keys: bson.D{{Key: "report_id", Value: 1}, {Key: "_id", Value: 1}}},
			{Keys: bson.D{{Key: "petition_id", Value: 1}, {Key: "_id", Value: 1}}},
		}},
		{s.checkpoints, []mongo.IndexModel{
			{Keys: bson.D{{Key: "consumer", Value: 1}, {Key: "seq", Value: -1}}},
		}},
		{s.photoChunks, []mongo.IndexModel{
			{Keys: bson.D{{Key: "files_id", Value: 1}, {Key: "n", Value: 1}}, Options: options.Index().SetUnique(true)},
		}},
		{s.photoFiles, []mongo.IndexModel{
			{Keys: bson.D{{Key: "filename", Value: 1}, {Key: "uploadDate", Value: 1}}},
		}},
	}
	for _, set := range sets {
		if _, err := set.coll.Indexes().CreateMany(ctx, set.models); err != nil {
			return wrap(err)
		}
	}
	return s.createStateIndex(ctx)
}

// createStateIndex indexes expires_at. Where the server has TTL indexes it
// also lets the server delete expired values; reads check expires_at
// themselves and never rely on it (FerretDB has no TTL indexes).
func (s *Store) createStateIndex(ctx context.Context) error {
	keys := bson.D{{Key: "expires_at", Value: 1}}
	ttl := mongo.IndexModel{Keys: keys, Options: options.Index().SetName("expires_at").SetExpireAfterSeconds(0)}
	_, err := s.state.Indexes().CreateOne(ctx, ttl)
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == codeNotImplemented {
		plain := mongo.IndexModel{Keys: keys, Options: options.Index().SetName("expires_at")}
		_, err = s.state.Indexes().CreateOne(ctx, plain)
	}
	return wrap(err)
}
