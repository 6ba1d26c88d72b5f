package mongo

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"phananh/feedback"
)

// stageNames returns the operator of each stage of a pipeline.
func stageNames(t *testing.T, p []bson.D) []string {
	t.Helper()
	var out []string
	for i, st := range p {
		if len(st) != 1 {
			t.Fatalf("stage %d has %d operators, want 1", i, len(st))
		}
		out = append(out, st[0].Key)
	}
	return out
}

// stage returns the body of the i-th stage.
func stage(p []bson.D, i int) bson.D { return p[i][0].Value.(bson.D) }

// field returns the value of key in d, failing when it is absent.
func field(t *testing.T, d bson.D, key string) any {
	t.Helper()
	for _, e := range d {
		if e.Key == key {
			return e.Value
		}
	}
	t.Fatalf("no %q in %v", key, d)
	return nil
}

// TestStatsPipelineDocument pins the shape of the pipeline that MongoDB
// runs, so that statistics cannot silently move back into Go: the stages in
// order, the group keys of both $group stages, and output fields that
// decode into every field of feedback.StatsRow.
func TestStatsPipelineDocument(t *testing.T) {
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, g := range []feedback.StatsGroup{feedback.StatsByUnit, feedback.StatsByCategory, feedback.StatsByWard} {
		for _, unit := range []string{"", "ubnd_p1"} {
			t.Run(fmt.Sprintf("%s/unit=%q", g, unit), func(t *testing.T) {
				q := feedback.StatsQuery{From: from, To: from.AddDate(0, 1, 0), Group: g, Now: from, Unit: unit}
				checkStatsPipeline(t, q)
			})
		}
	}
}

func checkStatsPipeline(t *testing.T, q feedback.StatsQuery) {
	p := statsPipeline(q)
	want := []string{"$match", "$lookup", "$project", "$unwind", "$group", "$setWindowFields", "$group", "$sort", "$project"}
	if got := stageNames(t, p); !slices.Equal(got, want) {
		t.Fatalf("stages = %v, want %v", got, want)
	}
	match := bson.D{{Key: "created_at", Value: bson.D{{Key: "$gte", Value: q.From}, {Key: "$lt", Value: q.To}}}}
	if q.Unit != "" {
		match = append(match, bson.E{Key: "unit", Value: q.Unit})
	}
	if got := stage(p, 0); !reflect.DeepEqual(got, match) {
		t.Errorf("$match = %v, want %v", got, match)
	}
	if from := field(t, stage(p, 1), "from"); from != collTimings {
		t.Errorf("$lookup from %v, want %s", from, collTimings)
	}
	wantKey := bson.D{{Key: "$ifNull", Value: bson.A{"$" + string(q.Group), ""}}}
	if k := field(t, stage(p, 2), "k"); !reflect.DeepEqual(k, wantKey) {
		t.Errorf("group key k = %v, want %v", k, wantKey)
	}
	histKey := bson.D{{Key: "k", Value: "$k"}, {Key: "f", Value: "$m.f"}, {Key: "v", Value: "$m.v"}}
	if id := field(t, stage(p, 4), "_id"); !reflect.DeepEqual(id, histKey) {
		t.Errorf("first $group _id = %v, want %v", id, histKey)
	}
	if id := field(t, stage(p, 6), "_id"); id != "$_id.k" {
		t.Errorf("second $group _id = %v, want $_id.k", id)
	}
	for _, c := range statsCounters {
		field(t, stage(p, 4), c)
		field(t, stage(p, 6), c)
	}
	for _, pc := range statsPercentiles {
		field(t, stage(p, 6), pc.field)
	}
	checkStatsOutput(t, stage(p, 8))
	for i, st := range p {
		if _, err := bson.Marshal(st); err != nil {
			t.Fatalf("stage %d does not marshal: %v", i, err)
		}
	}
}

