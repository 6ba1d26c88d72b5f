package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"phananh/feedback"
)

// The statistics pipeline runs on MongoDB 5.0 or later ($setWindowFields,
// $isNumber). It never holds one group's reports in a single document, so it
// scales to any cohort, and it picks percentiles without relying on the
// order in which $group sees documents:
//
//  1. $match the cohort (created_at in [From, To), optionally one unit);
//  2. $lookup its working-time measurements in report_timings by _id;
//  3. $project each report to its group key k and an array m of up to three
//     measurement items: {f:"c", c:{0/1 counters}}, {f:"fr", v:minutes}
//     when a first response is recorded, {f:"rs", v:minutes} when the
//     report is resolved or closed and a resolution time is recorded;
//  4. $unwind m and $group by (k, f, v) with the count n and the summed
//     counters: the cohort shrinks to one counters row per group plus a
//     histogram of each group's response and resolution minutes;
//  5. $setWindowFields per (k, f), sorted by v: the cumulative count cum
//     and the total of each histogram;
//  6. $group by k: the counters, and for each percentile the smallest v
//     whose cum reaches the nearest rank ceil(p·total/100);
//  7. $sort by key and $project the finished figures (shares, hours,
//     rounded to two decimals half away from zero, as math.Round does).
//
// The definitions are those of the SQLite store and of statsAcc.

// statsGroupField maps a grouping to the report field it groups by.
var statsGroupField = map[feedback.StatsGroup]string{
	feedback.StatsByUnit: "unit", feedback.StatsByCategory: "category", feedback.StatsByWard: "ward",
}

// statsCounters names the per-report 0/1 counters (and the rating sum)
// summed per group; statsRowDoc carries the same names.
var statsCounters = []string{
	"received", "resolved", "open", "overdue", "sla_base", "sla_met", "ever", "reopened", "rated", "rating_sum",
}

// statsPercentiles are the percentiles the pipeline picks: output field,
// histogram and p.
var statsPercentiles = []struct {
	field, hist string
	p           int
}{
	{"fr50", "fr", 50}, {"fr90", "fr", 90}, {"rs50", "rs", 50}, {"rs90", "rs", 90},
}

// statsRowDoc is one row of the pipeline's output. Its fields are those of
// feedback.StatsRow, in order, so that it converts to one.
type statsRowDoc struct {
	Key                  string   `bson:"key"`
	Received             int64    `bson:"received"`
	Resolved             int64    `bson:"resolved"`
	Open                 int64    `bson:"open"`
	Overdue              int64    `bson:"overdue"`
	SLAMetPct            *float64 `bson:"sla_met_pct"`
	FirstResponseMedianH *float64 `bson:"first_response_median_h"`
	FirstResponseP90H    *float64 `bson:"first_response_p90_h"`
	ResolutionMedianH    *float64 `bson:"resolution_median_h"`
	ResolutionP90H       *float64 `bson:"resolution_p90_h"`
	ReopenRate           *float64 `bson:"reopen_rate"`
	AvgSatisfaction      *float64 `bson:"avg_satisfaction"`
	Rated                int64    `bson:"rated"`
}

// statsByPipeline computes the statistics with an aggregation pipeline
// executed by the server; q is valid.
func (s *Store) statsByPipeline(ctx context.Context, q feedback.StatsQuery) ([]feedback.StatsRow, error) {
	cur, err := s.reports.Aggregate(ctx, statsPipeline(q), options.Aggregate().SetAllowDiskUse(true))
	if err != nil {
		return nil, wrap(err)
	}
	var docs []statsRowDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(err)
	}
	out := make([]feedback.StatsRow, len(docs))
	for i, d := range docs {
		out[i] = feedback.StatsRow(d)
	}
	return out, nil
}

// statsPipeline builds the pipeline described above for a valid query.
func statsPipeline(q feedback.StatsQuery) mongo.Pipeline {
	return mongo.Pipeline{
		{{Key: "$match", Value: statsMatch(q)}},
		{{Key: "$lookup", Value: bson.D{
			{Key: "from", Value: collTimings}, {Key: "localField", Value: "_id"},
			{Key: "foreignField", Value: "_id"}, {Key: "as", Value: "t"},
		}}},
		{{Key: "$project", Value: bson.D{
			{Key: "_id", Value: 0},
			{Key: "k", Value: op("$ifNull", "$"+statsGroupField[q.Group], "")},
			{Key: "m", Value: statsItems(q.Now)},
		}}},
		{{Key: "$unwind", Value: "$m"}},
		{{Key: "$group", Value: statsHistogramGroup()}},
		{{Key: "$setWindowFields", Value: bson.D{
			{Key: "partitionBy", Value: bson.D{{Key: "k", Value: "$_id.k"}, {Key: "f", Value: "$_id.f"}}},
			{Key: "sortBy", Value: bson.D{{Key: "_id.v", Value: 1}}},
			{Key: "output", Value: bson.D{
				{Key: "cum", Value: windowSum("current")},
				{Key: "total", Value: windowSum("unbounded")},
			}},
		}}},
		{{Key: "$group", Value: statsKeyGroup()}},
		{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}},
		{{Key: "$project", Value: statsFigures()}},
	}
}

// statsMatch selects the cohort.
func statsMatch(q feedback.StatsQuery) bson.D {
	m := bson.D{{Key: "created_at", Value: bson.D{
		{Key: "$gte", Value: q.From.UTC()}, {Key: "$lt", Value: q.To.UTC()},
	}}}
	if q.Unit != "" {
		m = append(m, bson.E{Key: "unit", Value: q.Unit})
	}
	return m
}

