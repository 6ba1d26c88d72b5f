package sla

import (
	"context"
	"strconv"
	"time"

	"phananh/feedback"
)

// minLevel2After is the least overdue time before the chairman's office is
// called in, for reports with a very short service level.
const minLevel2After = time.Hour

// level returns the escalation level a report deserves at now: 1 once it
// is overdue, 2 once it has been overdue for as long again as its service
// level allowed, measured as the service level is (clock time for urgent
// reports, working time otherwise).
func (j *Job) level(r *feedback.Report, now time.Time) int {
	if !r.Overdue(now) {
		return LevelNone
	}
	allowed, late := r.DueAt.Sub(r.CreatedAt), now.Sub(r.DueAt)
	if r.Priority != feedback.PriorityUrgent {
		allowed, late = j.city.WorkingDuration(r.CreatedAt, r.DueAt), j.city.WorkingDuration(r.DueAt, now)
	}
	if late >= max(allowed, minLevel2After) {
		return LevelChairman
	}
	return LevelManager
}

// escalate raises a report to the level it deserves, writing the events
// of every step it takes (overdue, then escalated per level).
func (j *Job) escalate(ctx context.Context, r *feedback.Report, now time.Time, res *Result) error {
	target := j.level(r, now)
	if target <= r.EscalationLevel {
		return nil
	}
	var evs []feedback.Event
	if r.EscalationLevel == LevelNone {
		evs = append(evs, j.event(r, feedback.EventOverdue, now, map[string]string{"due_at": r.DueAt.UTC().Format(time.RFC3339)}))
	}
	for l := r.EscalationLevel + 1; l <= target; l++ {
		evs = append(evs, j.event(r, feedback.EventEscalated, now, map[string]string{"level": strconv.Itoa(l), "to": escalationTarget(l)}))
	}
	wasNone := r.EscalationLevel == LevelNone
	steps := target - r.EscalationLevel
	r.EscalationLevel = target
	ok, err := j.commit(ctx, r, evs)
	if ok {
		res.Escalated += steps
		if wasNone {
			res.Overdue++
		}
	}
	return err
}

func escalationTarget(level int) string {
	if level == LevelManager {
		return "unit_manager"
	}
	return "chairman_office"
}

// autoClose closes a resolved report once the citizen has had the city's
// auto-close period to confirm or reopen it.
func (j *Job) autoClose(ctx context.Context, r *feedback.Report, now time.Time, res *Result) error {
	since := r.UpdatedAt
	if r.ResolvedAt != nil {
		since = *r.ResolvedAt
	}
	if now.Before(since.AddDate(0, 0, j.city.AutoCloseDays)) {
		return nil
	}
	r.Status, r.ClosedAt = feedback.StatusClosed, &now
	e := j.event(r, feedback.EventStatusChanged, now, map[string]string{"auto": "true"})
	e.Public, e.From, e.To = true, feedback.StatusResolved, feedback.StatusClosed
	e.Text = "Tự động đóng sau " + strconv.Itoa(j.city.AutoCloseDays) + " ngày không có phản hồi từ người phản ánh."
	ok, err := j.commit(ctx, r, []feedback.Event{e})
	if ok {
		res.Closed++
	}
	return err
}

func (j *Job) event(r *feedback.Report, t feedback.EventType, now time.Time, data map[string]string) feedback.Event {
	return feedback.Event{
		Type: t, ReportID: r.ID, ReportCode: r.Code, UnitID: r.Unit,
		Actor: feedback.ActorSystem, Data: data, At: now.UTC(),
	}
}

// commit stores the change with compare-and-set. Losing the race (a staff
// action or another instance got there first) is not an error: the next
// pass looks at the report again.
func (j *Job) commit(ctx context.Context, r *feedback.Report, evs []feedback.Event) (bool, error) {
	appended, err := j.store.UpdateReport(ctx, r, evs)
	if feedback.ErrorCode(err) == feedback.ECONFLICT {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if j.cfg.Publisher != nil {
		j.cfg.Publisher.Publish(appended)
	}
	return true, nil
}
