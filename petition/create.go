package petition

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"phananh/feedback"
)

// CreateInput is a new petition as a citizen writes it.
type CreateInput struct {
	Title    string
	Text     string
	Category string
	Ward     string   // "" for city-wide
	Photos   [][]byte // raw uploads; cleaned of metadata before storing
	Author   feedback.Contact
	// IdempotencyKey identifies the submission (the web form's token): a
	// form posted twice makes one petition. "" disables the check.
	IdempotencyKey string
}

// nsCreated maps a submission's idempotency key to the petition it made.
// Keys are kept for good: one short row per citizen petition, and no
// expiry to reckon against the store's clock.
const nsCreated = "petition.created"

// PromoteInput is a petition staff make from a cluster of similar reports.
type PromoteInput struct {
	Title       string
	Text        string
	Category    string
	Ward        string
	ReportCodes []string
}

// Create stores a citizen's petition, pending moderation: not listed and
// not signable until a supervisor approves it. A repeated IdempotencyKey
// returns the petition the first submission made.
// Errors: EINVALID, ETOOLARGE (photos), EUNSUPPORTED (photo type),
// ECONFLICT (the first submission is still being stored).
func (s *Service) Create(ctx context.Context, in CreateInput) (*feedback.Petition, error) {
	p, err := s.draft(in.Title, in.Text, in.Category, in.Ward)
	if err != nil {
		return nil, err
	}
	if len(in.Photos) > feedback.MaxPhotos {
		return nil, feedback.Errorf(feedback.ETOOLARGE, "Tối đa 5 ảnh.", "At most 5 photos.")
	}
	for _, raw := range in.Photos {
		ph, err := s.putPhoto(ctx, raw)
		if err != nil {
			return nil, err
		}
		p.Photos = append(p.Photos, ph)
	}
	p.Origin, p.CreatedBy, p.Author = feedback.OriginCitizen, feedback.ActorCitizen, in.Author
	if in.IdempotencyKey == "" {
		return p, s.insert(ctx, p, feedback.ActorCitizen)
	}
	claimed, err := s.store.PutStateIfAbsent(ctx, nsCreated, in.IdempotencyKey, []byte(p.ID), time.Time{})
	if err != nil {
		return nil, err
	}
	if !claimed {
		return s.created(ctx, in.IdempotencyKey)
	}
	if err := s.insert(ctx, p, feedback.ActorCitizen); err != nil {
		// Free the key, so that the form can be sent again.
		if derr := s.store.DeleteState(context.WithoutCancel(ctx), nsCreated, in.IdempotencyKey); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, err
	}
	return p, nil
}

// created returns the petition an earlier submission with key made.
func (s *Service) created(ctx context.Context, key string) (*feedback.Petition, error) {
	id, err := s.store.State(ctx, nsCreated, key)
	if err == nil {
		var p *feedback.Petition
		if p, err = s.store.Petition(ctx, string(id)); err == nil {
			return p, nil
		}
	}
	if feedback.ErrorCode(err) != feedback.ENOTFOUND {
		return nil, err
	}
	return nil, feedback.Errorf(feedback.ECONFLICT, "Kiến nghị này đang được gửi, vui lòng chờ giây lát rồi tải lại trang.",
		"This petition is being sent; please wait a moment and reload the page.")
}

