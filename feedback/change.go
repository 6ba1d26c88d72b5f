package feedback

import "context"

// ReportChange is one staff change with everything it writes, stored all or
// nothing: the report's new state and its events, the audit entry of the
// action and the working-time figures the change completes. It closes the
// gap of writing them one after the other, where a failure between the
// writes left a status change without its audit entry or statistics.
type ReportChange struct {
	// Report is the new state; it is stored with compare-and-set on its
	// Version, as UpdateReport does, and its Version and UpdatedAt are
	// updated on success.
	Report *Report
	// Events describe the change; they get fresh sequence numbers.
	Events []Event
	// Audit is the audit entry of the action (nil: none). It is validated
	// as AppendAudit does, and its Seq is set on success.
	Audit *AuditEntry
	// FirstResponseMinutes, when not nil, is recorded as RecordFirstResponse
	// does (an earlier value is kept).
	FirstResponseMinutes *int64
	// ResolutionMinutes, when not nil, is recorded as RecordResolution does
	// (it replaces an earlier value; a negative value clears it).
	ResolutionMinutes *int64
}

// ChangeStore stores a ReportChange atomically. It is an optional
// capability: the staff service uses it when the store offers it and falls
// back to separate writes otherwise.
type ChangeStore interface {
	// ApplyChange stores every part of c or none of them, and returns the
	// events it appended. Errors: as UpdateReport (EINVALID, ENOTFOUND,
	// ECONFLICT when the version moved on, nothing written then), and
	// EINVALID for an audit entry AppendAudit would refuse.
	ApplyChange(ctx context.Context, c ReportChange) (appended []Event, err error)
}
