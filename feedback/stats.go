package feedback

import (
	"context"
	"time"
)

// StatsGroup is what statistics are broken down by.
type StatsGroup string

// The groupings of statistics.
const (
	StatsByUnit     StatsGroup = "unit"
	StatsByCategory StatsGroup = "category"
	StatsByWard     StatsGroup = "ward"
)

// Valid reports whether g is a known grouping.
func (g StatsGroup) Valid() bool {
	return g == StatsByUnit || g == StatsByCategory || g == StatsByWard
}

// StatsQuery selects the reports statistics are computed over: the cohort
// received (created) in [From, To), broken down by Group.
type StatsQuery struct {
	From, To time.Time
	Group    StatsGroup
	// Now decides which open reports are overdue.
	Now time.Time
	// Unit restricts the cohort to one unit; "" means every unit.
	Unit string
}

// StatsRow is the figures of one group. Durations are working hours on the
// city's calendar, measured from receipt, as recorded by RecordFirstResponse
// and RecordResolution; resolution figures count only reports now resolved
// or closed. Percentiles use the nearest-rank method (the value at rank
// ceil(p·n) in ascending order). A nil pointer means there is nothing to
// measure (no resolved report, no rating...). Ratios are rounded to 0.01.
type StatsRow struct {
	Key      string `json:"key"` // unit, category or ward id; "" when unset
	Received int64  `json:"received"`
	// Resolved counts reports now resolved or closed.
	Resolved int64 `json:"resolved"`
	// Open counts reports the city still has to act on.
	Open int64 `json:"open"`
	// Overdue counts open reports past their due time at Now.
	Overdue int64 `json:"overdue"`
	// SLAMetPct is the share (0-100) of resolved reports with a due time
	// that were resolved by it.
	SLAMetPct *float64 `json:"sla_met_pct"`

	FirstResponseMedianH *float64 `json:"first_response_median_h"`
	FirstResponseP90H    *float64 `json:"first_response_p90_h"`
	ResolutionMedianH    *float64 `json:"resolution_median_h"`
	ResolutionP90H       *float64 `json:"resolution_p90_h"`

	// ReopenRate is the share (0-1) of reports ever resolved that the
	// citizen reopened at least once.
	ReopenRate *float64 `json:"reopen_rate"`
	// AvgSatisfaction is the mean rating (1-5) over Rated reports.
	AvgSatisfaction *float64 `json:"avg_satisfaction"`
	Rated           int64    `json:"rated"`
}

// StatsStore computes statistics inside the store (SQL or an aggregation
// pipeline) and keeps the working-time measurements they need, which the
// staff service records as the events happen.
type StatsStore interface {
	// Stats returns one row per group with at least one report in the
	// cohort, ordered by Key. Errors: EINVALID (bad group or range).
	Stats(ctx context.Context, q StatsQuery) ([]StatsRow, error)

	// RecordFirstResponse sets the working minutes from receipt to the
	// first staff response of a report; it keeps an earlier value.
	RecordFirstResponse(ctx context.Context, reportID string, workingMinutes int64) error

	// RecordResolution sets the working minutes from receipt to the
	// report's resolution, replacing an earlier one (a reopened report is
	// resolved again); a negative value clears it.
	RecordResolution(ctx context.Context, reportID string, workingMinutes int64) error
}