// Promote turns a cluster of reports into a petition, pending moderation;
// the reporters are invited to sign when it is approved. Managers (their
// unit's reports only) and supervisors may promote. Errors: EUNAUTHORIZED, EFORBIDDEN, EINVALID,
// ENOTFOUND (a report code).
func (s *Service) Promote(ctx context.Context, by feedback.Actor, in PromoteInput) (*feedback.Petition, error) {
	if err := authorize(by, feedback.RoleManager, feedback.RoleSupervisor); err != nil {
		return nil, err
	}
	if len(in.ReportCodes) == 0 || len(in.ReportCodes) > feedback.MaxSourceReports {
		return nil, feedback.FieldError("report_codes", "Cần từ 1 đến 200 mã phản ánh.", "Give 1 to 200 report codes.")
	}
	p, err := s.draft(in.Title, in.Text, in.Category, in.Ward)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, raw := range in.ReportCodes {
		code := feedback.NormalizeCode(raw)
		if code == "" || seen[code] {
			continue
		}
		r, err := s.store.Report(ctx, code)
		if err != nil {
			return nil, err
		}
		// A manager sees only the unit's reports; another unit's is
		// answered as absent, as the desk does, so existence is not revealed
		// and its reporters are not invited by someone who may not see it.
		if u := by.User; u.Role.UnitScoped() && r.Unit != u.UnitID {
			return nil, feedback.NotFound("report")
		}
		seen[code] = true
		p.SourceReports = append(p.SourceReports, code)
	}
	if len(p.SourceReports) == 0 {
		return nil, feedback.FieldError("report_codes", "Mã phản ánh không hợp lệ.", "No valid report code.")
	}
	p.Origin, p.CreatedBy = feedback.OriginStaff, actorOf(by)
	if err := s.insert(ctx, p, p.CreatedBy); err != nil {
		return nil, err
	}
	s.audit(ctx, by, "petition.promote", p.ID, nil, map[string]any{"title": p.Title, "reports": p.SourceReports})
	return p, nil
}

// draft validates the common fields and returns a pending petition.
func (s *Service) draft(title, text, category, ward string) (*feedback.Petition, error) {
	title = norm.NFC.String(strings.Join(strings.Fields(title), " "))
	text = norm.NFC.String(strings.TrimSpace(text))
	switch n := utf8.RuneCountInString(title); {
	case n < feedback.MinPetitionTitleLen || n > feedback.MaxPetitionTitleLen:
		return nil, feedback.FieldError("title", "Tiêu đề cần từ 10 đến 200 ký tự.", "The title needs 10 to 200 characters.")
	}
	if n := utf8.RuneCountInString(text); n < feedback.MinTextLen || n > feedback.MaxTextLen {
		return nil, feedback.FieldError("text", "Nội dung cần từ 10 đến 5000 ký tự.", "The text needs 10 to 5000 characters.")
	}
	if _, ok := s.city.Category(category); !ok {
		return nil, feedback.FieldError("category", "Lĩnh vực không hợp lệ.", "Unknown category.")
	}
	if _, ok := s.city.Ward(ward); ward != "" && !ok {
		return nil, feedback.FieldError("ward", "Phường/xã không hợp lệ.", "Unknown ward.")
	}
	unit, _ := s.city.Route(category, ward)
	now := s.cfg.Now().UTC()
	return &feedback.Petition{
		ID: feedback.NewID(), Title: title, Text: text, Category: category, Ward: ward, Unit: unit,
		Status: feedback.PetitionPending, CreatedAt: now, UpdatedAt: now,
	}, nil
}

func (s *Service) insert(ctx context.Context, p *feedback.Petition, actor string) error {
	evs, err := s.store.CreatePetition(ctx, p, []feedback.Event{{
		Type: feedback.EventPetitionCreated, PetitionID: p.ID, UnitID: p.Unit, Actor: actor, At: p.CreatedAt,
		Data: map[string]string{"category": p.Category, "ward": p.Ward, "origin": p.Origin},
	}})
	if err == nil {
		s.publish(evs)
	}
	return err
}

func (s *Service) putPhoto(ctx context.Context, raw []byte) (feedback.Photo, error) {
	if len(raw) > feedback.MaxPhotoBytes {
		return feedback.Photo{}, feedback.Errorf(feedback.ETOOLARGE, "Ảnh quá lớn (tối đa 10 MB).", "Photo too large (10 MB at most).")
	}
	if s.cfg.Clean == nil {
		return feedback.Photo{}, feedback.Errorf(feedback.EUNSUPPORTED, "Kiến nghị gửi qua kênh này không kèm được ảnh.", "Photos are not accepted here.")
	}
	clean, ct, err := s.cfg.Clean(raw)
	if err != nil {
		return feedback.Photo{}, err
	}
	ph, err := s.store.PutPhoto(ctx, clean, ct)
	ph.Kind = feedback.PhotoBefore
	return ph, err
}

