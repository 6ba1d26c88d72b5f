package intake

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"phananh/feedback"
)

// supportNamespace holds one state entry per (report, supporter): the claim
// that makes "me too" count once per person.
const supportNamespace = "intake.support"

// casAttempts bounds compare-and-set retries when staff change the report
// at the same moment.
const casAttempts = 8

// Support records that another citizen has the same problem ("me too"):
// the report's supporter count goes up by one with a public supporter_added
// event. Each supporter counts once per report, identified by
// idempotencyKey (a channel-scoped id such as "telegram:<chat id>" or a web
// cookie) or else by their contact details; one of them is required.
// added is false when this supporter was already counted.
//
// Errors: ENOTFOUND (no such report), EINVALID (no identity), ECONFLICT
// (the report is no longer open).
func (s *Service) Support(ctx context.Context, code string, contact feedback.Contact, idempotencyKey string) (r *feedback.Report, added bool, err error) {
	id := supporterID(contact, idempotencyKey)
	if id == "" {
		return nil, false, feedback.FieldError("idempotency_key",
			"Cần thông tin liên hệ để ghi nhận ủng hộ.", "A contact or an idempotency key is required to support a report.")
	}
	if r, err = s.openReport(ctx, code); err != nil {
		return nil, false, err
	}
	key := r.ID + ":" + feedback.HashSecret(id) // no personal data in the key
	claimed, err := s.store.PutStateIfAbsent(ctx, supportNamespace, key, []byte(s.now().UTC().Format(time.RFC3339)), time.Time{})
	if err != nil || !claimed {
		return r, false, err
	}
	r, err = s.addSupporter(ctx, r)
	if err != nil {
		// Release the claim so that the citizen can try again.
		if derr := s.store.DeleteState(context.WithoutCancel(ctx), supportNamespace, key); derr != nil {
			s.log.ErrorContext(ctx, "support claim not released", slog.String("error", derr.Error()))
		}
		return nil, false, err
	}
	return r, true, nil
}

// openReport returns the report with the given code if it is still open.
func (s *Service) openReport(ctx context.Context, code string) (*feedback.Report, error) {
	c := feedback.NormalizeCode(code)
	if c == "" {
		return nil, feedback.NotFound("report")
	}
	r, err := s.store.Report(ctx, c)
	if err != nil {
		return nil, err
	}
	if !r.Status.Open() {
		return nil, feedback.Conflict("Phản ánh này đã được xử lý xong, không thể ủng hộ thêm.",
			"This report is no longer open and cannot be supported.")
	}
	return r, nil
}

// addSupporter increments the count with compare-and-set, re-reading the
// report when someone else changed it first.
func (s *Service) addSupporter(ctx context.Context, r *feedback.Report) (*feedback.Report, error) {
	for range casAttempts {
		next := *r
		next.Supporters++
		ev := feedback.Event{Type: feedback.EventSupporterAdded, ReportID: r.ID, ReportCode: r.Code,
			UnitID: r.Unit, Public: true, Actor: feedback.ActorCitizen, At: s.now(),
			Data: map[string]string{"supporters": strconv.Itoa(next.Supporters)}}
		appended, err := s.store.UpdateReport(ctx, &next, []feedback.Event{ev})
		if err == nil {
			s.publish(appended)
			return &next, nil
		}
		if feedback.ErrorCode(err) != feedback.ECONFLICT {
			return nil, err
		}
		if r, err = s.openReport(ctx, r.Code); err != nil {
			return nil, err
		}
	}
	return nil, feedback.Conflict("Phản ánh đang được cập nhật, vui lòng thử lại.", "The report is busy, please try again.")
}

// supporterID is who supports: the idempotency key, else the most stable
// contact detail.
func supporterID(c feedback.Contact, key string) string {
	switch {
	case key != "":
		return "key:" + key
	case c.TelegramChatID != 0:
		return "telegram:" + strconv.FormatInt(c.TelegramChatID, 10)
	case c.Phone != "":
		if p, ok := NormalizePhone(c.Phone); ok {
			return "phone:" + p
		}
		return "phone:" + c.Phone
	case c.Email != "":
		return "email:" + strings.ToLower(strings.TrimSpace(c.Email))
	}
	return ""
}
