package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"phananh/feedback"
)

// The store writes each report's report_stats row (0103-0106) itself, with
// values computed before the write reaches the writer goroutine. A new
// report's row is staged in report_stats_staged, which has no index, and
// moved into report_stats by flushStats: before any other write (only
// CreateReport stages, and every other write may read or change
// report_stats), before the statistics reads, and about once a second.
// fr and rs, the working-minute measurements, are set separately by the
// staff service (staff_stats.go) and left alone here.
const (
	statsColumns = `report_id, created_at, unit, category, ward, status, due_at, resolved_at,
	reopen_count, rating, escalation_level`

	insertStats = `INSERT INTO report_stats_staged (` + statsColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

	moveStagedStats = `INSERT INTO report_stats (` + statsColumns + `)
	SELECT ` + statsColumns + ` FROM report_stats_staged ORDER BY rowid`

	clearStagedStats = `DELETE FROM report_stats_staged`

	updateStats = `UPDATE report_stats SET created_at = ?, unit = ?, category = ?, ward = ?,
	status = ?, due_at = ?, resolved_at = ?, reopen_count = ?, rating = ?, escalation_level = ?
	WHERE report_id = ?`
)

// statsFlushEvery is how often the writer moves staged statistics rows.
const statsFlushEvery = time.Second

// flushStats moves the staged statistics rows into report_stats inside the
// writer's transaction. Only the writer goroutine calls it.
func (s *Store) flushStats(ctx context.Context, tx *sql.Tx) error {
	if _, err := s.txExec(ctx, tx, moveStagedStats); err != nil {
		return fmt.Errorf("%w: move staged report stats: %v", errAbort, err)
	}
	if _, err := s.txExec(ctx, tx, clearStagedStats); err != nil {
		return fmt.Errorf("%w: clear staged report stats: %v", errAbort, err)
	}
	s.statsStaged.Store(false)
	return nil
}

// syncStats makes sure report_stats holds every committed report before a
// read of it: when rows are staged it commits an empty write, before which
// the writer moves them.
func (s *Store) syncStats(ctx context.Context) error {
	if !s.statsStaged.Load() {
		return nil
	}
	return s.write(ctx, flushOnly)
}

// flushOnly is a write with no change of its own: the writer moves the
// staged statistics rows before it (syncStats, the writer's ticker).
func flushOnly(context.Context, *sql.Tx) error { return nil }

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
	// Halves round up, before 1970 too, as SQLite's did.
	return sql.NullInt64{Int64: t.Round(time.Millisecond).UnixNano(), Valid: true}
}
