// Package mongo is the MongoDB implementation of feedback.Store, used to
// scale out: several `phananh serve` instances share one replica set, live
// events cross instances through the shared events collection, and photos
// live in GridFS.
//
// On a replica set or a sharded cluster every multi-document change (a report
// and its events) runs in a transaction. On a standalone server, and on
// FerretDB, which have no transactions, the same writes run one after the
// other and are not atomic: a crash between them can leave a report without
// its event or a gap in the event sequence. Production must use a replica set.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"phananh/feedback"
)

// DefaultDatabase is the database used when the URI names none.
const DefaultDatabase = "phananh"

// connectTimeout bounds Open: server selection, the first ping and the
// index builds of an empty database.
const connectTimeout = 15 * time.Second

// Collection names.
const (
	collReports     = "reports"
	collEvents      = "events"
	collCounters    = "counters"
	collCheckpoints = "checkpoints"
	collState       = "state"
	collUsers       = "users"
	collSessions    = "sessions"
	collLoginFails  = "login_failures"
	collAudit       = "audit"
	collTimings     = "report_timings"
	photoBucket     = "photos"
)

// The _ids of the counters documents holding the last allocated event and
// audit sequence numbers.
const (
	eventCounterID = "event_seq"
	auditCounterID = "audit_seq"
)

var _ feedback.Store = (*Store)(nil)

// Store is a feedback.Store backed by a MongoDB database. It is safe for
// concurrent use.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	// txn is true when the server supports multi-document transactions
	// (replica set or mongos).
	txn bool
	// stats is how Stats computes: by pipeline, or in Go on FerretDB.
	stats statsPath
	// petitionIndexes is set once ensurePetitionIndexes has succeeded, so
	// that later petitions skip its round trips.
	petitionIndexes atomic.Bool
	now             func() time.Time

	reports, events, counters, checkpoints, state *mongo.Collection
	photoFiles, photoChunks                       *mongo.Collection
	users, sessions, loginFails, audit, timings   *mongo.Collection
}

// Open connects to the MongoDB server at uri, checks that it answers,
// detects whether it supports transactions and creates the indexes. The
// database is the one named in the URI path, DefaultDatabase when none is.
// Errors: EINVALID (bad URI), EUNAVAILABLE (server unreachable).
func Open(ctx context.Context, uri string) (*Store, error) {
	dbName, err := databaseName(uri)
	if err != nil {
		return nil, err
	}
	// Defaults first: timeouts given in the URI override them.
	opts := options.Client().
		SetConnectTimeout(connectTimeout).
		SetServerSelectionTimeout(connectTimeout).
		ApplyURI(uri)
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, unavailable(err)
	}
	s := newStore(client, dbName)
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := s.start(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	return s, nil
}

// databaseName returns the database named in the URI path, DefaultDatabase
// when there is none. Errors: EINVALID.
func databaseName(uri string) (string, error) {
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil {
		return "", &feedback.Error{Code: feedback.EINVALID, Field: "mongo_uri",
			Message: "Địa chỉ MongoDB không hợp lệ.", MessageEN: "Invalid MongoDB URI.", Err: err}
	}
	if cs.Database == "" {
		return DefaultDatabase, nil
	}
	return cs.Database, nil
}

func newStore(client *mongo.Client, dbName string) *Store {
	db := client.Database(dbName)
	return &Store{
		client:      client,
		db:          db,
		now:         time.Now,
		reports:     db.Collection(collReports),
		events:      db.Collection(collEvents),
		counters:    db.Collection(collCounters),
		checkpoints: db.Collection(collCheckpoints),
		state:       db.Collection(collState),
		photoFiles:  db.Collection(photoBucket + ".files"),
		photoChunks: db.Collection(photoBucket + ".chunks"),
		users:       db.Collection(collUsers),
		sessions:    db.Collection(collSessions),
		loginFails:  db.Collection(collLoginFails),
		audit:       db.Collection(collAudit),
		timings:     db.Collection(collTimings),
	}
}

// start pings, detects transactions, creates indexes and the sequence counter.
func (s *Store) start(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return unavailable(err)
	}
	txn, err := s.supportsTransactions(ctx)
	if err != nil {
		return err
	}
	s.txn = txn
	if s.stats, err = s.detectStatsPath(ctx); err != nil {
		return err
	}
	if err := s.createIndexes(ctx); err != nil {
		return err
	}
	if err := s.syncCounter(ctx, eventCounterID, s.events); err != nil {
		return err
	}
	return s.syncCounter(ctx, auditCounterID, s.audit)
}

