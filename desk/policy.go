package desk

import (
	"context"

	"phananh/feedback"
)

// Action is something a staff member may do; it is also the audit action
// name.
type Action string

// The staff actions.
const (
	ActView         Action = "report.view"
	ActTransition   Action = "report.transition"
	ActAssign       Action = "report.assign"
	ActTransfer     Action = "report.transfer"
	ActRecategorize Action = "report.recategorize"
	ActNote         Action = "report.note"
	ActReply        Action = "report.reply"
	ActPhoto        Action = "report.photo"
	ActDuplicate    Action = "report.duplicate"
	ActStats        Action = "stats.view"
	ActAudit        Action = "audit.view"
)

// Actions lists every staff action (for the authorization matrix).
var Actions = []Action{
	ActView, ActTransition, ActAssign, ActTransfer, ActRecategorize, ActNote,
	ActReply, ActPhoto, ActDuplicate, ActStats, ActAudit,
}

// caseWork is what every report handler may do on a report they can see.
var caseWork = []Action{ActView, ActTransition, ActAssign, ActRecategorize, ActNote, ActReply, ActPhoto, ActDuplicate}

// grants is the policy: which role may take which action. Officers and
// managers act only within their unit (checked in authorize); an officer
// may assign a report only to themselves (checked in Assign).
var grants = map[feedback.Role][]Action{
	feedback.RoleOfficer:    caseWork,
	feedback.RoleManager:    append([]Action{ActTransfer}, caseWork...),
	feedback.RoleSupervisor: append([]Action{ActTransfer, ActStats, ActAudit}, caseWork...),
	feedback.RoleAdmin:      {ActAudit},
}

// Allowed reports whether role may take act at all (on some report).
func Allowed(role feedback.Role, act Action) bool {
	for _, a := range grants[role] {
		if a == act {
			return true
		}
	}
	return false
}

// authorize decides whether by may take act on r (nil for actions not on
// a report). A unit-scoped account asking about another unit's report
// gets ENOTFOUND, exactly as for a report that does not exist, whatever
// the action: existence is not revealed.
func authorize(by feedback.Actor, act Action, r *feedback.Report) error {
	u := by.User
	if u == nil || u.Disabled {
		return feedback.Errorf(feedback.EUNAUTHORIZED, "Vui lòng đăng nhập.", "Please sign in.")
	}
	if r != nil && u.Role.UnitScoped() && r.Unit != u.UnitID {
		return feedback.NotFound("report")
	}
	if !Allowed(u.Role, act) {
		return feedback.Forbidden()
	}
	return nil
}

// load returns the report with code if by may take act on it.
func (s *Service) load(ctx context.Context, by feedback.Actor, act Action, code string) (*feedback.Report, error) {
	if err := authorize(by, act, nil); err != nil && feedback.ErrorCode(err) != feedback.EFORBIDDEN {
		return nil, err
	}
	r, err := s.byCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := authorize(by, act, r); err != nil {
		return nil, err
	}
	return r, nil
}

// byCode returns the report with a typed tracking code. Errors: ENOTFOUND.
func (s *Service) byCode(ctx context.Context, code string) (*feedback.Report, error) {
	norm := feedback.NormalizeCode(code)
	if norm == "" {
		return nil, feedback.NotFound("report")
	}
	return s.store.Report(ctx, norm)
}
