package feedback

// Status is where a report stands in its life cycle.
type Status string

// The statuses of a report. Rejected and closed are final.
const (
	StatusReceived   Status = "received"
	StatusTriage     Status = "triage"
	StatusAssigned   Status = "assigned"
	StatusInProgress Status = "in_progress"
	StatusResolved   Status = "resolved"
	StatusClosed     Status = "closed"
	StatusRejected   Status = "rejected"
)

// Statuses lists every status in life-cycle order.
var Statuses = []Status{
	StatusReceived, StatusTriage, StatusAssigned, StatusInProgress,
	StatusResolved, StatusClosed, StatusRejected,
}

// transitions is the allowed-transition table. A transition from assigned or
// in_progress to assigned is a transfer to another unit and needs a reason.
var transitions = map[Status][]Status{
	StatusReceived:   {StatusTriage, StatusAssigned},
	StatusTriage:     {StatusAssigned, StatusRejected},
	StatusAssigned:   {StatusInProgress, StatusAssigned, StatusRejected},
	StatusInProgress: {StatusResolved, StatusAssigned},
	StatusResolved:   {StatusClosed, StatusInProgress},
}

var statusLabels = map[Status][2]string{
	StatusReceived:   {"Đã tiếp nhận", "Received"},
	StatusTriage:     {"Chờ phân loại", "Awaiting triage"},
	StatusAssigned:   {"Đã chuyển đơn vị xử lý", "Assigned to a unit"},
	StatusInProgress: {"Đang xử lý", "In progress"},
	StatusResolved:   {"Đã xử lý", "Resolved"},
	StatusClosed:     {"Hoàn thành", "Closed"},
	StatusRejected:   {"Từ chối", "Rejected"},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	_, ok := statusLabels[s]
	return ok
}

// Final reports whether no transition leaves s.
func (s Status) Final() bool {
	return s == StatusClosed || s == StatusRejected
}

// Open reports whether the report still waits for the city to act.
func (s Status) Open() bool {
	return s.Valid() && !s.Final() && s != StatusResolved
}

// Label returns the Vietnamese label of s.
func (s Status) Label() string { return statusLabels[s][0] }

// LabelEN returns the English label of s.
func (s Status) LabelEN() string { return statusLabels[s][1] }

// CanTransition reports whether a report may move from one status to another.
func CanTransition(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// NeedsReason reports whether the transition must carry a reason: transfers,
// rejections and a citizen reopening a resolved report.
func NeedsReason(from, to Status) bool {
	switch {
	case to == StatusAssigned && (from == StatusAssigned || from == StatusInProgress):
		return true
	case to == StatusRejected:
		return true
	case from == StatusResolved && to == StatusInProgress:
		return true
	}
	return false
}
