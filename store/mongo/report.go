package mongo

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"phananh/feedback"
)

// CreateReport stores a new report with its first events, in one
// transaction where the server has them. A report whose idempotency key is
// already stored is returned unchanged with created=false, also when a
// concurrent create with the same key wins the race.
// Errors: EINVALID, ECONFLICT (code or id collision).
func (s *Store) CreateReport(ctx context.Context, r *feedback.Report, events []feedback.Event) (*feedback.Report, bool, []feedback.Event, error) {
	if err := validateNew(r); err != nil {
		return nil, false, nil, err
	}
	if err := validateEvents(events); err != nil {
		return nil, false, nil, err
	}
	if r.IdempotencyKey != "" {
		if old, err := s.reportBy(ctx, "idempotency_key", r.IdempotencyKey); err == nil {
			return old, false, nil, nil
		} else if feedback.ErrorCode(err) != feedback.ENOTFOUND {
			return nil, false, nil, err
		}
	}
	stored := *r
	now := s.clock()
	if stored.CreatedAt.IsZero() {
		stored.CreatedAt = now
	}
	if stored.UpdatedAt.IsZero() {
		stored.UpdatedAt = stored.CreatedAt
	}
	if stored.Version == 0 {
		stored.Version = 1
	}
	normalizeTimes(&stored)
	appended, err := s.insertReport(ctx, &stored, events)
	var dup *duplicateReport
	if errors.As(err, &dup) {
		return s.resolveCreateConflict(ctx, r, dup.err)
	}
	if err != nil {
		return nil, false, nil, wrap(err)
	}
	return &stored, true, appended, nil
}

// insertReport writes the report and its events atomically where it can.
// Without transactions it removes the report again when its events fail, so
// that a retry with the same idempotency key can succeed.
func (s *Store) insertReport(ctx context.Context, r *feedback.Report, events []feedback.Event) ([]feedback.Event, error) {
	var appended []feedback.Event
	err := s.atomically(ctx, func(ctx context.Context) error {
		if _, err := s.reports.InsertOne(ctx, toReportDoc(r)); err != nil {
			if mongo.IsDuplicateKeyError(err) {
				return &duplicateReport{err}
			}
			return err
		}
		var err error
		appended, err = s.insertEvents(ctx, events, reportDefaults(r))
		if err != nil && !s.txn {
			_, _ = s.reports.DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: r.ID}})
		}
		return err
	})
	return appended, err
}

// duplicateReport is a report insert refused by a unique index (code,
// idempotency key or id), as opposed to a failure of its events.
type duplicateReport struct{ err error }

func (d *duplicateReport) Error() string { return "duplicate report: " + d.err.Error() }

// resolveCreateConflict explains a duplicate key on create: the same
// idempotency key stored concurrently means "already created"; anything
// else is a code (or id) collision.
func (s *Store) resolveCreateConflict(ctx context.Context, r *feedback.Report, cause error) (*feedback.Report, bool, []feedback.Event, error) {
	if r.IdempotencyKey != "" {
		old, err := s.reportBy(ctx, "idempotency_key", r.IdempotencyKey)
		if err == nil {
			return old, false, nil, nil
		}
		if feedback.ErrorCode(err) != feedback.ENOTFOUND {
			return nil, false, nil, err
		}
	}
	e := feedback.Conflict("Mã phản ánh bị trùng, vui lòng thử lại.", "Report code already in use; retry with a new code.")
	e.Field = "code"
	e.Err = cause
	return nil, false, nil, e
}

// UpdateReport replaces the report if its stored version still equals
// r.Version (compare-and-set), with Version+1, and appends events in the
// same transaction. Errors: ENOTFOUND, ECONFLICT.
func (s *Store) UpdateReport(ctx context.Context, r *feedback.Report, events []feedback.Event) ([]feedback.Event, error) {
	if err := validateUpdate(r, events); err != nil {
		return nil, err
	}
	next := s.nextVersion(r)
	var appended []feedback.Event
	err := s.atomically(ctx, func(ctx context.Context) (err error) {
		appended, err = s.updateVersion(ctx, r, &next, events)
		return err
	})
	if err != nil {
		return nil, wrap(err)
	}
	r.Version, r.UpdatedAt = next.Version, next.UpdatedAt
	return appended, nil
}