// checkStatsOutput checks that the final projection yields exactly the
// fields statsRowDoc decodes, which are those of feedback.StatsRow.
func checkStatsOutput(t *testing.T, proj bson.D) {
	t.Helper()
	var got []string
	for _, e := range proj {
		if e.Key != "_id" {
			got = append(got, e.Key)
		}
	}
	var want []string
	rt := reflect.TypeFor[statsRowDoc]()
	for i := range rt.NumField() {
		want = append(want, rt.Field(i).Tag.Get("bson"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("output fields = %v, want %v", got, want)
	}
	if n := reflect.TypeFor[feedback.StatsRow]().NumField(); n != len(want) {
		t.Errorf("statsRowDoc has %d fields, feedback.StatsRow %d", len(want), n)
	}
}

// TestStatsPathByServer checks that Stats takes the pipeline on MongoDB
// and the Go fallback only on FerretDB.
func TestStatsPathByServer(t *testing.T) {
	s := MustOpen(t)
	path, err := s.detectStatsPath(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if s.stats != path {
		t.Fatalf("Open chose %v, the server says %v", s.stats, path)
	}
	want := statsOnServer
	if isFerret(t, s) {
		want = statsInGoForFerretDB
	}
	if path != want {
		t.Fatalf("statsPath = %v, want %v", path, want)
	}
}

// TestStatsPipelineMatchesFallback runs both paths over the same random
// data set on MongoDB. FerretDB cannot run the pipeline, so there it skips;
// set PHANANH_TEST_MONGO_URI to run it.
func TestStatsPipelineMatchesFallback(t *testing.T) {
	s := MustOpen(t)
	if isFerret(t, s) {
		t.Skip("FerretDB cannot run the statistics pipeline ($lookup, $setWindowFields); set " + envTestURI + " to compare it with the fallback on MongoDB")
	}
	ctx := t.Context()
	base := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	seedRandomStats(t, s, base, 400)
	for _, g := range []feedback.StatsGroup{feedback.StatsByUnit, feedback.StatsByCategory, feedback.StatsByWard} {
		for _, unit := range []string{"", "u_a"} {
			q := feedback.StatsQuery{From: base, To: base.AddDate(0, 0, 10), Group: g, Now: base.AddDate(0, 0, 20), Unit: unit}
			want, err := s.statsInGo(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.statsByPipeline(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s unit=%q: pipeline\n%+v\nfallback\n%+v", g, unit, got, want)
			}
		}
	}
}

// seedRandomStats stores n reports with random statuses, due and
// resolution times, ratings, reopen counts and measurements, some created
// outside [base, base+10 days).
func seedRandomStats(t *testing.T, s *Store, base time.Time, n int) {
	t.Helper()
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(4, 2))
	keys := []string{"u_a", "u_b", "", "ủy_ban"}
	pick := func() string { return keys[rng.IntN(len(keys))] }
	minutes := func(maxMin int) time.Duration { return time.Duration(rng.IntN(maxMin)) * time.Minute }
	for i := range n {
		r := &feedback.Report{
			ID: feedback.NewID(), Code: feedback.NewCode(), Text: fmt.Sprintf("Phản ánh ngẫu nhiên số %d", i),
			Channel: feedback.ChannelWeb, Status: feedback.Statuses[rng.IntN(len(feedback.Statuses))],
			Priority: feedback.PriorityNormal, Unit: pick(), Category: pick(), Ward: pick(),
			CreatedAt: base.Add(minutes(12*24*60) - 24*time.Hour),
		}
		if rng.IntN(5) > 0 {
			r.DueAt = r.CreatedAt.Add(minutes(10 * 24 * 60))
		}
		if rng.IntN(3) > 0 {
			at := r.CreatedAt.Add(minutes(10 * 24 * 60))
			if !r.DueAt.IsZero() && rng.IntN(4) == 0 {
				at = r.DueAt // met exactly on time
			}
			r.ResolvedAt = &at
		}
		r.ReopenCount, r.Rating = max(rng.IntN(6)-3, 0), max(rng.IntN(9)-3, 0)
		if _, _, _, err := s.CreateReport(ctx, r, []feedback.Event{{Type: feedback.EventCreated, At: r.CreatedAt}}); err != nil {
			t.Fatal(err)
		}
		if rng.IntN(4) > 0 {
			mustOK(t, s.RecordFirstResponse(ctx, r.ID, int64(rng.IntN(3000))))
		}
		if rng.IntN(3) > 0 {
			mustOK(t, s.RecordResolution(ctx, r.ID, int64(rng.IntN(9000))))
		}
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestStatsPipelineUsesNoLateOperators keeps the pipeline within MongoDB
// 5.0: no $percentile/$median (7.0), $sortArray (5.2), and no $facet, whose
// single output document would cap the cohort.
func TestStatsPipelineUsesNoLateOperators(t *testing.T) {
	q := feedback.StatsQuery{From: time.Unix(0, 0), To: time.Unix(1, 0), Group: feedback.StatsByWard}
	ext, err := bson.MarshalExtJSON(bson.D{{Key: "p", Value: statsPipeline(q)}}, false, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"$percentile", "$median", "$sortArray", "$facet", "$round"} {
		if strings.Contains(string(ext), `"`+banned+`"`) {
			t.Errorf("pipeline uses %s", banned)
		}
	}
}
