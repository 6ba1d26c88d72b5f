package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	sqlite3 "modernc.org/sqlite/lib"

	"modernc.org/sqlite"

	"phananh/feedback"
)

// nanos stores a time as Unix nanoseconds; the zero time becomes NULL.
func nanos(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

// fromNanos is the inverse of nanos, always in UTC.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// utc returns t in UTC without its monotonic reading; zero stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Round(0)
}

// utcPtr is utc for optional times.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utc(*t)
	return &u
}

// nullString stores "" as NULL, for columns with a partial unique index.
func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// unavailable wraps a cancelled or timed-out context.
func unavailable(err error) *feedback.Error {
	return &feedback.Error{
		Code: feedback.EUNAVAILABLE, Message: "Hệ thống đang bận, vui lòng thử lại.",
		MessageEN: "The system is busy, please try again.", Err: err,
	}
}

// dbError classifies an error from a read: no rows becomes ENOTFOUND for
// what, an ended context EUNAVAILABLE, anything else EINTERNAL.
func dbError(err error, what string) error {
	var fe *feedback.Error
	switch {
	case errors.As(err, &fe):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return feedback.NotFound(what)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return unavailable(err)
	}
	return feedback.Internal(err)
}