// validateUpdate refuses an update UpdateReport cannot store.
func validateUpdate(r *feedback.Report, events []feedback.Event) error {
	if r == nil || r.ID == "" {
		return feedback.FieldError("id", "Thiếu mã định danh phản ánh.", "Report id is required.")
	}
	if !r.Status.Valid() {
		return feedback.FieldError("status", "Trạng thái không hợp lệ.", "Invalid status.")
	}
	return validateEvents(events)
}

// nextVersion is the state UpdateReport stores for r: Version+1, updated
// now, times normalised.
func (s *Store) nextVersion(r *feedback.Report) feedback.Report {
	next := *r
	next.Version = r.Version + 1
	next.UpdatedAt = s.clock()
	normalizeTimes(&next)
	return next
}

// updateVersion replaces r (at its Version) with next and appends events,
// inside atomically. Without transactions it puts r back, best effort,
// when the events fail, so that the caller's retry is not refused as a
// conflict. Errors: ENOTFOUND, ECONFLICT.
func (s *Store) updateVersion(ctx context.Context, r, next *feedback.Report, events []feedback.Event) ([]feedback.Event, error) {
	if err := s.replaceIfVersion(ctx, next, r.Version); err != nil {
		return nil, err
	}
	appended, err := s.insertEvents(ctx, events, reportDefaults(next))
	if err != nil && !s.txn {
		prev := *r
		normalizeTimes(&prev)
		_ = s.replaceIfVersion(context.WithoutCancel(ctx), &prev, next.Version)
	}
	return appended, err
}

// replaceIfVersion replaces the stored report with r if the stored version
// is still version. Errors: ENOTFOUND, ECONFLICT.
func (s *Store) replaceIfVersion(ctx context.Context, r *feedback.Report, version int64) error {
	filter := bson.D{{Key: "_id", Value: r.ID}, {Key: "version", Value: version}}
	res, err := s.reports.ReplaceOne(ctx, filter, toReportDoc(r))
	if err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return feedback.Conflict("Mã phản ánh bị trùng.", "Report code or key already in use.")
		}
		return err
	}
	if res.MatchedCount == 1 {
		return nil
	}
	n, err := s.reports.CountDocuments(ctx, bson.D{{Key: "_id", Value: r.ID}})
	if err != nil {
		return err
	}
	if n == 0 {
		return feedback.NotFound("report")
	}
	return feedback.Conflict("Phản ánh vừa được người khác cập nhật, vui lòng tải lại.",
		"The report was changed by someone else; reload and try again.")
}

// Report returns the report with the given tracking code. Errors: ENOTFOUND.
func (s *Store) Report(ctx context.Context, code string) (*feedback.Report, error) {
	return s.reportBy(ctx, "code", code)
}

// ReportByID returns the report with the given id. Errors: ENOTFOUND.
func (s *Store) ReportByID(ctx context.Context, id string) (*feedback.Report, error) {
	return s.reportBy(ctx, "_id", id)
}

func (s *Store) reportBy(ctx context.Context, field, value string) (*feedback.Report, error) {
	if value == "" {
		return nil, feedback.NotFound("report")
	}
	var d reportDoc
	err := s.reports.FindOne(ctx, bson.D{{Key: field, Value: value}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, feedback.NotFound("report")
	}
	if err != nil {
		return nil, wrap(err)
	}
	return d.report(), nil
}

// reportDefaults is what a report's events inherit when they leave it out.
func reportDefaults(r *feedback.Report) feedback.Event {
	return feedback.Event{ReportID: r.ID, ReportCode: r.Code, UnitID: r.Unit}
}

func validateNew(r *feedback.Report) error {
	switch {
	case r == nil || r.ID == "":
		return feedback.FieldError("id", "Thiếu mã định danh phản ánh.", "Report id is required.")
	case r.Code == "":
		return feedback.FieldError("code", "Thiếu mã phản ánh.", "Report code is required.")
	case !r.Status.Valid():
		return feedback.FieldError("status", "Trạng thái không hợp lệ.", "Invalid status.")
	}
	return nil
}
