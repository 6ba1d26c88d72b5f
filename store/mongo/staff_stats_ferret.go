package mongo

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"phananh/feedback"
)

// This file is the statistics path for FerretDB only (see Stats): FerretDB
// v1 lacks $lookup, $setWindowFields, $min and $avg in $group and most
// expression operators, so the pipeline cannot run there. The server still
// filters the cohort and returns only the fields statistics read (a
// projection), and the figures are computed here with the same definitions
// as the pipeline and the SQLite store. The contract suite checks both
// paths against the same hand-made expectations.

// factDoc is the projection of a report that statistics read.
type factDoc struct {
	ID          string     `bson:"_id"`
	Unit        string     `bson:"unit"`
	Category    string     `bson:"category"`
	Ward        string     `bson:"ward"`
	Status      string     `bson:"status"`
	DueAt       time.Time  `bson:"due_at"`
	ResolvedAt  *time.Time `bson:"resolved_at"`
	ReopenCount int        `bson:"reopen_count"`
	Rating      int        `bson:"rating"`
}

// statsInGo computes the statistics from a projection of the cohort; q is
// valid. Only FerretDB takes this path.
func (s *Store) statsInGo(ctx context.Context, q feedback.StatsQuery) ([]feedback.StatsRow, error) {
	facts, err := s.cohort(ctx, q)
	if err != nil {
		return nil, err
	}
	timings, err := s.timingsOf(ctx, facts)
	if err != nil {
		return nil, err
	}
	groups := map[string]*statsAcc{}
	for i := range facts {
		f := &facts[i]
		key := map[feedback.StatsGroup]string{
			feedback.StatsByUnit: f.Unit, feedback.StatsByCategory: f.Category, feedback.StatsByWard: f.Ward,
		}[q.Group]
		if groups[key] == nil {
			groups[key] = &statsAcc{}
		}
		groups[key].add(f, timings[f.ID], q.Now)
	}
	out := make([]feedback.StatsRow, 0, len(groups))
	for key, acc := range groups {
		out = append(out, acc.row(key))
	}
	slices.SortFunc(out, func(a, b feedback.StatsRow) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// cohort reads the facts of the reports received in [q.From, q.To).
func (s *Store) cohort(ctx context.Context, q feedback.StatsQuery) ([]factDoc, error) {
	proj := bson.D{}
	for _, f := range []string{"unit", "category", "ward", "status", "due_at", "resolved_at", "reopen_count", "rating"} {
		proj = append(proj, bson.E{Key: f, Value: 1})
	}
	cur, err := s.reports.Find(ctx, statsMatch(q), options.Find().SetProjection(proj))
	if err != nil {
		return nil, wrap(err)
	}
	var facts []factDoc
	if err := cur.All(ctx, &facts); err != nil {
		return nil, wrap(err)
	}
	return facts, nil
}

// timingsOf reads the measurements of the given reports, in batches.
func (s *Store) timingsOf(ctx context.Context, facts []factDoc) (map[string]timingDoc, error) {
	out := make(map[string]timingDoc)
	const batch = 1000
	for start := 0; start < len(facts); start += batch {
		ids := bson.A{}
		for _, f := range facts[start:min(start+batch, len(facts))] {
			ids = append(ids, f.ID)
		}
		cur, err := s.timings.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
		if err != nil {
			return nil, wrap(err)
		}
		var docs []timingDoc
		if err := cur.All(ctx, &docs); err != nil {
			return nil, wrap(err)
		}
		for _, d := range docs {
			out[d.ReportID] = d
		}
	}
	return out, nil
}

// statsAcc accumulates one group's figures, with the same definitions as
// the SQLite store's query.
type statsAcc struct {
	received, resolved, open, overdue int64
	slaBase, slaMet, ever, reopened   int64
	ratingSum, rated                  int64
	firstResponse, resolution         []int64
}

func (a *statsAcc) add(f *factDoc, t timingDoc, now time.Time) {
	st := feedback.Status(f.Status)
	done := st == feedback.StatusResolved || st == feedback.StatusClosed
	hasDue := !f.DueAt.IsZero()
	a.received++
	switch {
	case done:
		a.resolved++
	case st.Open():
		a.open++
		if hasDue && f.DueAt.Before(now) {
			a.overdue++
		}
	}
	if done && hasDue && f.ResolvedAt != nil {
		a.slaBase++
		if !f.ResolvedAt.After(f.DueAt) {
			a.slaMet++
		}
	}
	if f.ResolvedAt != nil || f.ReopenCount > 0 {
		a.ever++
	}
	if f.ReopenCount > 0 {
		a.reopened++
	}
	if f.Rating > 0 {
		a.ratingSum += int64(f.Rating)
		a.rated++
	}
	if t.FirstResponseMin != nil {
		a.firstResponse = append(a.firstResponse, *t.FirstResponseMin)
	}
	if t.ResolutionMin != nil && done {
		a.resolution = append(a.resolution, *t.ResolutionMin)
	}
}

func (a *statsAcc) row(key string) feedback.StatsRow {
	r := feedback.StatsRow{
		Key: key, Received: a.received, Resolved: a.resolved, Open: a.open, Overdue: a.overdue,
		SLAMetPct: ratio(a.slaMet*100, a.slaBase), ReopenRate: ratio(a.reopened, a.ever), Rated: a.rated,
	}
	if a.rated > 0 {
		v := round2(float64(a.ratingSum) / float64(a.rated))
		r.AvgSatisfaction = &v
	}
	r.FirstResponseMedianH, r.FirstResponseP90H = percentileHours(a.firstResponse)
	r.ResolutionMedianH, r.ResolutionP90H = percentileHours(a.resolution)
	return r
}

// percentileHours returns the nearest-rank median and 90th percentile of
// working minutes, in hours: the values at ranks ceil(n/2) and ceil(0.9n),
// which for integers are (n+1)/2 and (9n+9)/10.
func percentileHours(mins []int64) (median, p90 *float64) {
	n := len(mins)
	if n == 0 {
		return nil, nil
	}
	slices.Sort(mins)
	h := func(rank int) *float64 {
		v := round2(float64(mins[rank-1]) / 60)
		return &v
	}
	return h((n + 1) / 2), h((9*n + 9) / 10)
}

func ratio(num, den int64) *float64 {
	if den == 0 {
		return nil
	}
	v := round2(float64(num) / float64(den))
	return &v
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
