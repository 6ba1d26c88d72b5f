package sqlite

import (
	"database/sql"
	"time"

	"phananh/feedback"
)

// The store writes each report's report_stats row (0103, 0104, 0105) next
// to the report itself, with values computed before the write reaches the
// writer goroutine. fr and rs, the working-minute measurements, are set
// separately by the staff service (staff_stats.go) and left alone here.
const (
	statsColumns = `report_id, created_at, unit, category, ward, status, due_at, resolved_at,
	reopen_count, rating, escalation_level`

	insertStats = `INSERT INTO report_stats (` + statsColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

	updateStats = `UPDATE report_stats SET created_at = ?, unit = ?, category = ?, ward = ?,
	status = ?, due_at = ?, resolved_at = ?, reopen_count = ?, rating = ?, escalation_level = ?
	WHERE report_id = ?`
)

// statsValues encodes r (already normalised) in statsColumns order.
func statsValues(r *feedback.Report) []any {
	return []any{
		r.ID, r.CreatedAt.UnixNano(), r.Unit, r.Category, r.Ward, string(r.Status), nanos(r.DueAt),
		statsMillis(r.ResolvedAt), r.ReopenCount, r.Rating, r.EscalationLevel,
	}
}

// updateStatsValues is statsValues in updateStats order.
func updateStatsValues(r *feedback.Report) []any {
	v := statsValues(r)
	return append(v[1:], v[0])
}

// statsMillis stores an optional time rounded to the millisecond, in
// nanoseconds, as report_stats has always kept resolved_at (the triggers
// went through SQLite's unixepoch(..., 'subsec'), which rounds to the
// nearest millisecond).
func statsMillis(t *time.Time) sql.NullInt64 {
	if t == nil || t.IsZero() {
		return sql.NullInt64{}
	}
	const ms = int64(time.Millisecond)
	n := t.UnixNano()
	r := (n + ms/2) / ms * ms
	if n+ms/2 < 0 && (n+ms/2)%ms != 0 { // floor, not truncation, before 1970
		r -= ms
	}
	return sql.NullInt64{Int64: r, Valid: true}
}
