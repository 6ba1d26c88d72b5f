package desk

import (
	"context"
	"log/slog"
	"time"

	"phananh/feedback"
)

// MarkDuplicate closes a report as a duplicate of an original: it becomes
// rejected with DuplicateOf set, and its reporter becomes a supporter of
// the original (event supporter_added on the original with Data
// "duplicate" = the duplicate's code, from which notifiers make the
// reporter follow the original's status). A chain of duplicates resolves
// to its root. Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, EINVALID,
// ECONFLICT.
func (s *Service) MarkDuplicate(ctx context.Context, by feedback.Actor, code, originalCode string) (*feedback.Report, error) {
	dup, err := s.load(ctx, by, ActDuplicate, code)
	if err != nil {
		return nil, err
	}
	orig, err := s.original(ctx, by, originalCode)
	if err != nil {
		return nil, err
	}
	if orig.ID == dup.ID {
		return nil, feedback.FieldError("original", "Không thể đánh dấu trùng với chính nó.", "A report cannot duplicate itself.")
	}
	out, err := s.apply(ctx, by, string(ActDuplicate), dup, func(r *feedback.Report, now time.Time) ([]feedback.Event, error) {
		if !r.Status.Open() {
			return nil, feedback.FieldError("code", "Chỉ đánh dấu trùng phản ánh đang chờ xử lý.", "Only open reports can be marked as duplicates.")
		}
		from := r.Status
		r.Status, r.DuplicateOf, r.ClosedAt = feedback.StatusRejected, orig.Code, &now
		markResponded(r, now)
		return []feedback.Event{
			{Type: feedback.EventMarkedDuplicate, Public: true, Data: map[string]string{"original": orig.Code}},
			{Type: feedback.EventStatusChanged, Public: true, From: from, To: feedback.StatusRejected,
				Text: "Trùng với phản ánh " + orig.Code + " / Duplicate of report " + orig.Code},
		}, nil
	})
	if err != nil {
		return nil, err
	}
	// The duplicate is closed; counting its reporter on the original
	// follows, and failing that is logged rather than undoing the merge.
	if err := s.addSupporter(ctx, by, orig, out); err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "add supporter to original failed",
			slog.String("report_code", orig.Code), slog.String("duplicate_code", out.Code), slog.String("error", err.Error()))
	}
	return out, nil
}

// original finds the report a duplicate points to, following earlier
// duplicate links to the root.
func (s *Service) original(ctx context.Context, by feedback.Actor, code string) (*feedback.Report, error) {
	for range 5 {
		r, err := s.load(ctx, by, ActView, code)
		if feedback.ErrorCode(err) == feedback.ENOTFOUND {
			return nil, feedback.FieldError("original", "Không tìm thấy phản ánh gốc.", "The original report was not found.")
		} else if err != nil {
			return nil, err
		}
		if r.DuplicateOf == "" {
			if r.Status.Final() {
				return nil, feedback.FieldError("original", "Phản ánh gốc đã đóng.", "The original report is closed.")
			}
			return r, nil
		}
		code = r.DuplicateOf
	}
	return nil, feedback.FieldError("original", "Chuỗi phản ánh trùng quá dài.", "The duplicate chain is too long.")
}

// addSupporter counts the duplicate's reporter on the original, retrying a
// few times if the original changes concurrently.
func (s *Service) addSupporter(ctx context.Context, by feedback.Actor, orig, dup *feedback.Report) error {
	var err error
	for range 3 {
		_, err = s.apply(ctx, by, "report.supporter", orig, func(r *feedback.Report, now time.Time) ([]feedback.Event, error) {
			r.Supporters++
			return []feedback.Event{{Type: feedback.EventSupporterAdded, Public: true,
				Data: map[string]string{"duplicate": dup.Code, "duplicate_id": dup.ID}}}, nil
		})
		ce, ok := err.(*ConflictError)
		if !ok {
			return err
		}
		orig = ce.Current
	}
	return err
}
