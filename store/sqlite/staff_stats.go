package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"

	"phananh/feedback"
)

// Statistics come from report_stats (0103_report_stats.sql) in two index
// scans per call, neither of which sorts: the first walks the grouping's
// covering index in (group, first-response minutes) order and returns, per
// group and minute value, the counters summed over those reports; the
// second does the same for resolution minutes. SQL thus reduces a million
// reports to a few thousand histogram rows, from which the counters are
// added up and the nearest-rank percentiles read off in one pass. Window
// functions over every report were measured first and were too slow: they
// sort the whole period, twice.
//
// %[1]s is the grouping column (one of three fixed names, checked) and
// %[2]s the optional unit condition.
const (
	statsCountsSQL = `
SELECT %[1]s, fr, count(*), sum(packed1), sum(packed2), sum(packed3), total(open_due < ?3)
FROM report_stats INDEXED BY report_stats_%[1]s
WHERE created_at >= ?1 AND created_at < ?2 %[2]s
GROUP BY %[1]s, fr
ORDER BY %[1]s, fr`

	statsResolutionSQL = `
SELECT %[1]s, rs, count(*)
FROM report_stats INDEXED BY report_stats_%[1]s_rs
WHERE rs IS NOT NULL AND resolved_f = 1 AND created_at >= ?1 AND created_at < ?2 %[2]s
GROUP BY %[1]s, rs
ORDER BY %[1]s, rs`
)

// Stats computes statistics over the cohort received in [q.From, q.To).
// Errors: EINVALID (bad group or range).
func (s *Store) Stats(ctx context.Context, q feedback.StatsQuery) ([]feedback.StatsRow, error) {
	if !q.Group.Valid() {
		return nil, feedback.FieldError("group", "Nhóm thống kê không hợp lệ.", "group must be unit, category or ward")
	}
	if !q.From.Before(q.To) {
		return nil, feedback.FieldError("from", "Khoảng thời gian không hợp lệ.", "from must be before to")
	}
	if err := s.syncStats(ctx); err != nil {
		return nil, err
	}
	args := []any{q.From.UnixNano(), q.To.UnixNano(), q.Now.UnixNano()}
	unitCond := ""
	if q.Unit != "" {
		unitCond, args = "AND unit = ?4", append(args, q.Unit)
	}
	// The two scans are independent; running them on two read connections
	// at once uses both cores of a small server.
	groups, res := newStatsGroups(), newStatsGroups()
	done := make(chan error, 1)
	go func() {
		done <- s.scanHistogram(ctx, fmt.Sprintf(statsResolutionSQL, q.Group, unitCond), args, res.addResolution)
	}()
	err := s.scanHistogram(ctx, fmt.Sprintf(statsCountsSQL, q.Group, unitCond), args, groups.addCounts)
	if rerr := <-done; err == nil {
		err = rerr
	}
	if err != nil {
		return nil, dbError(err, "stats")
	}
	for key, sg := range res.byKey {
		groups.get(key).rs = sg.rs
	}
	return groups.rows(), nil
}

