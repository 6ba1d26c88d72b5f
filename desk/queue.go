package desk

import (
	"context"
	"time"

	"phananh/feedback"
)

// QueueFilter selects a staff queue. Zero fields do not filter.
type QueueFilter struct {
	Status   []feedback.Status
	Category string
	Ward     string
	// Unit narrows a supervisor's queue to one unit; officers and managers
	// always see their own unit, whatever is asked.
	Unit string
	// Overdue keeps open reports past their due time.
	Overdue bool
	// Assignee keeps reports assigned to this user id; "me" is the caller.
	Assignee string
	Text     string
	Cursor   string
	Limit    int
}

// Queue returns the reports the actor may see, soonest due first.
// Errors: EUNAUTHORIZED, EFORBIDDEN, EINVALID (bad cursor or filter).
func (s *Service) Queue(ctx context.Context, by feedback.Actor, f QueueFilter) (feedback.ReportPage, error) {
	if err := authorize(by, ActView, nil); err != nil {
		return feedback.ReportPage{}, err
	}
	for _, st := range f.Status {
		if !st.Valid() {
			return feedback.ReportPage{}, feedback.FieldError("status", "Trạng thái không hợp lệ.", "Unknown status.")
		}
	}
	rf := feedback.ReportFilter{
		Status: f.Status, Category: f.Category, Ward: f.Ward, Unit: f.Unit,
		Assignee: f.Assignee, Text: f.Text, Order: "due", Cursor: f.Cursor, Limit: f.Limit,
	}
	if by.User.Role.UnitScoped() {
		rf.Unit = by.User.UnitID
	}
	if rf.Assignee == "me" {
		rf.Assignee = by.User.ID
	}
	if f.Overdue {
		rf.OverdueAt = s.now()
	}
	return s.store.FindReports(ctx, rf)
}

// Detail is everything about a report for staff: the report with the
// reporter's contact, and its full event history including internal notes.
type Detail struct {
	Report *feedback.Report `json:"report"`
	Events []feedback.Event `json:"events"`
}

// maxHistory bounds the history returned with a report.
const maxHistory = 5000

// Report returns a report and its history. Errors: EUNAUTHORIZED,
// EFORBIDDEN, ENOTFOUND (also for another unit's report).
func (s *Service) Report(ctx context.Context, by feedback.Actor, code string) (*Detail, error) {
	r, err := s.load(ctx, by, ActView, code)
	if err != nil {
		return nil, err
	}
	d := &Detail{Report: r, Events: []feedback.Event{}}
	var after int64
	for len(d.Events) < maxHistory {
		evs, err := s.store.Events(ctx, feedback.EventFilter{AfterSeq: after, ReportID: r.ID, Limit: 1000})
		if err != nil {
			return nil, err
		}
		d.Events = append(d.Events, evs...)
		if len(evs) < 1000 {
			break
		}
		after = evs[len(evs)-1].Seq
	}
	if s.views.first(by.ID(), r.Code, s.now()) {
		s.audit(ctx, by, string(ActView), r.Code, nil, nil)
	}
	return d, nil
}

// Officers returns the active accounts of a unit that reports can be
// assigned to (officers and managers). Unit-scoped callers get their own
// unit. Errors: EUNAUTHORIZED, EFORBIDDEN.
func (s *Service) Officers(ctx context.Context, by feedback.Actor, unit string) ([]*feedback.User, error) {
	if err := authorize(by, ActAssign, nil); err != nil {
		return nil, err
	}
	if by.User.Role.UnitScoped() {
		unit = by.User.UnitID
	}
	all, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := []*feedback.User{}
	for _, u := range all {
		if !u.Disabled && u.Role.UnitScoped() && u.UnitID == unit {
			out = append(out, u)
		}
	}
	return out, nil
}

// Audit returns audit entries, newest first: supervisors and admins only.
// Errors: EUNAUTHORIZED, EFORBIDDEN.
func (s *Service) Audit(ctx context.Context, by feedback.Actor, f feedback.AuditFilter) ([]feedback.AuditEntry, error) {
	if err := authorize(by, ActAudit, nil); err != nil {
		return nil, err
	}
	return s.store.Audit(ctx, f)
}

// MaxStatsRange bounds a statistics query.
const MaxStatsRange = 5 * 366 * 24 * time.Hour

// Stats returns statistics for the chairman's office: supervisors only.
// Errors: EUNAUTHORIZED, EFORBIDDEN, EINVALID.
func (s *Service) Stats(ctx context.Context, by feedback.Actor, q feedback.StatsQuery) ([]feedback.StatsRow, error) {
	if err := authorize(by, ActStats, nil); err != nil {
		return nil, err
	}
	if !q.Group.Valid() {
		return nil, feedback.FieldError("group", "Nhóm phải là unit, category hoặc ward.", "group must be unit, category or ward.")
	}
	if !q.From.Before(q.To) || q.To.Sub(q.From) > MaxStatsRange {
		return nil, feedback.FieldError("from", "Khoảng thời gian không hợp lệ (tối đa 5 năm).", "Invalid period (at most 5 years).")
	}
	q.Now = s.now()
	return s.store.Stats(ctx, q)
}

// Location returns the city's time zone, in which dates of statistics
// queries are read.
func (s *Service) Location() *time.Location { return s.city.Calendar().Location() }
