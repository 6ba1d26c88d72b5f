package feedback

import (
	"context"
	"io"
	"time"
)

// ReportFilter selects reports. Zero fields do not filter.
type ReportFilter struct {
	Status   []Status
	Category string
	Ward     string
	Unit     string // staff queues: only this unit's reports
	Assignee string
	// BBox is minLng, minLat, maxLng, maxLat; reports without a point are
	// excluded when set.
	BBox *[4]float64
	// Since keeps reports created at or after it.
	Since time.Time
	// OverdueAt keeps open reports whose due time is before it.
	OverdueAt time.Time
	// Text keeps reports whose text contains it (case-insensitive).
	Text string
	// PublicOnly keeps reports whose reporter allowed publication of the
	// text; used by nothing that hides text anyway, kept for lists.
	PublicOnly bool

	// Order is "newest" (created_at desc, the default) or "due" (due_at asc,
	// reports without a due time last).
	Order string
	// Cursor is the opaque NextCursor of the previous page.
	Cursor string
	// Limit caps the page size; stores clamp it to 1..200, default 50.
	Limit int
}

// ReportPage is one page of reports.
type ReportPage struct {
	Reports    []*Report
	NextCursor string // "" on the last page
}

// EventFilter selects events in sequence order.
type EventFilter struct {
	AfterSeq   int64
	ReportID   string
	PetitionID string
	PublicOnly bool
	Limit      int // stores clamp it to 1..1000, default 500
}

// ReportStore keeps reports and their events. Every write appends its
// events, with fresh sequence numbers, in the same atomic step as the change.
type ReportStore interface {
	// CreateReport stores a new report with its first events. When
	// r.IdempotencyKey is set and a report with that key exists, nothing is
	// written and the existing report is returned with created=false.
	// It assigns Seq to the events it stores and returns them.
	// Errors: EINVALID, ECONFLICT (code collision; retry with a new code).
	CreateReport(ctx context.Context, r *Report, events []Event) (stored *Report, created bool, appended []Event, err error)

	// Report returns the report with the given tracking code. Errors: ENOTFOUND.
	Report(ctx context.Context, code string) (*Report, error)

	// ReportByID returns the report with the given id. Errors: ENOTFOUND.
	ReportByID(ctx context.Context, id string) (*Report, error)

	// FindReports returns a page of reports. Errors: EINVALID (bad cursor).
	FindReports(ctx context.Context, f ReportFilter) (ReportPage, error)

	// UpdateReport replaces the report if its stored version still equals
	// r.Version, stores it with Version+1 and appends events, atomically.
	// r.Version and r.UpdatedAt are updated on success.
	// Errors: ENOTFOUND, ECONFLICT (version moved on: someone else won).
	UpdateReport(ctx context.Context, r *Report, events []Event) (appended []Event, err error)
}

// EventStore reads the ordered event log and keeps consumer checkpoints.
type EventStore interface {
	// Events returns events with Seq > f.AfterSeq in Seq order.
	Events(ctx context.Context, f EventFilter) ([]Event, error)

	// AppendEvents appends events that change no report (quarantined mail,
	// petition events...). Errors: EINVALID.
	AppendEvents(ctx context.Context, events []Event) ([]Event, error)

	// LastSeq returns the highest stored sequence number, 0 when empty.
	LastSeq(ctx context.Context) (int64, error)

	// Checkpoint returns how far a named consumer has processed the log
	// (0 when it never saved one).
	Checkpoint(ctx context.Context, consumer string) (int64, error)

	// SaveCheckpoint records that consumer has processed every event up to
	// seq. It never moves a checkpoint backwards.
	SaveCheckpoint(ctx context.Context, consumer string, seq int64) error
}

// StateStore is a small durable key-value store for adapters: bot
// conversations, mailbox checkpoints, seen update ids, rate-limit windows.
type StateStore interface {
	// State returns the value under (namespace, key). Errors: ENOTFOUND
	// (also for an expired value).
	State(ctx context.Context, namespace, key string) ([]byte, error)

	// PutState stores a value; a zero expiresAt keeps it forever.
	PutState(ctx context.Context, namespace, key string, value []byte, expiresAt time.Time) error

	// PutStateIfAbsent stores a value only when no live value exists and
	// reports whether it did; it is how adapters claim an update or message
	// exactly once.
	PutStateIfAbsent(ctx context.Context, namespace, key string, value []byte, expiresAt time.Time) (bool, error)

	// DeleteState removes a value; removing a missing value is not an error.
	DeleteState(ctx context.Context, namespace, key string) error
}

// PhotoStore keeps photo bytes, content-addressed by sha256.
type PhotoStore interface {
	// PutPhoto stores cleaned image bytes and returns their Photo (ID is the
	// hex sha256). Storing the same bytes twice is not an error.
	PutPhoto(ctx context.Context, data []byte, contentType string) (Photo, error)

	// OpenPhoto returns the bytes of a stored photo. Errors: ENOTFOUND.
	OpenPhoto(ctx context.Context, id string) (io.ReadCloser, Photo, error)
}

// Store is everything the services need from persistence. Both the embedded
// SQLite store and the MongoDB store implement it, and store/storetest holds
// the one contract suite they both pass.
type Store interface {
	ReportStore
	EventStore
	StateStore
	PhotoStore

	// Ping checks that the store is reachable. Errors: EUNAVAILABLE.
	Ping(ctx context.Context) error
	// Close flushes pending writes and releases resources.
	Close() error
}

// Classifier decides a report's category and ward from its text (and point).
type Classifier interface {
	// Classify never fails for well-formed input; errors are EINVALID or
	// EUNAVAILABLE (an LLM backend with no fallback).
	Classify(ctx context.Context, in ClassifyInput) (Classification, error)
}

// ClassifyInput is what a classifier sees of a report.
type ClassifyInput struct {
	Text string
	Lat  *float64
	Lng  *float64
}

// Publisher fans committed events out to live subscribers and notifiers.
// Publish must never block on a slow consumer.
type Publisher interface {
	Publish(events []Event)
}
