package mongo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"phananh/feedback"
)

// eventDoc is how an event is stored; its sequence number is the _id.
type eventDoc struct {
	Seq        int64             `bson:"_id"`
	Type       string            `bson:"type"`
	ReportID   string            `bson:"report_id,omitempty"`
	ReportCode string            `bson:"report_code,omitempty"`
	PetitionID string            `bson:"petition_id,omitempty"`
	UnitID     string            `bson:"unit_id,omitempty"`
	Public     bool              `bson:"public"`
	Actor      string            `bson:"actor"`
	From       string            `bson:"from,omitempty"`
	To         string            `bson:"to,omitempty"`
	Text       string            `bson:"text,omitempty"`
	Data       map[string]string `bson:"data,omitempty"`
	At         time.Time         `bson:"at"`
}

func toEventDoc(e feedback.Event) eventDoc {
	return eventDoc{
		Seq: e.Seq, Type: string(e.Type), ReportID: e.ReportID, ReportCode: e.ReportCode,
		PetitionID: e.PetitionID, UnitID: e.UnitID, Public: e.Public, Actor: e.Actor,
		From: string(e.From), To: string(e.To), Text: e.Text, Data: e.Data, At: e.At,
	}
}

func (d *eventDoc) event() feedback.Event {
	return feedback.Event{
		Seq: d.Seq, Type: feedback.EventType(d.Type), ReportID: d.ReportID, ReportCode: d.ReportCode,
		PetitionID: d.PetitionID, UnitID: d.UnitID, Public: d.Public, Actor: d.Actor,
		From: feedback.Status(d.From), To: feedback.Status(d.To), Text: d.Text, Data: d.Data, At: utc(d.At),
	}
}

// Events returns events with Seq > f.AfterSeq in Seq order.
//
// Ordering caveat for tailers: on a replica set the sequence counter is
// incremented inside each write's transaction, so concurrent transactions
// conflict on it and commit in sequence order. Without transactions
// (standalone server, FerretDB) numbers are taken before the events are
// inserted, so with concurrent writers a later number can become visible
// before an earlier one, and a failed write leaves a permanent gap. A live
// tailer must therefore not advance its position past a gap at once: it
// should re-read a missing number for a short grace period (seconds) before
// treating it as a gap for good.
func (s *Store) Events(ctx context.Context, f feedback.EventFilter) ([]feedback.Event, error) {
	filter := bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: f.AfterSeq}}}}
	if f.ReportID != "" {
		filter = append(filter, bson.E{Key: "report_id", Value: f.ReportID})
	}
	if f.PetitionID != "" {
		filter = append(filter, bson.E{Key: "petition_id", Value: f.PetitionID})
	}
	if f.PublicOnly {
		filter = append(filter, bson.E{Key: "public", Value: true})
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(clamp(f.Limit, 1000, 500)))
	return findAll(ctx, s.events, filter, opts, (*eventDoc).event)
}

// AppendEvents appends events that change no report. Errors: EINVALID.
func (s *Store) AppendEvents(ctx context.Context, events []feedback.Event) ([]feedback.Event, error) {
	if len(events) == 0 {
		return nil, nil
	}
	if err := validateEvents(events); err != nil {
		return nil, err
	}
	var appended []feedback.Event
	err := s.atomically(ctx, func(ctx context.Context) error {
		var err error
		appended, err = s.insertEvents(ctx, events, feedback.Event{})
		return err
	})
	if err != nil {
		return nil, wrap(err)
	}
	return appended, nil
}

// validateEvents checks what every stored event needs. Errors: EINVALID.
func validateEvents(events []feedback.Event) error {
	for _, e := range events {
		if e.Type == "" {
			return feedback.FieldError("type", "Thiếu loại sự kiện.", "Event type is required.")
		}
	}
	return nil
}