// scanHistogram runs a histogram query and hands each row to add.
func (s *Store) scanHistogram(ctx context.Context, query string, args []any, add func(*sql.Rows) error) error {
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := add(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// bucket is one histogram bar: this many reports took v minutes.
type bucket struct{ v, n int64 }

// statsGroup accumulates one group.
type statsGroup struct {
	row                                        feedback.StatsRow
	slaBase, slaMet, ever, reopened, ratingSum float64
	fr, rs                                     []bucket
}

// statsGroups keeps the groups in the order the scans return them (by key).
type statsGroups struct {
	byKey map[string]*statsGroup
	order []string
}

func newStatsGroups() *statsGroups { return &statsGroups{byKey: map[string]*statsGroup{}} }

func (g *statsGroups) get(key string) *statsGroup {
	sg := g.byKey[key]
	if sg == nil {
		sg = &statsGroup{row: feedback.StatsRow{Key: key}}
		g.byKey[key] = sg
		g.order = append(g.order, key)
	}
	return sg
}

// Packed counters: three 21-bit fields per integer (see 0103_report_stats.sql).
const (
	packBits = 21
	packMask = 1<<packBits - 1
)

func unpack(v int64) (a, b, c int64) {
	return v & packMask, v >> packBits & packMask, v >> (2 * packBits)
}

func (g *statsGroups) addCounts(rows *sql.Rows) error {
	var (
		key           string
		fr            sql.NullInt64
		n, p1, p2, p3 int64
		overdue       float64
	)
	if err := rows.Scan(&key, &fr, &n, &p1, &p2, &p3, &overdue); err != nil {
		return err
	}
	if n > packMask {
		return fmt.Errorf("stats: %d reports in one histogram bucket overflow the packed counters", n)
	}
	sg := g.get(key)
	r := &sg.row
	resolved, open, ever := unpack(p1)
	slaBase, slaMet, reopened := unpack(p2)
	rated, _, _ := unpack(p3)
	r.Received += n
	r.Resolved += resolved
	r.Open += open
	r.Overdue += int64(overdue)
	r.Rated += rated
	sg.slaBase += float64(slaBase)
	sg.slaMet += float64(slaMet)
	sg.ever += float64(ever)
	sg.reopened += float64(reopened)
	sg.ratingSum += float64(p3 >> packBits)
	if fr.Valid {
		sg.fr = append(sg.fr, bucket{fr.Int64, n})
	}
	return nil
}

func (g *statsGroups) addResolution(rows *sql.Rows) error {
	var key string
	var b bucket
	if err := rows.Scan(&key, &b.v, &b.n); err != nil {
		return err
	}
	sg := g.get(key)
	sg.rs = append(sg.rs, b)
	return nil
}

// rows finishes every group, ordered by key. The scans return key order,
// but they read separate snapshots, so a key may (rarely) come only from
// the second.
func (g *statsGroups) rows() []feedback.StatsRow {
	slices.Sort(g.order)
	out := make([]feedback.StatsRow, 0, len(g.order))
	for _, key := range g.order {
		sg := g.byKey[key]
		r := sg.row
		r.SLAMetPct = ratio(sg.slaMet*100, sg.slaBase)
		r.ReopenRate = ratio(sg.reopened, sg.ever)
		r.AvgSatisfaction = ratio(sg.ratingSum, float64(r.Rated))
		r.FirstResponseMedianH, r.FirstResponseP90H = percentile(sg.fr, 50), percentile(sg.fr, 90)
		r.ResolutionMedianH, r.ResolutionP90H = percentile(sg.rs, 50), percentile(sg.rs, 90)
		out = append(out, r)
	}
	return out
}

// percentile returns the nearest-rank p-th percentile of an ascending
// histogram of minutes, in hours: the value at rank ceil(p·n/100).
func percentile(h []bucket, p int64) *float64 {
	var n int64
	for _, b := range h {
		n += b.n
	}
	if n == 0 {
		return nil
	}
	rank, seen := (p*n+99)/100, int64(0)
	for _, b := range h {
		if seen += b.n; seen >= rank {
			v := round2(float64(b.v) / 60)
			return &v
		}
	}
	return nil // unreachable: rank <= n
}

func ratio(num, den float64) *float64 {
	if den == 0 {
		return nil
	}
	v := round2(num / den)
	return &v
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// RecordFirstResponse sets the working minutes to the first staff response;
// an earlier value is kept. Errors: ENOTFOUND.
func (s *Store) RecordFirstResponse(ctx context.Context, reportID string, workingMinutes int64) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return recordFirstResponse(ctx, tx, reportID, workingMinutes)
	})
}

// RecordResolution sets (or, when negative, clears) the working minutes to
// resolution. Errors: ENOTFOUND.
func (s *Store) RecordResolution(ctx context.Context, reportID string, workingMinutes int64) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return recordResolution(ctx, tx, reportID, workingMinutes)
	})
}

// recordFirstResponse is RecordFirstResponse inside a write.
func recordFirstResponse(ctx context.Context, tx *sql.Tx, reportID string, workingMinutes int64) error {
	return execAffectingTx(ctx, tx, "report", `UPDATE report_stats SET fr = coalesce(fr, ?) WHERE report_id = ?`,
		max(workingMinutes, 0), reportID)
}

// recordResolution is RecordResolution inside a write.
func recordResolution(ctx context.Context, tx *sql.Tx, reportID string, workingMinutes int64) error {
	v := sql.NullInt64{Int64: workingMinutes, Valid: workingMinutes >= 0}
	return execAffectingTx(ctx, tx, "report", `UPDATE report_stats SET rs = ? WHERE report_id = ?`, v, reportID)
}
