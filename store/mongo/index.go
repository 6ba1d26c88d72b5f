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

// namedIndex is an index model with its explicit name, so that start-up
// can tell which indexes already exist.
type namedIndex struct {
	name  string
	model mongo.IndexModel
}

func index(name string, opts *options.IndexOptionsBuilder, keys ...bson.E) namedIndex {
	if opts == nil {
		opts = options.Index()
	}
	return namedIndex{name, mongo.IndexModel{Keys: bson.D(keys), Options: opts.SetName(name)}}
}

func asc(field string) bson.E  { return bson.E{Key: field, Value: 1} }
func desc(field string) bson.E { return bson.E{Key: field, Value: -1} }

// createIndexes builds every index the queries rely on, at every start-up.
// Only missing indexes are created: besides saving work, FerretDB panics on
// a createIndexes that repeats existing ones.
func (s *Store) createIndexes(ctx context.Context) error {
	unique := func() *options.IndexOptionsBuilder { return options.Index().SetUnique(true) }
	sets := []struct {
		coll   *mongo.Collection
		models []namedIndex
	}{
		{s.reports, []namedIndex{
			index("code_1", unique(), asc("code")),
			// Sparse: reports without a key (absent field) do not collide.
			index("idempotency_key_1", unique().SetSparse(true), asc("idempotency_key")),
			index("unit_1_status_1_due_at_1", nil, asc("unit"), asc("status"), asc("due_at")),
			index("created_at_-1__id_-1", nil, desc("created_at"), desc("_id")),
			index("due_sort_1__id_1", nil, asc("due_sort"), asc("_id")),
			index("status_1", nil, asc("status")),
			// The SLA job's work lists (escalation.go).
			index("status_1_escalation_level_1_due_at_1__id_1", nil,
				asc("status"), asc("escalation_level"), asc("due_at"), asc("_id")),
			index("status_1_resolved_at_1__id_1", nil, asc("status"), asc("resolved_at"), asc("_id")),
		}},
		// Events use the sequence number as _id, which makes it unique.
		{s.events, []namedIndex{
			index("report_id_1__id_1", nil, asc("report_id"), asc("_id")),
			index("petition_id_1__id_1", nil, asc("petition_id"), asc("_id")),
		}},
		{s.checkpoints, []namedIndex{index("consumer_1_seq_-1", nil, asc("consumer"), desc("seq"))}},
		{s.photoChunks, []namedIndex{index("files_id_1_n_1", unique(), asc("files_id"), asc("n"))}},
		{s.photoFiles, []namedIndex{index("filename_1_uploadDate_1", nil, asc("filename"), asc("uploadDate"))}},
		{s.users, []namedIndex{index("username_1", unique(), asc("username"))}},
		{s.sessions, []namedIndex{
			index("user_id_1", nil, asc("user_id")),
			index("expires_at_1", nil, asc("expires_at")),
			index("last_seen_at_1", nil, asc("last_seen_at")),
		}},
		{s.loginFails, []namedIndex{
			index("key_1_at_1", nil, asc("key"), asc("at")),
			index("at_1", nil, asc("at")),
		}},
		// Audit entries use their sequence number as _id.
		{s.audit, []namedIndex{
			index("actor_id_1__id_-1", nil, asc("actor_id"), desc("_id")),
			index("subject_1__id_-1", nil, asc("subject"), desc("_id")),
			index("action_1__id_-1", nil, asc("action"), desc("_id")),
			index("at_1", nil, asc("at")),
		}},
	}
	for _, set := range sets {
		if err := s.ensureIndexes(ctx, set.coll, set.models); err != nil {
			return err
		}
	}
	return s.createStateIndex(ctx)
}

// ensureIndexes creates the models whose names coll does not have yet.
func (s *Store) ensureIndexes(ctx context.Context, coll *mongo.Collection, models []namedIndex) error {
	have, err := indexNames(ctx, coll)
	if err != nil {
		return err
	}
	var missing []mongo.IndexModel
	for _, m := range models {
		if !have[m.name] {
			missing = append(missing, m.model)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = coll.Indexes().CreateMany(ctx, missing)
	return wrap(err)
}

// indexNames lists the names of coll's indexes (none when it does not exist).
func indexNames(ctx context.Context, coll *mongo.Collection) (map[string]bool, error) {
	cur, err := coll.Indexes().List(ctx)
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == 26 { // NamespaceNotFound
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, wrap(err)
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, wrap(err)
	}
	names := make(map[string]bool, len(specs))
	for _, spec := range specs {
		names[spec.Name] = true
	}
	return names, nil
}

// createStateIndex indexes expires_at. Where the server has TTL indexes it
// also lets the server delete expired values; reads check expires_at
// themselves and never rely on it (FerretDB has no TTL indexes).
func (s *Store) createStateIndex(ctx context.Context) error {
	have, err := indexNames(ctx, s.state)
	if err != nil || have["expires_at"] {
		return err
	}
	ttl := options.Index().SetExpireAfterSeconds(0)
	_, err = s.state.Indexes().CreateOne(ctx, index("expires_at", ttl, asc("expires_at")).model)
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == codeNotImplemented {
		_, err = s.state.Indexes().CreateOne(ctx, index("expires_at", nil, asc("expires_at")).model)
	}
	return wrap(err)
}