// insertEvents numbers copies of events, fills what defaults supplies
// (report id, code and unit) and the time, and inserts them. Without
// transactions a duplicate number (a server whose counter increments race)
// is retried with fresh numbers for the events not yet inserted; in a
// transaction the server retries the whole change.
func (s *Store) insertEvents(ctx context.Context, events []feedback.Event, defaults feedback.Event) ([]feedback.Event, error) {
	now := s.clock()
	out := make([]feedback.Event, 0, len(events))
	for attempt := 0; len(out) < len(events); attempt++ {
		rest := events[len(out):]
		first, err := s.allocSeqs(ctx, len(rest))
		if err != nil {
			return nil, err
		}
		batch := make([]feedback.Event, len(rest))
		docs := make([]any, len(rest))
		for i, e := range rest {
			e.Seq = first + int64(i)
			fillEvent(&e, defaults, now)
			batch[i], docs[i] = e, toEventDoc(e)
		}
		_, err = s.events.InsertMany(ctx, docs)
		if err == nil {
			return append(out, batch...), nil
		}
		done, dup := insertedBeforeDuplicate(err)
		if s.txn || attempt >= maxSeqRetries || !dup {
			return nil, fmt.Errorf("insert events: %w", err)
		}
		out = append(out, batch[:done]...)
		if err := sleepJitter(ctx, attempt); err != nil {
			return nil, err
		}
		if err := s.syncCounter(ctx, eventCounterID, s.events); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// maxSeqRetries bounds the retries of a duplicate sequence number. Only a
// server whose $inc is not atomic (FerretDB) produces them; racing writers
// then collide repeatedly, so retries back off with jitter.
const maxSeqRetries = 30

func sleepJitter(ctx context.Context, attempt int) error {
	d := time.Duration(rand.Int64N(int64(attempt+1) * int64(2*time.Millisecond)))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// insertedBeforeDuplicate reports whether an ordered insert failed on a
// duplicate key, and how many documents went in before it.
func insertedBeforeDuplicate(err error) (int, bool) {
	var be mongo.BulkWriteException
	if !errors.As(err, &be) || len(be.WriteErrors) == 0 || !mongo.IsDuplicateKeyError(err) {
		return 0, false
	}
	return be.WriteErrors[0].Index, true
}

func fillEvent(e *feedback.Event, defaults feedback.Event, now time.Time) {
	if e.ReportID == "" {
		e.ReportID = defaults.ReportID
	}
	if e.ReportCode == "" {
		e.ReportCode = defaults.ReportCode
	}
	if e.UnitID == "" {
		e.UnitID = defaults.UnitID
	}
	if e.At.IsZero() {
		e.At = now
	}
	e.At = msUTC(e.At)
}

// allocSeqs reserves n consecutive event sequence numbers and returns the
// first.
func (s *Store) allocSeqs(ctx context.Context, n int) (int64, error) {
	return s.allocCounter(ctx, eventCounterID, n)
}

// allocCounter reserves n consecutive numbers of the named counter and
// returns the first.
func (s *Store) allocCounter(ctx context.Context, counter string, n int) (int64, error) {
	var c struct {
		Seq int64 `bson:"seq"`
	}
	err := s.counters.FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: counter}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: int64(n)}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
	).Decode(&c)
	if err != nil {
		return 0, err
	}
	return c.Seq - int64(n) + 1, nil
}

// LastSeq returns the highest stored sequence number, 0 when empty. It reads
// the events themselves, not the counter, which may be ahead of them.
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	return maxSeqID(ctx, s.events)
}

// maxSeqID returns the highest numeric _id in coll, 0 when it is empty.
func maxSeqID(ctx context.Context, coll *mongo.Collection) (int64, error) {
	var d struct {
		Seq int64 `bson:"_id"`
	}
	err := coll.FindOne(ctx, bson.D{},
		options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}}).SetProjection(bson.D{{Key: "_id", Value: 1}}),
	).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, wrap(err)
	}
	return d.Seq, nil
}

// checkpointDoc is one saved position of a consumer. Positions are
// inserted, never updated: a server whose updates are not atomic under
// concurrency (FerretDB) loses racing $max updates, while an insert of a
// unique _id is atomic everywhere. Older positions are deleted after each
// save, and only strictly older ones, so the highest always survives.
type checkpointDoc struct {
	ID       string `bson:"_id"`
	Consumer string `bson:"consumer"`
	Seq      int64  `bson:"seq"`
}

// Checkpoint returns how far consumer has processed the log, 0 when never.
func (s *Store) Checkpoint(ctx context.Context, consumer string) (int64, error) {
	var d checkpointDoc
	err := s.checkpoints.FindOne(ctx, bson.D{{Key: "consumer", Value: consumer}},
		options.FindOne().SetSort(bson.D{{Key: "seq", Value: -1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, wrap(err)
	}
	return d.Seq, nil
}

// SaveCheckpoint records that consumer processed every event up to seq. It
// never moves the checkpoint backwards, even with racing savers.
func (s *Store) SaveCheckpoint(ctx context.Context, consumer string, seq int64) error {
	if consumer == "" {
		return feedback.FieldError("consumer", "Thiếu tên bộ xử lý.", "Consumer name is required.")
	}
	d := checkpointDoc{ID: fmt.Sprintf("%s@%020d", consumer, seq), Consumer: consumer, Seq: seq}
	if _, err := s.checkpoints.InsertOne(ctx, d); err != nil && !mongo.IsDuplicateKeyError(err) {
		return wrap(err)
	}
	_, err := s.checkpoints.DeleteMany(ctx, bson.D{
		{Key: "consumer", Value: consumer},
		{Key: "seq", Value: bson.D{{Key: "$lt", Value: seq}}},
	})
	return wrap(err)
}

// retryDuplicate runs an upsert again when it lost an insert race: two
// upserts of a new key at once, one gets a duplicate key error, and its
// retry then matches the document the other inserted. MongoDB retries such
// upserts itself; FerretDB does not, and a batch of upserts can lose several
// races in a row.
func retryDuplicate(fn func() error) error {
	err := fn()
	for i := 0; i < 5 && mongo.IsDuplicateKeyError(err); i++ {
		err = fn()
	}
	return wrap(err)
}

// clamp returns n within 1..max, def when n is not positive.
func clamp(n, max, def int) int {
	switch {
	case n <= 0:
		return def
	case n > max:
		return max
	}
	return n
}