// statsItems is the expression for a report's measurement items (step 3).
func statsItems(now time.Time) bson.D {
	var open bson.A
	for _, st := range feedback.Statuses {
		if st.Open() {
			open = append(open, string(st))
		}
	}
	var (
		done        = op("$in", "$status", bson.A{string(feedback.StatusResolved), string(feedback.StatusClosed)})
		isOpen      = op("$in", "$status", open)
		hasDue      = op("$eq", op1("$type", "$due_at"), "date")
		hasResolved = op("$eq", op1("$type", "$resolved_at"), "date")
		reopened    = op("$gt", "$reopen_count", 0)
		rated       = op("$gt", "$rating", 0)
		slaBase     = op("$and", done, hasDue, hasResolved)
		fr          = op("$arrayElemAt", "$t.first_response_min", 0)
		rs          = op("$arrayElemAt", "$t.resolution_min", 0)
	)
	counters := bson.D{
		{Key: "received", Value: 1},
		{Key: "resolved", Value: flag(done)},
		{Key: "open", Value: flag(isOpen)},
		{Key: "overdue", Value: flag(op("$and", isOpen, hasDue, op("$lt", "$due_at", now.UTC())))},
		{Key: "sla_base", Value: flag(slaBase)},
		{Key: "sla_met", Value: flag(op("$and", slaBase, op("$lte", "$resolved_at", "$due_at")))},
		{Key: "ever", Value: flag(op("$or", hasResolved, reopened))},
		{Key: "reopened", Value: flag(reopened)},
		{Key: "rated", Value: flag(rated)},
		{Key: "rating_sum", Value: op("$cond", rated, "$rating", 0)},
	}
	return op("$concatArrays",
		bson.A{bson.D{{Key: "f", Value: "c"}, {Key: "c", Value: counters}}},
		op("$cond", op1("$isNumber", fr), bson.A{bson.D{{Key: "f", Value: "fr"}, {Key: "v", Value: fr}}}, bson.A{}),
		op("$cond", op("$and", done, op1("$isNumber", rs)), bson.A{bson.D{{Key: "f", Value: "rs"}, {Key: "v", Value: rs}}}, bson.A{}),
	)
}

// statsHistogramGroup is step 4: one row per (group, item kind, minutes).
func statsHistogramGroup() bson.D {
	g := bson.D{
		{Key: "_id", Value: bson.D{{Key: "k", Value: "$k"}, {Key: "f", Value: "$m.f"}, {Key: "v", Value: "$m.v"}}},
		{Key: "n", Value: op1("$sum", 1)},
	}
	for _, c := range statsCounters {
		g = append(g, bson.E{Key: c, Value: op1("$sum", "$m.c."+c)})
	}
	return g
}

// windowSum sums n over a histogram from its first row up to upper.
func windowSum(upper string) bson.D {
	return bson.D{
		{Key: "$sum", Value: "$n"},
		{Key: "window", Value: bson.D{{Key: "documents", Value: bson.A{"unbounded", upper}}}},
	}
}

// statsKeyGroup is step 6: one row per group.
func statsKeyGroup() bson.D {
	g := bson.D{{Key: "_id", Value: "$_id.k"}}
	for _, c := range statsCounters {
		g = append(g, bson.E{Key: c, Value: op1("$sum", "$"+c)})
	}
	for _, p := range statsPercentiles {
		rank := op1("$ceil", op("$divide", op("$multiply", "$total", p.p), 100))
		reached := op("$and", op("$eq", "$_id.f", p.hist), op("$gte", "$cum", rank))
		// $min ignores the nulls of the rows that do not qualify.
		g = append(g, bson.E{Key: p.field, Value: op1("$min", op("$cond", reached, "$_id.v", nil))})
	}
	return g
}

// statsFigures is step 7's projection onto statsRowDoc.
func statsFigures() bson.D {
	hours := func(f string) bson.D {
		return op("$cond", op1("$isNumber", "$"+f), round2Expr(op("$divide", "$"+f, 60)), nil)
	}
	return bson.D{
		{Key: "_id", Value: 0},
		{Key: "key", Value: "$_id"},
		{Key: "received", Value: "$received"},
		{Key: "resolved", Value: "$resolved"},
		{Key: "open", Value: "$open"},
		{Key: "overdue", Value: "$overdue"},
		{Key: "sla_met_pct", Value: ratioExpr(op("$multiply", "$sla_met", 100), "$sla_base")},
		{Key: "first_response_median_h", Value: hours("fr50")},
		{Key: "first_response_p90_h", Value: hours("fr90")},
		{Key: "resolution_median_h", Value: hours("rs50")},
		{Key: "resolution_p90_h", Value: hours("rs90")},
		{Key: "reopen_rate", Value: ratioExpr("$reopened", "$ever")},
		{Key: "avg_satisfaction", Value: ratioExpr("$rating_sum", "$rated")},
		{Key: "rated", Value: "$rated"},
	}
}

// ratioExpr is num/den rounded as ratio does, null when den is 0.
func ratioExpr(num, den any) bson.D {
	return op("$cond", op("$eq", den, 0), nil, round2Expr(op("$divide", num, den)))
}

// round2Expr rounds a non-negative x to two decimals half away from zero,
// as round2 does; $round would round half to even (0.125 -> 0.12).
func round2Expr(x any) bson.D {
	return op("$divide", op1("$floor", op("$add", op("$multiply", x, 100), 0.5)), 100)
}

// flag is 1 when cond holds, 0 otherwise.
func flag(cond any) bson.D { return op("$cond", cond, 1, 0) }

// op is an aggregation operator applied to an argument list.
func op(name string, args ...any) bson.D { return bson.D{{Key: name, Value: bson.A(args)}} }

// op1 is an aggregation operator applied to a single argument.
func op1(name string, arg any) bson.D { return bson.D{{Key: name, Value: arg}} }
