package desk

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"phananh/feedback"
)

// MaxNoteLen bounds notes, replies and reasons.
const MaxNoteLen = 4000

// TransitionInput is a status change requested by staff.
type TransitionInput struct {
	To feedback.Status
	// Reason is public (on the citizen's timeline); it is required for
	// transfers and rejections (feedback.NeedsReason). PublicReply stands
	// in for it when empty.
	Reason string
	// Note is an internal note stored as a staff-only event.
	Note string
	// PublicReply is a message to the citizen stored as a public event.
	PublicReply string
	// Unit is the destination of a transfer (To = assigned).
	Unit string
	// Version, when set, is the version the caller saw: if the report has
	// moved on since, the change is refused as a conflict.
	Version int64
}

// Transition changes a report's status with compare-and-set. A concurrent
// change that wins first makes this one fail with *ConflictError, as does
// asking for the status the report already has (someone else did it).
// Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) Transition(ctx context.Context, by feedback.Actor, code string, in TransitionInput) (*feedback.Report, error) {
	if in.To == feedback.StatusAssigned && in.Unit != "" {
		return s.Transfer(ctx, by, code, in.Unit, firstNonEmpty(in.Reason, in.PublicReply), in.Version)
	}
	return s.mutate(ctx, by, ActTransition, code, func(r *feedback.Report, now time.Time) ([]feedback.Event, error) {
		if err := checkVersion(r, in.Version, in.To); err != nil {
			return nil, err
		}
		return s.transition(r, in, now)
	})
}

// checkVersion refuses a change based on a stale view of the report.
func checkVersion(r *feedback.Report, version int64, to feedback.Status) error {
	if (version != 0 && version != r.Version) || (to != "" && r.Status == to && !feedback.CanTransition(r.Status, to)) {
		return &ConflictError{Current: r}
	}
	return nil
}

func (s *Service) transition(r *feedback.Report, in TransitionInput, now time.Time) ([]feedback.Event, error) {
	from, to := r.Status, in.To
	if !to.Valid() || !feedback.CanTransition(from, to) {
		return nil, feedback.FieldError("to", "Không thể chuyển từ trạng thái «"+from.Label()+"» sang trạng thái này.",
			"This status cannot follow "+from.LabelEN()+".")
	}
	if from == feedback.StatusAssigned && to == feedback.StatusAssigned {
		return nil, feedback.FieldError("unit", "Chuyển đơn vị cần chọn đơn vị nhận.", "A transfer needs the receiving unit.")
	}
	reason := strings.TrimSpace(firstNonEmpty(in.Reason, in.PublicReply))
	if err := checkTexts(reason, in.Note, in.PublicReply); err != nil {
		return nil, err
	}
	if feedback.NeedsReason(from, to) && reason == "" {
		return nil, feedback.FieldError("reason", "Cần nêu lý do.", "A reason is required.")
	}
	r.Status = to
	switch to {
	case feedback.StatusResolved:
		r.ResolvedAt = &now
	case feedback.StatusClosed, feedback.StatusRejected:
		r.ClosedAt = &now
	}
	markResponded(r, now)
	evs := []feedback.Event{{Type: feedback.EventStatusChanged, Public: true, From: from, To: to, Text: reasonText(from, to, reason)}}
	return append(evs, noteEvents(in.Note, in.PublicReply)...), nil
}

// reasonText keeps the reason on the status event only when the
// transition requires one; otherwise the reply travels as its own event.
func reasonText(from, to feedback.Status, reason string) string {
	if feedback.NeedsReason(from, to) {
		return reason
	}
	return ""
}

