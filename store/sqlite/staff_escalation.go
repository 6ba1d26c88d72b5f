package sqlite

import (
	"context"
	"math"
	"time"

	"phananh/feedback"
)

// escalationCandidatesSQL walks the partial index of open overdue reports
// below the chairman's level (0104_report_stats_escalation.sql) in
// (due, id) order from a keyset position.
var escalationCandidatesSQL = `
SELECT ` + readColumnsAs("r") + `
FROM report_stats s INDEXED BY report_stats_escalation JOIN reports r ON r.id = s.report_id
WHERE s.open_due IS NOT NULL AND s.escalation_level < 2 AND s.open_due < ?1
  AND (s.open_due, s.report_id) > (?2, ?3)
ORDER BY s.open_due, s.report_id
LIMIT ?4`

// EscalationCandidates returns up to limit open reports due before now
// whose escalation level is below 2 (the chairman's office), in (DueAt, ID)
// order after the position (afterDue, afterID); a zero afterDue starts at
// the beginning. It is the escalation job's work list (sla.CandidateLister).
func (s *Store) EscalationCandidates(ctx context.Context, now, afterDue time.Time, afterID string, limit int) ([]*feedback.Report, error) {
	after := int64(math.MinInt64)
	if !afterDue.IsZero() {
		after = afterDue.UnixNano()
	}
	return s.readReports(ctx, escalationCandidatesSQL, now.UnixNano(), after, afterID, max(limit, 1))
}

var autoCloseCandidatesSQL = `
SELECT ` + readColumnsAs("r") + `
FROM report_stats s INDEXED BY report_stats_resolved JOIN reports r ON r.id = s.report_id
WHERE s.status = 'resolved' AND s.resolved_at <= ?1
ORDER BY s.resolved_at, s.report_id
LIMIT ?2`

// AutoCloseCandidates returns up to limit resolved reports resolved at or
// before the given time, longest waiting first: the auto-close work list
// (sla.CandidateLister). Closing them removes them from the list.
func (s *Store) AutoCloseCandidates(ctx context.Context, resolvedBefore time.Time, limit int) ([]*feedback.Report, error) {
	return s.readReports(ctx, autoCloseCandidatesSQL, resolvedBefore.UnixNano(), max(limit, 1))
}

// readReports runs a query selecting reportReadColumns (readColumnsAs with
// a join) through the read statement cache and decodes the reports.
func (s *Store) readReports(ctx context.Context, query string, args ...any) ([]*feedback.Report, error) {
	if err := s.syncStats(ctx); err != nil {
		return nil, err
	}
	return readAll(ctx, s, "report", scanReport, query, args...)
}
