package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"phananh/feedback"
)

// The SLA job's work lists (sla.CandidateLister). Both read one compound
// index each (index.go) whose leading fields the query pins to a few
// points, so that MongoDB merges the index ranges in sort order and stops
// after limit documents instead of sorting every overdue or resolved
// report. Plain compound indexes are used rather than partial ones, which
// FerretDB does not have.

// belowChairman lists the escalation levels below the chairman's office
// (2): none and the unit's manager. Levels are only ever 0, 1 or 2, and
// point values let the index return the reports in due order, where a
// range ($lt: 2) would make the server sort them all.
var belowChairman = bson.A{0, 1}

// EscalationCandidates returns up to limit open reports due before now
// whose escalation level is below 2 (the chairman's office), in (DueAt, ID)
// order after the position (afterDue, afterID); a zero afterDue starts at
// the beginning. It is the escalation job's work list (sla.CandidateLister).
// Errors: EUNAVAILABLE, EINTERNAL.
func (s *Store) EscalationCandidates(ctx context.Context, now, afterDue time.Time, afterID string, limit int) ([]*feedback.Report, error) {
	// Stored times are whole milliseconds, so "before now" is "before now
	// rounded up" whatever the precision of now.
	due := bson.D{{Key: "$lt", Value: ceilMS(now)}}
	filter := bson.D{
		{Key: "status", Value: bson.D{{Key: "$in", Value: openStatuses()}}},
		{Key: "escalation_level", Value: bson.D{{Key: "$in", Value: belowChairman}}},
	}
	if !afterDue.IsZero() {
		from := ceilMS(afterDue)
		due = append(bson.D{{Key: "$gte", Value: from}}, due...)
		if from.Equal(afterDue) {
			// Reports due exactly at afterDue come after it only with a
			// greater id; the rest of the position is a bound on due_at.
			filter = append(filter, bson.E{Key: "$nor", Value: bson.A{
				bson.D{{Key: "due_at", Value: from}, {Key: "_id", Value: bson.D{{Key: "$lte", Value: afterID}}}},
			}})
		}
	}
	filter = append(filter, bson.E{Key: "due_at", Value: due})
	order := bson.D{{Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}
	return s.findCandidates(ctx, filter, order, limit)
}

// AutoCloseCandidates returns up to limit resolved reports resolved at or
// before the given time, longest waiting first (ties by ID): the auto-close
// work list (sla.CandidateLister). Closing them removes them from the list.
// Errors: EUNAVAILABLE, EINTERNAL.
func (s *Store) AutoCloseCandidates(ctx context.Context, resolvedBefore time.Time, limit int) ([]*feedback.Report, error) {
	filter := bson.D{
		{Key: "status", Value: string(feedback.StatusResolved)},
		// Stored times are whole milliseconds, so "at or before" is "at or
		// before the time rounded down".
		{Key: "resolved_at", Value: bson.D{{Key: "$lte", Value: msUTC(resolvedBefore)}}},
	}
	order := bson.D{{Key: "resolved_at", Value: 1}, {Key: "_id", Value: 1}}
	return s.findCandidates(ctx, filter, order, limit)
}

// findCandidates returns up to limit (at least one) reports matching
// filter in the given order.
func (s *Store) findCandidates(ctx context.Context, filter, order bson.D, limit int) ([]*feedback.Report, error) {
	return findAll(ctx, s.reports, filter, options.Find().SetSort(order).SetLimit(int64(max(limit, 1))), (*reportDoc).report)
}

// ceilMS rounds t up to the next whole millisecond, in UTC.
func ceilMS(t time.Time) time.Time {
	c := t.UTC().Truncate(time.Millisecond)
	if c.Before(t) {
		c = c.Add(time.Millisecond)
	}
	return c
}