// syncCounter creates a sequence counter if needed and moves it up to the
// highest _id in coll, whose documents it numbers. The event counter must
// exist before the first transaction uses it (older servers cannot create a
// collection inside one), and no counter may lag behind its documents:
// after a restore that lost the counters collection every write would
// otherwise collide with an existing number.
func (s *Store) syncCounter(ctx context.Context, counter string, coll *mongo.Collection) error {
	last, err := maxSeqID(ctx, coll)
	if err != nil {
		return err
	}
	return retryDuplicate(func() error {
		_, err := s.counters.UpdateOne(ctx, bson.D{{Key: "_id", Value: counter}},
			bson.D{{Key: "$max", Value: bson.D{{Key: "seq", Value: last}}}},
			options.UpdateOne().SetUpsert(true))
		return err
	})
}

// supportsTransactions asks `hello`: a replica set member reports setName,
// a mongos reports msg "isdbgrid". Standalone servers and FerretDB report
// neither.
func (s *Store) supportsTransactions(ctx context.Context) (bool, error) {
	var hello struct {
		SetName string `bson:"setName"`
		Msg     string `bson:"msg"`
	}
	err := s.db.RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello)
	if err != nil {
		return false, unavailable(err)
	}
	return hello.SetName != "" || hello.Msg == "isdbgrid", nil
}

// Transactions reports whether multi-document changes are atomic on this
// server (replica set or sharded cluster).
func (s *Store) Transactions() bool { return s.txn }

// Ping checks that the primary answers. Errors: EUNAVAILABLE.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return unavailable(err)
	}
	return nil
}

// Close disconnects from the server. Every write is acknowledged before it
// returns, so there is nothing to flush.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.client.Disconnect(ctx); err != nil && !errors.Is(err, mongo.ErrClientDisconnected) {
		return wrap(err)
	}
	return nil
}

// atomically runs fn in a transaction when the server supports them, and
// directly otherwise. fn may run more than once (transient transaction
// errors are retried), so it must derive everything it writes afresh.
func (s *Store) atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	if !s.txn {
		return fn(ctx)
	}
	sess, err := s.client.StartSession()
	if err != nil {
		return wrap(err)
	}
	defer sess.EndSession(context.WithoutCancel(ctx))
	_, err = sess.WithTransaction(ctx, func(ctx context.Context) (any, error) {
		return nil, fn(ctx)
	})
	return err
}

// clock returns the current time at the precision MongoDB stores
// (milliseconds, UTC), so that what a write returns equals what a read gets.
func (s *Store) clock() time.Time { return msUTC(s.now()) }

// msUTC truncates t to milliseconds in UTC; the zero time stays zero.
func msUTC(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Millisecond)
}

// wrap classifies a driver error: domain errors pass through, network
// trouble and timeouts become EUNAVAILABLE, anything else EINTERNAL.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	var fe *feedback.Error
	if errors.As(err, &fe) {
		return err
	}
	if mongo.IsNetworkError(err) || mongo.IsTimeout(err) ||
		errors.Is(err, mongo.ErrClientDisconnected) || isServerSelection(err) {
		return unavailable(err)
	}
	return feedback.Internal(err)
}

// isServerSelection reports whether no suitable server could be found
// (all down, or no primary during an election).
func isServerSelection(err error) bool {
	var se topology.ServerSelectionError
	return errors.As(err, &se)
}

func unavailable(err error) error {
	return &feedback.Error{Code: feedback.EUNAVAILABLE,
		Message:   "Cơ sở dữ liệu tạm thời không truy cập được.",
		MessageEN: "The database is temporarily unavailable.",
		Err:       fmt.Errorf("mongo: %w", err)}
}

// findAll runs a find on coll and returns every matching document, decoded
// as D and converted by conv, in the cursor's order.
func findAll[D, T any](ctx context.Context, coll *mongo.Collection, filter any, opts *options.FindOptionsBuilder, conv func(*D) T) ([]T, error) {
	cur, err := coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, wrap(err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(err)
	}
	out := make([]T, len(docs))
	for i := range docs {
		out[i] = conv(&docs[i])
	}
	return out, nil
}