// Decision is a moderation decision.
type Decision string

// The moderation decisions.
const (
	Approve Decision = "approve"
	Reject  Decision = "reject"
)

// Moderate approves a pending petition (it opens for signatures for the
// city's signing period, with the thresholds then in force) or rejects it
// with a reason. Supervisors only. Errors: EUNAUTHORIZED, EFORBIDDEN,
// EINVALID, ENOTFOUND, ECONFLICT (not pending).
func (s *Service) Moderate(ctx context.Context, by feedback.Actor, id string, d Decision, reason string) (*feedback.Petition, error) {
	if err := authorize(by, feedback.RoleSupervisor); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case d == Reject && reason == "":
		return nil, feedback.FieldError("reason", "Vui lòng nêu lý do từ chối.", "A rejection needs a reason.")
	case d != Approve && d != Reject:
		return nil, feedback.FieldError("decision", "Quyết định phải là approve hoặc reject.", `decision must be "approve" or "reject"`)
	}
	p, evs, err := s.update(ctx, id, func(p *feedback.Petition, now time.Time) ([]feedback.Event, error) {
		if p.Status != feedback.PetitionPending {
			return nil, feedback.Conflict("Kiến nghị đã được kiểm duyệt.", "The petition was already moderated.")
		}
		if d == Reject {
			p.Status, p.RejectReason = feedback.PetitionRejected, reason
			return []feedback.Event{{Type: feedback.EventPetitionRejected, Text: reason}}, nil
		}
		p.Status, p.PublishedAt = feedback.PetitionOpen, now
		p.ClosesAt = now.AddDate(0, 0, s.signingDays())
		p.Thresholds = s.thresholds(p)
		return []feedback.Event{{Type: feedback.EventPetitionApproved, Public: true,
			Data: map[string]string{"category": p.Category, "ward": p.Ward}}}, nil
	}, actorOf(by))
	if err != nil {
		return nil, err
	}
	s.audit(ctx, by, "petition.moderate", id, map[string]any{"status": feedback.PetitionPending},
		map[string]any{"status": p.Status, "reason": reason})
	if d == Approve && len(p.SourceReports) > 0 {
		s.invite(ctx, by, p)
	}
	s.publish(evs)
	return p, nil
}

func (s *Service) signingDays() int {
	if d := s.city.Petitions.SigningDays; d > 0 {
		return d
	}
	return 30
}

// thresholds resolves the city's thresholds for p: "unit" becomes the unit
// p's category and ward route to.
func (s *Service) thresholds(p *feedback.Petition) []feedback.PetitionThreshold {
	var out []feedback.PetitionThreshold
	for _, t := range s.city.Petitions.Thresholds {
		unit := t.AnswerBy
		if unit == "unit" || unit == "" {
			unit = p.Unit
		}
		out = append(out, feedback.PetitionThreshold{Signatures: t.Signatures, Unit: unit, WorkingDays: t.WorkingDays})
	}
	return out
}

// maxUpdateTries bounds compare-and-set retries: signatures reaching a
// threshold move the version on while staff act.
const maxUpdateTries = 5

// update loads a petition, applies fn and stores it with compare-and-set,
// retrying when a concurrent write won.
func (s *Service) update(ctx context.Context, id string, fn func(*feedback.Petition, time.Time) ([]feedback.Event, error), actor string) (*feedback.Petition, []feedback.Event, error) {
	for try := 1; ; try++ {
		p, err := s.store.Petition(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		now := s.cfg.Now().UTC()
		evs, err := fn(p, now)
		if err != nil {
			return nil, nil, err
		}
		for i := range evs {
			e := &evs[i]
			e.PetitionID, e.Actor, e.At = p.ID, actor, now
			if e.UnitID == "" {
				e.UnitID = p.Unit
			}
		}
		p.UpdatedAt = now
		appended, err := s.store.UpdatePetition(ctx, p, evs)
		if feedback.ErrorCode(err) == feedback.ECONFLICT && try < maxUpdateTries {
			continue
		}
		return p, appended, err
	}
}
