package mongo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"phananh/feedback"
)

// auditDoc is one audit entry; its sequence number is the _id. Before and
// After keep the JSON text exactly as given.
type auditDoc struct {
	Seq       int64     `bson:"_id"`
	At        time.Time `bson:"at"`
	ActorID   string    `bson:"actor_id"`
	ActorName string    `bson:"actor_name,omitempty"`
	ActorRole string    `bson:"actor_role,omitempty"`
	IP        string    `bson:"ip,omitempty"`
	Action    string    `bson:"action"`
	Subject   string    `bson:"subject,omitempty"`
	Before    string    `bson:"before,omitempty"`
	After     string    `bson:"after,omitempty"`
}

func (d *auditDoc) entry() feedback.AuditEntry {
	e := feedback.AuditEntry{
		Seq: d.Seq, At: utc(d.At), ActorID: d.ActorID, ActorName: d.ActorName,
		ActorRole: feedback.Role(d.ActorRole), IP: d.IP, Action: d.Action, Subject: d.Subject,
	}
	if d.Before != "" {
		e.Before = json.RawMessage(d.Before)
	}
	if d.After != "" {
		e.After = json.RawMessage(d.After)
	}
	return e
}

// AppendAudit stores an entry and sets its Seq. The log is append-only: no
// method changes or deletes an entry. Errors: EINVALID (no action, actor or
// time).
func (s *Store) AppendAudit(ctx context.Context, e *feedback.AuditEntry) error {
	if err := validateAudit(e); err != nil {
		return err
	}
	seq, err := s.insertAudit(ctx, newAuditDoc(e))
	if err == nil {
		e.Seq = seq
	}
	return err
}

// validateAudit refuses an entry without action, actor or time.
func validateAudit(e *feedback.AuditEntry) error {
	if e.Action == "" || e.ActorID == "" || e.At.IsZero() {
		return feedback.FieldError("audit", "Thiếu thông tin nhật ký.", "action, actor and time are required")
	}
	return nil
}

func newAuditDoc(e *feedback.AuditEntry) auditDoc {
	return auditDoc{
		At: msUTC(e.At), ActorID: e.ActorID, ActorName: e.ActorName, ActorRole: string(e.ActorRole),
		IP: e.IP, Action: e.Action, Subject: e.Subject, Before: string(e.Before), After: string(e.After),
	}
}

// insertAudit numbers d and inserts it, returning its sequence number.
func (s *Store) insertAudit(ctx context.Context, d auditDoc) (int64, error) {
	// A duplicate number only comes from a counter whose increments race
	// (FerretDB); take a fresh one, as for events.
	for attempt := 0; ; attempt++ {
		seq, err := s.allocCounter(ctx, auditCounterID, 1)
		if err != nil {
			return 0, wrap(err)
		}
		d.Seq = seq
		_, err = s.audit.InsertOne(ctx, d)
		if err == nil {
			return seq, nil
		}
		if !mongo.IsDuplicateKeyError(err) || attempt >= maxSeqRetries {
			return 0, wrap(fmt.Errorf("insert audit entry: %w", err))
		}
		if err := sleepJitter(ctx, attempt); err != nil {
			return 0, wrap(err)
		}
		if err := s.syncCounter(ctx, auditCounterID, s.audit); err != nil {
			return 0, err
		}
	}
}

// Audit returns entries matching f, newest (highest Seq) first.
func (s *Store) Audit(ctx context.Context, f feedback.AuditFilter) ([]feedback.AuditEntry, error) {
	filter := bson.D{}
	for _, kv := range [][2]string{{"actor_id", f.ActorID}, {"subject", f.Subject}, {"action", f.Action}} {
		if kv[1] != "" {
			filter = append(filter, bson.E{Key: kv[0], Value: kv[1]})
		}
	}
	at := bson.D{}
	if !f.Since.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: msUTC(f.Since)})
	}
	if !f.Until.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: f.Until.UTC()})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	if f.BeforeSeq > 0 {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: f.BeforeSeq}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(clamp(f.Limit, 500, 100)))
	return findAll(ctx, s.audit, filter, opts, (*auditDoc).entry)
}