// Transfer moves a report to another unit (a routing correction the
// classifier learns from): status assigned, assignee cleared, event
// status_changed with Data unit and old_unit and Text = reason.
// Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) Transfer(ctx context.Context, by feedback.Actor, code, unit, reason string, version int64) (*feedback.Report, error) {
	unit, reason = strings.TrimSpace(unit), strings.TrimSpace(reason)
	if _, ok := s.city.Unit(unit); !ok {
		return nil, feedback.FieldError("unit", "Không có đơn vị này.", "No such unit.")
	}
	return s.mutate(ctx, by, ActTransfer, code, func(r *feedback.Report, now time.Time) ([]feedback.Event, error) {
		if err := checkVersion(r, version, ""); err != nil {
			return nil, err
		}
		from := r.Status
		if !feedback.CanTransition(from, feedback.StatusAssigned) {
			return nil, feedback.FieldError("to", "Không thể chuyển đơn vị ở trạng thái «"+from.Label()+"».",
				"A report cannot be transferred while "+from.LabelEN()+".")
		}
		if unit == r.Unit && from == feedback.StatusAssigned {
			return nil, feedback.FieldError("unit", "Phản ánh đã thuộc đơn vị này.", "The report is already with this unit.")
		}
		if err := checkTexts(reason); err != nil {
			return nil, err
		}
		if feedback.NeedsReason(from, feedback.StatusAssigned) && reason == "" {
			return nil, feedback.FieldError("reason", "Chuyển đơn vị cần nêu lý do.", "A transfer needs a reason.")
		}
		old := r.Unit
		r.Status, r.Unit, r.AssigneeID = feedback.StatusAssigned, unit, ""
		markResponded(r, now)
		return []feedback.Event{{
			Type: feedback.EventStatusChanged, Public: true, From: from, To: feedback.StatusAssigned,
			Text: reason, Data: map[string]string{"unit": unit, "old_unit": old},
		}}, nil
	})
}

// Assign gives a report to an officer or manager of its unit. Officers may
// only take a report themselves; an empty assignee unassigns.
// Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) Assign(ctx context.Context, by feedback.Actor, code, assigneeID string) (*feedback.Report, error) {
	if by.User != nil && by.User.Role == feedback.RoleOfficer && assigneeID != by.User.ID {
		// Still answer 404 for another unit's report before refusing.
		if _, err := s.load(ctx, by, ActAssign, code); err != nil {
			return nil, err
		}
		return nil, feedback.Forbidden()
	}
	return s.mutate(ctx, by, ActAssign, code, func(r *feedback.Report, now time.Time) ([]feedback.Event, error) {
		if !r.Status.Open() {
			return nil, feedback.FieldError("assignee_id", "Phản ánh đã kết thúc xử lý.", "The report is no longer open.")
		}
		if assigneeID != "" {
			if err := s.checkAssignee(ctx, r.Unit, assigneeID); err != nil {
				return nil, err
			}
		}
		if assigneeID == r.AssigneeID {
			return nil, feedback.FieldError("assignee_id", "Phản ánh đã được giao cho người này.", "Already assigned to this person.")
		}
		old := r.AssigneeID
		r.AssigneeID = assigneeID
		return []feedback.Event{{Type: feedback.EventAssigned, Data: map[string]string{"assignee_id": assigneeID, "old_assignee_id": old}}}, nil
	})
}

func (s *Service) checkAssignee(ctx context.Context, unit, id string) error {
	u, err := s.store.User(ctx, id)
	if err != nil && feedback.ErrorCode(err) != feedback.ENOTFOUND {
		return err
	}
	if err != nil || u.Disabled || !u.Role.UnitScoped() || u.UnitID != unit {
		return feedback.FieldError("assignee_id", "Chỉ giao được cho cán bộ đang hoạt động của đơn vị xử lý.",
			"Reports can only be assigned to active staff of the handling unit.")
	}
	return nil
}

// markResponded sets the time of the first staff response.
func markResponded(r *feedback.Report, now time.Time) {
	if r.FirstResponseAt == nil {
		r.FirstResponseAt = &now
	}
}

// noteEvents turns an internal note and a public reply into events.
func noteEvents(note, reply string) []feedback.Event {
	var evs []feedback.Event
	if note = strings.TrimSpace(note); note != "" {
		evs = append(evs, feedback.Event{Type: feedback.EventInternalNote, Text: note})
	}
	if reply = strings.TrimSpace(reply); reply != "" {
		evs = append(evs, feedback.Event{Type: feedback.EventPublicReply, Public: true, Text: reply})
	}
	return evs
}

func checkTexts(texts ...string) error {
	for _, t := range texts {
		if utf8.RuneCountInString(t) > MaxNoteLen || !utf8.ValidString(t) {
			return feedback.FieldError("note", "Nội dung quá dài (tối đa 4000 ký tự).", "The text is too long (at most 4000 characters).")
		}
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
