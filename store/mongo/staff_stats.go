package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"phananh/feedback"
)

// timingDoc keeps the working-minute measurements of a report. They live
// beside the report, not in it, because UpdateReport replaces the whole
// report document; the statistics pipeline joins them with $lookup.
type timingDoc struct {
	ReportID         string `bson:"_id"`
	FirstResponseMin *int64 `bson:"first_response_min,omitempty"`
	ResolutionMin    *int64 `bson:"resolution_min,omitempty"`
}

// statsPath is how Stats computes the figures on a given server.
type statsPath int

const (
	// statsOnServer runs the aggregation pipeline of statsPipeline: the
	// server computes every figure and returns one document per group.
	// Every real MongoDB (5.0 or later) takes this path.
	statsOnServer statsPath = iota
	// statsInGoForFerretDB reads a projection of the cohort and computes
	// the figures in Go (staff_stats_ferret.go). Only FerretDB, the
	// embedded test stand-in, takes this path: it cannot run the pipeline.
	statsInGoForFerretDB
)

// Stats returns one row per group with at least one report received in
// [q.From, q.To), ordered by Key.
//
// On MongoDB the figures are computed by the server in one aggregation
// pipeline (statsPipeline): no report reaches Go. On FerretDB, detected
// through buildInfo, which lacks the pipeline's stages and accumulators,
// they are computed in Go from a projection of the cohort (statsInGo).
// Both follow the SQLite store's definitions. Errors: EINVALID (bad group
// or range), EUNAVAILABLE.
func (s *Store) Stats(ctx context.Context, q feedback.StatsQuery) ([]feedback.StatsRow, error) {
	if !q.Group.Valid() {
		return nil, feedback.FieldError("group", "Nhóm thống kê không hợp lệ.", "group must be unit, category or ward")
	}
	if !q.From.Before(q.To) {
		return nil, feedback.FieldError("from", "Khoảng thời gian không hợp lệ.", "from must be before to")
	}
	if s.stats == statsInGoForFerretDB {
		return s.statsInGo(ctx, q)
	}
	return s.statsByPipeline(ctx, q)
}

// detectStatsPath asks the server's buildInfo which path Stats takes:
// FerretDB answers with a ferretdbVersion field, MongoDB does not. Open
// asks once; the server behind a URI does not change kind.
func (s *Store) detectStatsPath(ctx context.Context) (statsPath, error) {
	var info bson.Raw
	if err := s.db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return statsOnServer, wrap(err)
	}
	if _, err := info.LookupErr("ferretdbVersion"); err == nil {
		return statsInGoForFerretDB, nil
	}
	return statsOnServer, nil
}

// RecordFirstResponse sets the working minutes to the report's first staff
// response; an earlier value is kept. Errors: ENOTFOUND.
func (s *Store) RecordFirstResponse(ctx context.Context, reportID string, workingMinutes int64) error {
	if err := s.reportExists(ctx, reportID); err != nil {
		return err
	}
	return s.recordFirstResponse(ctx, reportID, workingMinutes)
}

// RecordResolution sets the working minutes to the report's resolution,
// replacing an earlier value; a negative value clears it. Errors: ENOTFOUND.
func (s *Store) RecordResolution(ctx context.Context, reportID string, workingMinutes int64) error {
	if err := s.reportExists(ctx, reportID); err != nil {
		return err
	}
	return s.recordResolution(ctx, reportID, workingMinutes)
}

// recordFirstResponse is RecordFirstResponse for a report known to exist.
// It looks for an earlier value first, so that inside a transaction (where
// a duplicate key would abort it) a recorded value is kept without one;
// outside, a racing upsert's duplicate key also means "already recorded".
func (s *Store) recordFirstResponse(ctx context.Context, reportID string, workingMinutes int64) error {
	filter := bson.D{{Key: "_id", Value: reportID}, {Key: "first_response_min", Value: bson.D{{Key: "$exists", Value: false}}}}
	recorded, err := s.timings.CountDocuments(ctx, bson.D{{Key: "_id", Value: reportID},
		{Key: "first_response_min", Value: bson.D{{Key: "$exists", Value: true}}}})
	if err != nil || recorded > 0 {
		return wrap(err)
	}
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "first_response_min", Value: max(workingMinutes, 0)}}}}
	_, err = s.timings.UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		return nil // a value is already recorded: keep it
	}
	return wrap(err)
}

// recordResolution is RecordResolution for a report known to exist.
func (s *Store) recordResolution(ctx context.Context, reportID string, workingMinutes int64) error {
	filter := bson.D{{Key: "_id", Value: reportID}}
	if workingMinutes < 0 {
		_, err := s.timings.UpdateOne(ctx, filter, bson.D{{Key: "$unset", Value: bson.D{{Key: "resolution_min", Value: ""}}}})
		return wrap(err)
	}
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "resolution_min", Value: workingMinutes}}}}
	return retryDuplicate(func() error {
		_, err := s.timings.UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
		return err
	})
}

func (s *Store) reportExists(ctx context.Context, id string) error {
	n, err := s.reports.CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return wrap(err)
	}
	if n == 0 {
		return feedback.NotFound("report")
	}
	return nil
}
