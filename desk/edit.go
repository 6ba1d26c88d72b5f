package desk

import (
	"context"
	"strings"
	"time"

	"phananh/feedback"
)

// Recategorize corrects a report's category and/or ward (empty keeps the
// current value). The recategorized event carries Data "category" and
// "ward" for the changed values and always "old_category" and "old_ward":
// the classifier trains on these corrections. The report stays with its
// unit; moving it is a Transfer.
// Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) Recategorize(ctx context.Context, by feedback.Actor, code, category, ward string) (*feedback.Report, error) {
	category, ward = strings.TrimSpace(category), strings.TrimSpace(ward)
	if category != "" {
		if _, ok := s.city.Category(category); !ok {
			return nil, feedback.FieldError("category", "Không có lĩnh vực này.", "No such category.")
		}
	}
	if ward != "" {
		if _, ok := s.city.Ward(ward); !ok {
			return nil, feedback.FieldError("ward", "Không có phường/xã này.", "No such ward.")
		}
	}
	return s.mutate(ctx, by, ActRecategorize, code, func(r *feedback.Report, now time.Time) ([]feedback.Event, error) {
		if r.Status.Final() {
			return nil, feedback.FieldError("category", "Phản ánh đã kết thúc xử lý.", "The report is closed.")
		}
		data := map[string]string{"old_category": r.Category, "old_ward": r.Ward}
		if category != "" && category != r.Category {
			data["category"], r.Category = category, category
		}
		if ward != "" && ward != r.Ward {
			data["ward"], r.Ward = ward, ward
		}
		if len(data) == 2 {
			return nil, feedback.FieldError("category", "Không có gì thay đổi.", "Nothing to change.")
		}
		return []feedback.Event{{Type: feedback.EventRecategorized, Data: data}}, nil
	})
}

// Note adds an internal note, seen by staff only.
// Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) Note(ctx context.Context, by feedback.Actor, code, text string) (*feedback.Report, error) {
	return s.mutate(ctx, by, ActNote, code, func(r *feedback.Report, now time.Time) ([]feedback.Event, error) {
		return textEvent(feedback.EventInternalNote, text)
	})
}

// Reply adds a public reply to the citizen; the first one counts as the
// city's first response.
// Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) Reply(ctx context.Context, by feedback.Actor, code, text string) (*feedback.Report, error) {
	return s.mutate(ctx, by, ActReply, code, func(r *feedback.Report, now time.Time) ([]feedback.Event, error) {
		evs, err := textEvent(feedback.EventPublicReply, text)
		if err == nil && r.Status != feedback.StatusRejected {
			markResponded(r, now)
		}
		return evs, err
	})
}

func textEvent(t feedback.EventType, text string) ([]feedback.Event, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, feedback.FieldError("text", "Nội dung không được để trống.", "The text is empty.")
	}
	if err := checkTexts(text); err != nil {
		return nil, err
	}
	return []feedback.Event{{Type: t, Public: t == feedback.EventPublicReply, Text: text}}, nil
}

// AddPhoto attaches an "after" photo, showing the fix, to a report that is
// in progress or resolved. The image is cleaned of metadata first.
// Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, EINVALID, EUNSUPPORTED,
// ETOOLARGE, ECONFLICT.
func (s *Service) AddPhoto(ctx context.Context, by feedback.Actor, code string, data []byte) (*feedback.Report, error) {
	cur, err := s.load(ctx, by, ActPhoto, code)
	if err != nil {
		return nil, err
	}
	if err := checkAfterPhoto(cur); err != nil {
		return nil, err
	}
	if len(data) > feedback.MaxPhotoBytes {
		return nil, feedback.Errorf(feedback.ETOOLARGE, "Ảnh quá lớn (tối đa 10 MB).", "The photo is too large (10 MB at most).")
	}
	if s.clean == nil {
		return nil, feedback.Internal(errNoCleaner)
	}
	clean, ctype, err := s.clean(data)
	if err != nil {
		return nil, err
	}
	p, err := s.store.PutPhoto(ctx, clean, ctype)
	if err != nil {
		return nil, err
	}
	p.Kind = feedback.PhotoAfter
	return s.apply(ctx, by, string(ActPhoto), cur, func(r *feedback.Report, now time.Time) ([]feedback.Event, error) {
		if err := checkAfterPhoto(r); err != nil {
			return nil, err
		}
		r.Photos = append(append([]feedback.Photo(nil), r.Photos...), p)
		return []feedback.Event{{Type: feedback.EventPhotoAdded, Public: true, Data: map[string]string{"photo_id": p.ID, "kind": p.Kind}}}, nil
	})
}

// maxAfterPhotos bounds the "after" photos of one report.
const maxAfterPhotos = feedback.MaxPhotos

func checkAfterPhoto(r *feedback.Report) error {
	if r.Status != feedback.StatusInProgress && r.Status != feedback.StatusResolved {
		return feedback.FieldError("photo", "Chỉ thêm ảnh sau xử lý khi phản ánh đang xử lý hoặc đã xử lý.",
			"After photos can be added only while the report is in progress or resolved.")
	}
	n := 0
	for _, p := range r.Photos {
		if p.Kind == feedback.PhotoAfter {
			n++
		}
	}
	if n >= maxAfterPhotos {
		return feedback.Errorf(feedback.ETOOLARGE, "Đã đủ 5 ảnh sau xử lý.", "This report already has 5 after photos.")
	}
	return nil
}
