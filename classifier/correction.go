package classifier

import (
	"context"
	"fmt"

	"phananh/feedback"
)

// correctionPage is how many events Corrections reads per call.
const correctionPage = 1000

// Corrections reads staff corrections from the event log: for every
// report whose category or ward staff changed (feedback.EventRecategorized),
// one example with the report's text and its last corrected category and
// ward. Reports that no longer exist are skipped.
func Corrections(ctx context.Context, events feedback.EventStore, reports feedback.ReportStore) ([]Example, error) {
	latest := map[string]Example{}
	var order []string
	var after int64
	for {
		page, err := events.Events(ctx, feedback.EventFilter{AfterSeq: after, Limit: correctionPage})
		if err != nil {
			return nil, fmt.Errorf("classifier: corrections: %w", err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			after = e.Seq
			if e.Type != feedback.EventRecategorized || e.ReportID == "" {
				continue
			}
			ex, seen := latest[e.ReportID]
			if !seen {
				order = append(order, e.ReportID)
				ex.Category, ex.Ward = e.Data["old_category"], e.Data["old_ward"]
			}
			if c := e.Data["category"]; c != "" {
				ex.Category = c
			}
			if w, ok := e.Data["ward"]; ok {
				ex.Ward = w
			}
			latest[e.ReportID] = ex
		}
	}
	return correctionTexts(ctx, reports, order, latest)
}

func correctionTexts(ctx context.Context, reports feedback.ReportStore, ids []string, latest map[string]Example) ([]Example, error) {
	out := make([]Example, 0, len(ids))
	for _, id := range ids {
		r, err := reports.ReportByID(ctx, id)
		if feedback.ErrorCode(err) == feedback.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("classifier: corrections: report %s: %w", id, err)
		}
		ex := latest[id]
		ex.Text = r.Text
		if ex.Category == "" {
			ex.Category = r.Category
		}
		if ex.Category != "" && ex.Text != "" {
			out = append(out, ex)
		}
	}
	return out, nil
}
