package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"phananh/feedback"
)

// ImportedReport is a report to bulk-import with its events and the
// working-time measurements the staff service would have recorded
// (negative for none).
type ImportedReport struct {
	Report               *feedback.Report
	Events               []feedback.Event
	FirstResponseMinutes int64
	ResolutionMinutes    int64
}

// insertImportedStats is insertStats with the two measurements.
const insertImportedStats = `INSERT INTO report_stats (` + statsColumns + `, fr, rs)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// ImportReports stores a batch of reports as they are (status, times,
// version 1), with their events and measurements, in one write: the bulk
// path of `phananh bench seed`. It is all or nothing. Errors: EINVALID,
// ECONFLICT (a code or id already stored).
func (s *Store) ImportReports(ctx context.Context, batch []ImportedReport) error {
	type encoded struct {
		vals   []any
		stats  []any
		events []eventRow
		id     string
	}
	enc := make([]encoded, len(batch))
	for i, in := range batch {
		if err := validateReport(in.Report, in.Events); err != nil {
			return err
		}
		c := normalizeReport(in.Report)
		c.Version = 1
		vals, err := reportValues(c)
		if err != nil {
			return feedback.Internal(err)
		}
		rows, err := s.eventRows(in.Events)
		if err != nil {
			return err
		}
		stats := append(statsValues(c),
			sql.NullInt64{Int64: in.FirstResponseMinutes, Valid: in.FirstResponseMinutes >= 0},
			sql.NullInt64{Int64: in.ResolutionMinutes, Valid: in.ResolutionMinutes >= 0})
		enc[i] = encoded{vals: vals, stats: stats, events: rows, id: c.ID}
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		stats, err := tx.PrepareContext(ctx, insertImportedStats)
		if err != nil {
			return feedback.Internal(err)
		}
		defer stats.Close()
		for _, e := range enc {
			if _, err := s.txExec(ctx, tx, insertReport, e.vals...); err != nil {
				if isUnique(err) {
					return feedback.Conflict("Mã phản ánh đã tồn tại.", "report "+e.id+": code or id already stored")
				}
				return feedback.Internal(fmt.Errorf("import report: %w", err))
			}
			if _, err := s.insertEvents(ctx, tx, e.events); err != nil {
				return err
			}
			if _, err := stats.ExecContext(ctx, e.stats...); err != nil {
				return feedback.Internal(fmt.Errorf("import report stats: %w", err))
			}
		}
		return nil
	})
}
