// Package desk is the staff service: unit-scoped queues, the actions staff
// take on reports, the citizen's side of closure, statistics and the audit
// log. Authorization is enforced here, whatever the caller (API, web UI).
package desk

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"phananh/city"
	"phananh/feedback"
)

// Store is what the staff service needs from persistence.
type Store interface {
	feedback.ReportStore
	feedback.EventStore
	feedback.PhotoStore
	feedback.UserStore
	feedback.AuditStore
	feedback.StatsStore
}

// PhotoCleaner re-encodes an uploaded image without its metadata and
// returns the clean bytes and their content type (photo.Clean).
type PhotoCleaner func(data []byte) (clean []byte, contentType string, err error)

// Config holds the collaborators of the service; zero fields take defaults.
type Config struct {
	Publisher feedback.Publisher // [none]
	Clean     PhotoCleaner       // required for after-photos
	Now       func() time.Time   // [time.Now]
	Log       *slog.Logger       // [slog.Default()]
}

// Service is the staff service.
type Service struct {
	store Store
	city  *city.City
	pub   feedback.Publisher
	clean PhotoCleaner
	now   func() time.Time
	log   *slog.Logger
	views views
}

// New returns the staff service over store for the given city.
func New(store Store, c *city.City, cfg Config) *Service {
	s := &Service{store: store, city: c, pub: cfg.Publisher, clean: cfg.Clean, now: cfg.Now, log: cfg.Log,
		views: views{last: map[string]time.Time{}}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// ConflictError is returned when a concurrent change won the
// compare-and-set; Current is the report as it now stands, for the caller
// to show (HTTP 409 with the current state). It unwraps to an ECONFLICT
// feedback error.
type ConflictError struct {
	Current *feedback.Report
}

func (e *ConflictError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the ECONFLICT error.
func (e *ConflictError) Unwrap() error {
	return feedback.Conflict("Phản ánh vừa được người khác thay đổi. Vui lòng xem trạng thái hiện tại và thử lại.",
		"The report was just changed by someone else. Please check its current state and try again.")
}

// change is one mutation of a report: it edits r and returns the events
// describing what it did (the service fills in ids, actor and time).
type change func(r *feedback.Report, now time.Time) ([]feedback.Event, error)

// mutate loads a report the actor may act on, applies fn and stores the
// result with compare-and-set, with its timings and audit entry (see
// save), then publishes.
func (s *Service) mutate(ctx context.Context, by feedback.Actor, act Action, code string, fn change) (*feedback.Report, error) {
	cur, err := s.load(ctx, by, act, code)
	if err != nil {
		return nil, err
	}
	return s.apply(ctx, by, string(act), cur, fn)
}

// apply runs fn on a copy of cur and stores it; see mutate.
func (s *Service) apply(ctx context.Context, by feedback.Actor, action string, cur *feedback.Report, fn change) (*feedback.Report, error) {
	now := s.now().UTC()
	next := *cur
	events, err := fn(&next, now)
	if err != nil {
		return nil, err
	}
	actor := feedback.ActorCitizen
	if id := by.ID(); id != "" {
		actor = feedback.UserActor(id)
	}
	for i := range events {
		e := &events[i]
		e.ReportID, e.ReportCode, e.UnitID, e.Actor, e.At = next.ID, next.Code, next.Unit, actor, now
	}
	next.UpdatedAt = now
	appended, err := s.save(ctx, by, action, cur, &next, events)
	if feedback.ErrorCode(err) == feedback.ECONFLICT {
		return nil, s.conflict(ctx, by, cur.ID)
	} else if err != nil {
		return nil, err
	}
	if s.pub != nil && len(appended) > 0 {
		s.pub.Publish(appended)
	}
	return &next, nil
}

// conflict builds the 409 error with the report's current state, unless
// the change that won moved the report out of the staff member's sight (a
// transfer to another unit): then it is gone for them, ENOTFOUND.
func (s *Service) conflict(ctx context.Context, by feedback.Actor, id string) error {
	cur, err := s.store.ReportByID(ctx, id)
	if err != nil {
		return err
	}
	if by.User != nil && authorize(by, ActView, cur) != nil {
		return feedback.NotFound("report")
	}
	return &ConflictError{Current: cur}
}

// save stores next (changed from cur) with its events, the working-time
// figures and, for staff and local actors, the audit entry. When the store
// is a feedback.ChangeStore they are one all-or-nothing write; otherwise
// the report is stored first and the rest recorded after it, where a
// failure is only logged.
func (s *Service) save(ctx context.Context, by feedback.Actor, action string, cur, next *feedback.Report, events []feedback.Event) ([]feedback.Event, error) {
	audited := by.User != nil || by.Local
	cs, ok := s.store.(feedback.ChangeStore)
	if !ok {
		appended, err := s.store.UpdateReport(ctx, next, events)
		if err != nil {
			return nil, err
		}
		s.recordTimings(ctx, cur, next)
		if audited {
			s.audit(ctx, by, action, next.Code, snapshot(cur), snapshot(next))
		}
		return appended, nil
	}
	c := feedback.ReportChange{Report: next, Events: events}
	c.FirstResponseMinutes, c.ResolutionMinutes = s.timings(cur, next)
	if audited {
		stored := *next
		stored.Version++ // the audit shows the version as stored, as when appended after the update
		c.Audit = by.Entry(s.now(), action, next.Code, snapshot(cur), snapshot(&stored))
	}
	return cs.ApplyChange(ctx, c)
}

// timings returns the working-time measurements a change completes: the
// minutes to the first staff response when it made one, and the minutes
// to resolution when it resolved the report (-1 when it reopened it). A
// nil pointer means nothing to record.
func (s *Service) timings(before, after *feedback.Report) (firstResponse, resolution *int64) {
	if before.FirstResponseAt == nil && after.FirstResponseAt != nil {
		v := s.workingMinutes(after.CreatedAt, *after.FirstResponseAt)
		firstResponse = &v
	}
	switch {
	case after.ResolvedAt != nil && (before.ResolvedAt == nil || !before.ResolvedAt.Equal(*after.ResolvedAt)):
		v := s.workingMinutes(after.CreatedAt, *after.ResolvedAt)
		resolution = &v
	case after.ResolvedAt == nil && before.ResolvedAt != nil:
		v := int64(-1)
		resolution = &v
	}
	return firstResponse, resolution
}

// recordTimings stores the timings of a change, for a store without
// feedback.ChangeStore. They are statistics: a failure is logged, not
// returned, as the change is done.
func (s *Service) recordTimings(ctx context.Context, before, after *feedback.Report) {
	fr, rs := s.timings(before, after)
	var err error
	if fr != nil {
		err = s.store.RecordFirstResponse(ctx, after.ID, *fr)
	}
	if rs != nil {
		err = errors.Join(err, s.store.RecordResolution(ctx, after.ID, *rs))
	}
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "record timings failed",
			slog.String("report_code", after.Code), slog.String("error", err.Error()))
	}
}

func (s *Service) workingMinutes(from, to time.Time) int64 {
	return int64(s.city.WorkingDuration(from, to) / time.Minute)
}

// audit appends an audit entry; the action is done, so a failure is logged.
func (s *Service) audit(ctx context.Context, by feedback.Actor, action, subject string, before, after json.RawMessage) {
	if err := s.store.AppendAudit(ctx, by.Entry(s.now(), action, subject, before, after)); err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "audit append failed",
			slog.String("action", action), slog.String("report_code", subject), slog.String("error", err.Error()))
	}
}

// reportState is the audit view of a report: the fields staff change,
// without the reporter's contact details.
type reportState struct {
	Status      feedback.Status `json:"status"`
	Unit        string          `json:"unit,omitempty"`
	Category    string          `json:"category,omitempty"`
	Ward        string          `json:"ward,omitempty"`
	AssigneeID  string          `json:"assignee_id,omitempty"`
	DuplicateOf string          `json:"duplicate_of,omitempty"`
	Escalation  int             `json:"escalation_level"`
	ReopenCount int             `json:"reopen_count"`
	Rating      int             `json:"rating,omitempty"`
	Photos      int             `json:"photos"`
	Version     int64           `json:"version"`
}

func snapshot(r *feedback.Report) json.RawMessage {
	b, _ := json.Marshal(reportState{
		Status: r.Status, Unit: r.Unit, Category: r.Category, Ward: r.Ward, AssigneeID: r.AssigneeID,
		DuplicateOf: r.DuplicateOf, Escalation: r.EscalationLevel, ReopenCount: r.ReopenCount,
		Rating: r.Rating, Photos: len(r.Photos), Version: r.Version,
	})
	return b
}

var errNoCleaner = errors.New("desk: no photo cleaner configured")
