package feedback

import (
	"context"
	"encoding/json"
	"time"
)

// AuditEntry records one staff action: who, when, from where, on what, and
// the state before and after. The audit log is append-only: stores offer
// no way to change or delete an entry.
type AuditEntry struct {
	Seq       int64     `json:"seq"` // assigned by the store, increasing
	At        time.Time `json:"at"`
	ActorID   string    `json:"actor_id"` // user id, or "system" / "cli"
	ActorName string    `json:"actor_name,omitempty"`
	ActorRole Role      `json:"actor_role,omitempty"`
	IP        string    `json:"ip,omitempty"`
	// Action names what was done: "report.transition", "report.assign",
	// "user.add", "auth.login", ...
	Action string `json:"action"`
	// Subject is what it was done to: a report code or a user id.
	Subject string `json:"subject,omitempty"`
	// Before and After are JSON snapshots of the fields the action touched.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// AuditFilter selects audit entries, newest first. Zero fields do not
// filter.
type AuditFilter struct {
	ActorID string
	Subject string
	Action  string
	Since   time.Time // at or after
	Until   time.Time // before
	// BeforeSeq continues a listing: only entries with Seq < BeforeSeq.
	BeforeSeq int64
	Limit     int // stores clamp it to 1..500, default 100
}

// AuditStore is the append-only audit log.
type AuditStore interface {
	// AppendAudit stores an entry and sets its Seq. Errors: EINVALID (no
	// action or actor).
	AppendAudit(ctx context.Context, e *AuditEntry) error

	// Audit returns entries matching f, newest (highest Seq) first.
	Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// StaffStore is what the staff side needs from persistence beyond Store:
// accounts, sessions, the audit log and statistics. It is a separate
// interface so that Store stays what intake and the public side need.
type StaffStore interface {
	UserStore
	SessionStore
	AuditStore
	StatsStore
}

// Entry returns the audit entry for an action of a at the given time.
func (a Actor) Entry(at time.Time, action, subject string, before, after json.RawMessage) *AuditEntry {
	e := &AuditEntry{
		At: at.UTC(), ActorID: a.ID(), IP: a.IP,
		Action: action, Subject: subject, Before: before, After: after,
	}
	if a.User != nil {
		e.ActorName, e.ActorRole = a.User.Username, a.User.Role
	}
	return e
}
