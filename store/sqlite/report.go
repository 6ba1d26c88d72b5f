package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"phananh/feedback"
)

// reportColumns is the column order of reportRow.values.
const reportColumns = `id, code, idempotency_key, status, category, ward, unit, assignee, priority,
	public, created_at, due_at, lat, lng, text_lc, version, token_hash, doc`

const insertReport = `INSERT INTO reports (` + reportColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const updateReport = `UPDATE reports SET code = ?, idempotency_key = ?, status = ?, category = ?,
	ward = ?, unit = ?, assignee = ?, priority = ?, public = ?, created_at = ?, due_at = ?, lat = ?,
	lng = ?, text_lc = ?, version = ?, token_hash = ?, doc = ?
	WHERE id = ? AND version = ?`

// reportReadColumns is what scanReport reads: the document, then the
// fields that have their own column and are left out of the document
// (compactDoc). readColumnsAs prefixes them with a table alias.
const reportReadColumns = `version, token_hash, idempotency_key, doc,
	id, code, status, category, ward, unit, assignee, priority, created_at, due_at`

// readColumnsAs is reportReadColumns, each prefixed with alias, for a
// query that joins reports to another table.
func readColumnsAs(alias string) string {
	cols := strings.Split(reportReadColumns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// selectReport reads what scanReport needs.
const selectReport = `SELECT ` + reportReadColumns + ` FROM reports`

const selectReportByKey = selectReport + ` WHERE idempotency_key = ?`

// codeTaken is the conflict of a code or idempotency key already in use.
func codeTaken() error {
	return feedback.Conflict("Mã phản ánh đã tồn tại, vui lòng thử lại.", "Report code or idempotency key already in use.")
}

// searchText is how report text and search terms are compared: lower case,
// NFC, so "RÁC" finds "rác" whichever way either was typed.
func searchText(s string) string { return norm.NFC.String(strings.ToLower(s)) }

// normalizeReport returns a copy of r with every time in UTC.
func normalizeReport(r *feedback.Report) *feedback.Report {
	c := *r
	c.DueAt, c.CreatedAt, c.UpdatedAt = utc(c.DueAt), utc(c.CreatedAt), utc(c.UpdatedAt)
	c.FirstResponseAt, c.ResolvedAt, c.ClosedAt = utcPtr(c.FirstResponseAt), utcPtr(c.ResolvedAt), utcPtr(c.ClosedAt)
	return &c
}

// compactDoc is the stored document of r: the fields kept in their own
// columns are blanked, so each report writes them once (scanReport puts
// them back). Rows written before this hold them in both; the columns win.
func compactDoc(r *feedback.Report) ([]byte, error) {
	d := *r
	d.ID, d.Code, d.Status, d.Category, d.Ward, d.Unit, d.AssigneeID, d.Priority = "", "", "", "", "", "", "", ""
	d.CreatedAt, d.DueAt = time.Time{}, time.Time{}
	return json.Marshal(&d) // token hash and idempotency key are json:"-"
}

// reportValues encodes r (already normalised) in reportColumns order.
func reportValues(r *feedback.Report) ([]any, error) {
	doc, err := compactDoc(r)
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	var lat, lng sql.NullFloat64
	if r.Location.HasPoint() {
		lat = sql.NullFloat64{Float64: *r.Location.Lat, Valid: true}
		lng = sql.NullFloat64{Float64: *r.Location.Lng, Valid: true}
	}
	return []any{
		r.ID, r.Code, nullString(r.IdempotencyKey), string(r.Status), r.Category, r.Ward, r.Unit,
		r.AssigneeID, string(r.Priority), r.Public, r.CreatedAt.UnixNano(), nanos(r.DueAt), lat, lng,
		searchText(r.Text), r.Version, r.ReporterTokenHash, doc,
	}, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanReport decodes a row selected with selectReport.
func scanReport(row scanner) (*feedback.Report, error) {
	var (
		r         feedback.Report
		c         feedback.Report // the columns
		idem      sql.NullString
		doc       []byte
		createdAt int64
		dueAt     sql.NullInt64
	)
	if err := row.Scan(&c.Version, &c.ReporterTokenHash, &idem, &doc,
		&c.ID, &c.Code, &c.Status, &c.Category, &c.Ward, &c.Unit, &c.AssigneeID, &c.Priority,
		&createdAt, &dueAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(doc, &r); err != nil {
		return nil, fmt.Errorf("decode report: %w", err)
	}
	r.Version, r.ReporterTokenHash, r.IdempotencyKey = c.Version, c.ReporterTokenHash, idem.String
	r.ID, r.Code, r.Status, r.Category, r.Ward, r.Unit = c.ID, c.Code, c.Status, c.Category, c.Ward, c.Unit
	r.AssigneeID, r.Priority = c.AssigneeID, c.Priority
	r.CreatedAt, r.DueAt = unixNano(createdAt), fromNanos(dueAt)
	return &r, nil
}

func validateReport(r *feedback.Report, events []feedback.Event) error {
	switch {
	case r.ID == "":
		return feedback.FieldError("id", "Thiếu mã định danh phản ánh.", "report id is required")
	case r.Code == "":
		return feedback.FieldError("code", "Thiếu mã tra cứu phản ánh.", "report code is required")
	}
	return validateEvents(events)
}

// CreateReport stores r with Version 1 and its first events, atomically.
// A repeated idempotency key returns the existing report and writes nothing.
// Errors: EINVALID, ECONFLICT (code already used).
func (s *Store) CreateReport(ctx context.Context, r *feedback.Report, events []feedback.Event) (*feedback.Report, bool, []feedback.Event, error) {
	if err := validateReport(r, events); err != nil {
		return nil, false, nil, err
	}
	c := normalizeReport(r)
	c.Version = 1
	if c.CreatedAt.IsZero() {
		c.CreatedAt = utc(s.now())
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	vals, err := reportValues(c)
	if err != nil {
		return nil, false, nil, feedback.Internal(err)
	}
	rows, err := s.eventRows(events)
	if err != nil {
		return nil, false, nil, err
	}
	stats := statsValues(c)
	var existing *feedback.Report
	var appended []feedback.Event
	err = s.writeAtomic(ctx, func(ctx context.Context, tx *sql.Tx) (err error) {
		existing, appended, err = s.storeNewReport(ctx, tx, c.IdempotencyKey, vals, stats, rows)
		return err
	})
	switch {
	case err != nil:
		return nil, false, nil, err
	case existing != nil:
		return existing, false, nil, nil
	}
	return c, true, appended, nil
}

// storeNewReport runs inside an atomic write: it returns the report already
// stored under idemKey, or inserts the new one, its statistics row and its
// events. Only the report insert may fail alone (SQLite undoes a failed
// statement); a failure after it aborts the batch.
func (s *Store) storeNewReport(ctx context.Context, tx *sql.Tx, idemKey string, vals, stats []any, rows []eventRow) (*feedback.Report, []feedback.Event, error) {
	if idemKey != "" {
		existing, err := scanReport(s.txQueryRow(ctx, tx, selectReportByKey, idemKey))
		if err == nil {
			return existing, nil, nil
		}
		if err != sql.ErrNoRows {
			return nil, nil, fmt.Errorf("%w: idempotency lookup: %v", errAbort, err)
		}
	}
	if _, err := s.txExec(ctx, tx, insertReport, vals...); err != nil {
		if isUnique(err) {
			return nil, nil, codeTaken()
		}
		return nil, nil, fmt.Errorf("%w: insert report: %v", errAbort, err)
	}
	if _, err := s.txExec(ctx, tx, insertStats, stats...); err != nil {
		return nil, nil, fmt.Errorf("%w: stage report stats: %v", errAbort, err)
	}
	s.statsStaged.Store(true)
	appended, err := s.insertEvents(ctx, tx, rows)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errAbort, err)
	}
	return nil, appended, nil
}

// Report returns the report with tracking code code. Errors: ENOTFOUND.
func (s *Store) Report(ctx context.Context, code string) (*feedback.Report, error) {
	r, err := scanReport(s.readRow(ctx, selectReport+` WHERE code = ?`, code))
	if err != nil {
		return nil, dbError(err, "report")
	}
	return r, nil
}

// ReportByID returns the report with the given id. Errors: ENOTFOUND.
func (s *Store) ReportByID(ctx context.Context, id string) (*feedback.Report, error) {
	r, err := scanReport(s.readRow(ctx, selectReport+` WHERE id = ?`, id))
	if err != nil {
		return nil, dbError(err, "report")
	}
	return r, nil
}

// UpdateReport replaces the report if its stored version is still
// r.Version, and appends events, in one step. On success r.Version is
// incremented and r.UpdatedAt set to now. Errors: EINVALID, ENOTFOUND,
// ECONFLICT (someone else changed it first, or the code is taken).
func (s *Store) UpdateReport(ctx context.Context, r *feedback.Report, events []feedback.Event) ([]feedback.Event, error) {
	u, err := s.prepareUpdate(r, events)
	if err != nil {
		return nil, err
	}
	var appended []feedback.Event
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) (err error) {
		appended, err = s.updateInTx(ctx, tx, u)
		return err
	})
	if err != nil {
		return nil, err
	}
	u.done(r)
	return appended, nil
}

// reportUpdate is a compare-and-set of a report, encoded before it
// reaches the writer.
type reportUpdate struct {
	next        *feedback.Report // the new state, normalised, Version+1
	fromVersion int64
	vals, stats []any
	rows        []eventRow
}

// prepareUpdate validates and encodes the update of r with its events.
func (s *Store) prepareUpdate(r *feedback.Report, events []feedback.Event) (*reportUpdate, error) {
	if err := validateReport(r, events); err != nil {
		return nil, err
	}
	c := normalizeReport(r)
	c.Version, c.UpdatedAt = r.Version+1, utc(s.now())
	vals, err := reportValues(c)
	if err != nil {
		return nil, feedback.Internal(err)
	}
	rows, err := s.eventRows(events)
	if err != nil {
		return nil, err
	}
	return &reportUpdate{next: c, fromVersion: r.Version, vals: vals, stats: updateStatsValues(c), rows: rows}, nil
}

// done reports a committed update back to the caller's report.
func (u *reportUpdate) done(r *feedback.Report) {
	r.Version, r.UpdatedAt = u.next.Version, u.next.UpdatedAt
}

// updateInTx runs u inside a write: the compare-and-set, the statistics
// row and the events. Errors: ENOTFOUND, ECONFLICT.
func (s *Store) updateInTx(ctx context.Context, tx *sql.Tx, u *reportUpdate) ([]feedback.Event, error) {
	res, err := s.txExec(ctx, tx, updateReport, append(u.vals[1:], u.next.ID, u.fromVersion)...)
	if err != nil {
		if isUnique(err) {
			return nil, codeTaken()
		}
		return nil, feedback.Internal(fmt.Errorf("update report: %w", err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return nil, missingOrMoved(ctx, tx, u.next.ID)
	}
	if _, err := s.txExec(ctx, tx, updateStats, u.stats...); err != nil {
		return nil, feedback.Internal(fmt.Errorf("update report stats: %w", err))
	}
	return s.insertEvents(ctx, tx, u.rows)
}

// missingOrMoved explains why a compare-and-set matched no row.
func missingOrMoved(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM reports WHERE id = ?`, id).Scan(&one)
	switch {
	case err == sql.ErrNoRows:
		return feedback.NotFound("report")
	case err != nil:
		return feedback.Internal(err)
	}
	return feedback.Conflict("Phản ánh vừa được người khác cập nhật, vui lòng tải lại.",
		"The report was changed by someone else; reload and try again.")
}
