package desk

import (
	"context"
	"crypto/subtle"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"phananh/feedback"
)

// The citizen's side of closure: with the reporter token from intake the
// citizen confirms a resolved report, reopens it with a reason, or rates
// the city's work. The token proves authorship; staff accounts are not
// involved, so no audit entry is written (the events record it all).

// MaxCommentLen bounds a rating comment.
const MaxCommentLen = 1000

// Confirm closes a resolved report on the citizen's word.
// Errors: ENOTFOUND, EFORBIDDEN (wrong token), EINVALID, ECONFLICT.
func (s *Service) Confirm(ctx context.Context, code, token string) (*feedback.Report, error) {
	return s.citizen(ctx, code, token, func(r *feedback.Report, now time.Time) ([]feedback.Event, error) {
		if r.Status != feedback.StatusResolved {
			return nil, notResolved(r)
		}
		r.Status, r.ClosedAt = feedback.StatusClosed, &now
		return []feedback.Event{{Type: feedback.EventStatusChanged, Public: true, From: feedback.StatusResolved, To: feedback.StatusClosed}}, nil
	})
}

// Reopen sends a resolved report back to in_progress with the citizen's
// reason; ReopenCount counts how often.
// Errors: ENOTFOUND, EFORBIDDEN, EINVALID, ECONFLICT.
func (s *Service) Reopen(ctx context.Context, code, token, reason string) (*feedback.Report, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, feedback.FieldError("reason", "Vui lòng cho biết vì sao vấn đề chưa được giải quyết.", "Please say why the problem is not solved.")
	}
	if err := checkTexts(reason); err != nil {
		return nil, err
	}
	return s.citizen(ctx, code, token, func(r *feedback.Report, now time.Time) ([]feedback.Event, error) {
		if r.Status != feedback.StatusResolved {
			return nil, notResolved(r)
		}
		r.Status, r.ResolvedAt = feedback.StatusInProgress, nil
		r.ReopenCount++
		return []feedback.Event{{Type: feedback.EventStatusChanged, Public: true,
			From: feedback.StatusResolved, To: feedback.StatusInProgress, Text: reason}}, nil
	})
}

// Rate records the citizen's satisfaction (1-5) with an optional comment,
// once the report is resolved or closed; rating again replaces it.
// Errors: ENOTFOUND, EFORBIDDEN, EINVALID, ECONFLICT.
func (s *Service) Rate(ctx context.Context, code, token string, score int, comment string) (*feedback.Report, error) {
	comment = strings.TrimSpace(comment)
	if score < 1 || score > 5 {
		return nil, feedback.FieldError("score", "Điểm đánh giá từ 1 đến 5.", "The score is from 1 to 5.")
	}
	if utf8.RuneCountInString(comment) > MaxCommentLen || !utf8.ValidString(comment) {
		return nil, feedback.FieldError("comment", "Nhận xét tối đa 1000 ký tự.", "The comment is at most 1000 characters.")
	}
	return s.citizen(ctx, code, token, func(r *feedback.Report, now time.Time) ([]feedback.Event, error) {
		if r.Status != feedback.StatusResolved && r.Status != feedback.StatusClosed {
			return nil, feedback.FieldError("score", "Chỉ đánh giá được khi phản ánh đã được xử lý.", "Only a resolved report can be rated.")
		}
		r.Rating, r.RatingComment = score, comment
		return []feedback.Event{{Type: feedback.EventRated, Text: comment, Data: map[string]string{"score": strconv.Itoa(score)}}}, nil
	})
}

// citizen loads a report by code, checks the reporter token and applies fn.
func (s *Service) citizen(ctx context.Context, code, token string, fn change) (*feedback.Report, error) {
	r, err := s.byCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if !tokenMatches(r, token) {
		return nil, feedback.Errorf(feedback.EFORBIDDEN, "Mã xác nhận của người phản ánh không đúng.", "The reporter token is wrong.")
	}
	return s.apply(ctx, feedback.Actor{}, "", r, fn)
}

func tokenMatches(r *feedback.Report, token string) bool {
	if r.ReporterTokenHash == "" || token == "" {
		return false
	}
	got := feedback.HashSecret(token)
	return subtle.ConstantTimeCompare([]byte(got), []byte(r.ReporterTokenHash)) == 1
}

func notResolved(r *feedback.Report) error {
	return feedback.FieldError("status", "Phản ánh đang ở trạng thái «"+r.Status.Label()+"», chưa thể xác nhận.",
		"The report is "+r.Status.LabelEN()+", not resolved.")
}
