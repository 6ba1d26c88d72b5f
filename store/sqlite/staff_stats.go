package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"phananh/feedback"
)

// statsSQL computes every figure of feedback.StatsRow in one statement over
// report_facts (see 0102_report_facts.sql). %[1]s is the grouping column
// and %[2]s an optional unit condition. Percentiles are nearest-rank: the
// value at rank ceil(p*n), which for integers is (n+1)/2 and (9n+9)/10.
const statsSQL = `
WITH base AS MATERIALIZED (
    SELECT %[1]s AS k, status, due_at, resolved_at, reopen_count, rating,
           first_response_min AS fr, resolution_min AS rs
    FROM report_facts
    WHERE created_at >= ?1 AND created_at < ?2 %[2]s
),
agg AS (
    SELECT k,
        count(*) AS received,
        count(*) FILTER (WHERE status IN ('resolved', 'closed')) AS resolved,
        count(*) FILTER (WHERE status IN ('received', 'triage', 'assigned', 'in_progress')) AS open,
        count(*) FILTER (WHERE status IN ('received', 'triage', 'assigned', 'in_progress') AND due_at < ?3) AS overdue,
        count(*) FILTER (WHERE status IN ('resolved', 'closed') AND due_at IS NOT NULL AND resolved_at IS NOT NULL) AS sla_base,
        count(*) FILTER (WHERE status IN ('resolved', 'closed') AND resolved_at <= due_at) AS sla_met,
        count(*) FILTER (WHERE resolved_at IS NOT NULL OR reopen_count > 0) AS ever_resolved,
        count(*) FILTER (WHERE reopen_count > 0) AS reopened,
        avg(rating) FILTER (WHERE rating > 0) AS avg_rating,
        count(*) FILTER (WHERE rating > 0) AS rated
    FROM base GROUP BY k
),
fr AS (
    SELECT k, fr AS v, row_number() OVER (PARTITION BY k ORDER BY fr) AS rn, count(*) OVER (PARTITION BY k) AS n
    FROM base WHERE fr IS NOT NULL
),
frp AS (
    SELECT k, max(CASE WHEN rn = (n + 1) / 2 THEN v END) AS med, max(CASE WHEN rn = (9 * n + 9) / 10 THEN v END) AS p90
    FROM fr WHERE rn = (n + 1) / 2 OR rn = (9 * n + 9) / 10 GROUP BY k
),
rs AS (
    SELECT k, rs AS v, row_number() OVER (PARTITION BY k ORDER BY rs) AS rn, count(*) OVER (PARTITION BY k) AS n
    FROM base WHERE rs IS NOT NULL AND status IN ('resolved', 'closed')
),
rsp AS (
    SELECT k, max(CASE WHEN rn = (n + 1) / 2 THEN v END) AS med, max(CASE WHEN rn = (9 * n + 9) / 10 THEN v END) AS p90
    FROM rs WHERE rn = (n + 1) / 2 OR rn = (9 * n + 9) / 10 GROUP BY k
)
SELECT agg.k, received, resolved, open, overdue, sla_base, sla_met, ever_resolved, reopened, avg_rating, rated,
       frp.med, frp.p90, rsp.med, rsp.p90
FROM agg LEFT JOIN frp ON frp.k = agg.k LEFT JOIN rsp ON rsp.k = agg.k
ORDER BY agg.k`

// Stats computes statistics in SQL over the cohort received in
// [q.From, q.To). Errors: EINVALID (bad group or range).
func (s *Store) Stats(ctx context.Context, q feedback.StatsQuery) ([]feedback.StatsRow, error) {
	if !q.Group.Valid() {
		return nil, feedback.FieldError("group", "Nhóm thống kê không hợp lệ.", "group must be unit, category or ward")
	}
	if !q.From.Before(q.To) {
		return nil, feedback.FieldError("from", "Khoảng thời gian không hợp lệ.", "from must be before to")
	}
	args := []any{q.From.UnixNano(), q.To.UnixNano(), q.Now.UnixNano()}
	unitCond := ""
	if q.Unit != "" {
		unitCond, args = "AND unit = ?4", append(args, q.Unit)
	}
	// The group is one of three fixed column names, checked above.
	rows, err := s.rdb.QueryContext(ctx, fmt.Sprintf(statsSQL, string(q.Group), unitCond), args...)
	if err != nil {
		return nil, dbError(err, "stats")
	}
	defer rows.Close()
	out := []feedback.StatsRow{}
	for rows.Next() {
		r, err := scanStats(rows)
		if err != nil {
			return nil, dbError(err, "stats")
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err, "stats")
	}
	return out, nil
}

func scanStats(rows *sql.Rows) (feedback.StatsRow, error) {
	var (
		r                               feedback.StatsRow
		slaBase, slaMet, ever, reopened int64
		avg                             sql.NullFloat64
		frMed, frP90, rsMed, rsP90      sql.NullInt64
	)
	err := rows.Scan(&r.Key, &r.Received, &r.Resolved, &r.Open, &r.Overdue, &slaBase, &slaMet, &ever, &reopened,
		&avg, &r.Rated, &frMed, &frP90, &rsMed, &rsP90)
	if err != nil {
		return r, err
	}
	r.SLAMetPct = ratio(slaMet*100, slaBase)
	r.ReopenRate = ratio(reopened, ever)
	if avg.Valid {
		v := round2(avg.Float64)
		r.AvgSatisfaction = &v
	}
	r.FirstResponseMedianH, r.FirstResponseP90H = hours(frMed), hours(frP90)
	r.ResolutionMedianH, r.ResolutionP90H = hours(rsMed), hours(rsP90)
	return r, nil
}

func ratio(num, den int64) *float64 {
	if den == 0 {
		return nil
	}
	v := round2(float64(num) / float64(den))
	return &v
}

// hours turns working minutes into hours, rounded to 0.01.
func hours(min sql.NullInt64) *float64 {
	if !min.Valid {
		return nil
	}
	v := round2(float64(min.Int64) / 60)
	return &v
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// RecordFirstResponse sets the working minutes to the first staff response;
// an earlier value is kept. Errors: ENOTFOUND.
func (s *Store) RecordFirstResponse(ctx context.Context, reportID string, workingMinutes int64) error {
	return s.execAffecting(ctx, "report", `UPDATE report_facts SET first_response_min = coalesce(first_response_min, ?)
		WHERE report_id = ?`, max(workingMinutes, 0), reportID)
}

// RecordResolution sets (or, when negative, clears) the working minutes to
// resolution. Errors: ENOTFOUND.
func (s *Store) RecordResolution(ctx context.Context, reportID string, workingMinutes int64) error {
	v := sql.NullInt64{Int64: workingMinutes, Valid: workingMinutes >= 0}
	return s.execAffecting(ctx, "report", `UPDATE report_facts SET resolution_min = ? WHERE report_id = ?`, v, reportID)
}
