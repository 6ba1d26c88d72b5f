package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"phananh/feedback"
)

// Event page limits of feedback.EventFilter.
const (
	defaultEventLimit = 500
	maxEventLimit     = 1000
)

const insertEvent = `INSERT INTO events (type, report_id, petition_id, public, doc) VALUES (?, ?, ?, ?, ?)`

// eventRow is an event encoded before it reaches the writer, so that the
// writer spends its time on SQL, not JSON.
type eventRow struct {
	ev  feedback.Event
	doc []byte
}

func validateEvents(events []feedback.Event) error {
	for _, e := range events {
		if e.Type == "" {
			return feedback.FieldError("events", "Sự kiện thiếu loại.", "event type is required")
		}
	}
	return nil
}

// eventRows normalises events (UTC, At defaulting to now, Seq cleared) and
// encodes them. Errors: EINVALID.
func (s *Store) eventRows(events []feedback.Event) ([]eventRow, error) {
	if err := validateEvents(events); err != nil {
		return nil, err
	}
	rows := make([]eventRow, len(events))
	for i, e := range events {
		e.Seq = 0
		if e.At = utc(e.At); e.At.IsZero() {
			e.At = utc(s.now())
		}
		doc, err := json.Marshal(e)
		if err != nil {
			return nil, feedback.Internal(fmt.Errorf("encode event: %w", err))
		}
		rows[i] = eventRow{ev: e, doc: doc}
	}
	return rows, nil
}

// insertEvents appends rows inside a write, in one statement, and returns
// them with their Seq. With one writer and AUTOINCREMENT, the rows of one
// INSERT get consecutive sequence numbers ending at the last insert id.
func (s *Store) insertEvents(ctx context.Context, tx *sql.Tx, rows []eventRow) ([]feedback.Event, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	args := make([]any, 0, 5*len(rows))
	for _, r := range rows {
		args = append(args, string(r.ev.Type), nullString(r.ev.ReportID), nullString(r.ev.PetitionID), r.ev.Public, r.doc)
	}
	res, err := s.txExec(ctx, tx, insertEventsSQL(len(rows)), args...)
	if err != nil {
		return nil, feedback.Internal(fmt.Errorf("insert events: %w", err))
	}
	last, err := res.LastInsertId()
	if err != nil {
		return nil, feedback.Internal(fmt.Errorf("event seq: %w", err))
	}
	out := make([]feedback.Event, len(rows))
	for i, r := range rows {
		out[i] = r.ev
		out[i].Seq = last - int64(len(rows)-1-i)
	}
	return out, nil
}

// preparedEventRows is how many rows the prepared multi-row event inserts
// cover (intake appends three events per report).
const preparedEventRows = 4

// insertEventsSQL is the INSERT for n event rows; for n up to
// preparedEventRows it is one of hotWrites and served prepared.
func insertEventsSQL(n int) string {
	if n <= preparedEventRows {
		return insertEventsN[n]
	}
	return buildInsertEvents(n)
}

var insertEventsN = func() []string {
	out := make([]string, preparedEventRows+1)
	for n := 1; n <= preparedEventRows; n++ {
		out[n] = buildInsertEvents(n)
	}
	return out
}()

func buildInsertEvents(n int) string {
	return insertEvent + strings.Repeat(`, (?, ?, ?, ?, ?)`, n-1)
}

// AppendEvents appends events that change no report, all or none.
// Errors: EINVALID.
func (s *Store) AppendEvents(ctx context.Context, events []feedback.Event) ([]feedback.Event, error) {
	rows, err := s.eventRows(events)
	if err != nil {
		return nil, err
	}
	var out []feedback.Event
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var ierr error
		out, ierr = s.insertEvents(ctx, tx, rows)
		return ierr
	})
	return out, err
}

// Events returns events with Seq > f.AfterSeq in Seq order.
func (s *Store) Events(ctx context.Context, f feedback.EventFilter) ([]feedback.Event, error) {
	where := []string{"seq > ?"}
	args := []any{f.AfterSeq}
	if f.ReportID != "" {
		where, args = append(where, "report_id = ?"), append(args, f.ReportID)
	}
	if f.PetitionID != "" {
		where, args = append(where, "petition_id = ?"), append(args, f.PetitionID)
	}
	if f.PublicOnly {
		where = append(where, "public = 1")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultEventLimit
	}
	args = append(args, min(limit, maxEventLimit))
	rows, err := s.readQuery(ctx, `SELECT seq, doc FROM events WHERE `+
		strings.Join(where, " AND ")+` ORDER BY seq LIMIT ?`, args...)
	if err != nil {
		return nil, dbError(err, "event")
	}
	defer rows.Close()
	var out []feedback.Event
	for rows.Next() {
		var seq int64
		var doc []byte
		if err := rows.Scan(&seq, &doc); err != nil {
			return nil, dbError(err, "event")
		}
		var e feedback.Event
		if err := json.Unmarshal(doc, &e); err != nil {
			return nil, feedback.Internal(fmt.Errorf("decode event %d: %w", seq, err))
		}
		e.Seq = seq
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err, "event")
	}
	return out, nil
}

// LastSeq returns the highest stored sequence number, 0 when empty.
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.readRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events`).Scan(&seq); err != nil {
		return 0, dbError(err, "event")
	}
	return seq, nil
}

// Checkpoint returns how far consumer has processed the log, 0 if never.
func (s *Store) Checkpoint(ctx context.Context, consumer string) (int64, error) {
	var seq int64
	err := s.readRow(ctx, `SELECT seq FROM checkpoints WHERE consumer = ?`, consumer).Scan(&seq)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, dbError(err, "checkpoint")
	}
	return seq, nil
}

// SaveCheckpoint records that consumer has processed up to seq; it never
// moves a checkpoint backwards.
func (s *Store) SaveCheckpoint(ctx context.Context, consumer string, seq int64) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (consumer, seq) VALUES (?, ?)
			ON CONFLICT (consumer) DO UPDATE SET seq = max(seq, excluded.seq)`, consumer, seq)
		if err != nil {
			return feedback.Internal(fmt.Errorf("save checkpoint: %w", err))
		}
		return nil
	})
}
