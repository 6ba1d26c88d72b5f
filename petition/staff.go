package petition

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"phananh/feedback"
)

// authorize checks that by is a signed-in, enabled account with one of
// roles.
func authorize(by feedback.Actor, roles ...feedback.Role) error {
	if by.User == nil || by.User.Disabled {
		return feedback.Errorf(feedback.EUNAUTHORIZED, "Vui lòng đăng nhập.", "Please sign in.")
	}
	if !slices.Contains(roles, by.User.Role) {
		return feedback.Forbidden()
	}
	return nil
}

// Pending lists petitions awaiting moderation, oldest last. Supervisors
// only.
func (s *Service) Pending(ctx context.Context, by feedback.Actor, limit int) ([]*feedback.Petition, error) {
	if err := authorize(by, feedback.RoleSupervisor); err != nil {
		return nil, err
	}
	return s.store.FindPetitions(ctx, feedback.PetitionFilter{Status: []feedback.PetitionStatus{feedback.PetitionPending}, Limit: limit})
}

// Answer publishes the official answer on a published petition; every
// signer is told once (AnswerDelivery). Supervisors, and the managers and
// officers of the unit that must answer, may answer; answering again
// replaces the text but notifies nobody again.
// Errors: EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, EINVALID.
func (s *Service) Answer(ctx context.Context, by feedback.Actor, id, text string) (*feedback.Petition, error) {
	if err := authorize(by, feedback.RoleSupervisor, feedback.RoleManager, feedback.RoleOfficer); err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	if n := utf8.RuneCountInString(text); n < feedback.MinTextLen || n > feedback.MaxTextLen {
		return nil, feedback.FieldError("text", "Câu trả lời cần từ 10 đến 5000 ký tự.", "The answer needs 10 to 5000 characters.")
	}
	first := false
	p, evs, err := s.update(ctx, id, func(p *feedback.Petition, now time.Time) ([]feedback.Event, error) {
		if !p.Status.Published() {
			return nil, feedback.NotFound("petition")
		}
		if u := by.User; u.Role.UnitScoped() && u.UnitID != p.Unit && u.UnitID != p.AnswerUnit {
			return nil, feedback.Forbidden()
		}
		first = p.Answer == nil
		p.Answer = &feedback.PetitionAnswer{Text: text, UnitID: answeringUnit(by, p), By: by.ID(), At: now}
		if !first {
			return nil, nil
		}
		return []feedback.Event{{Type: feedback.EventPetitionAnswered, Public: true, Text: text,
			Data: map[string]string{"unit": p.Answer.UnitID}}}, nil
	}, actorOf(by))
	if err != nil {
		return nil, err
	}
	s.audit(ctx, by, "petition.answer", id, nil, map[string]any{"first": first, "unit": p.Answer.UnitID})
	s.publish(evs)
	return p, nil
}

func answeringUnit(by feedback.Actor, p *feedback.Petition) string {
	switch {
	case by.User.UnitID != "":
		return by.User.UnitID
	case p.AnswerUnit != "":
		return p.AnswerUnit
	}
	return p.Unit
}

// InvalidateInput selects signatures to invalidate in bulk.
type InvalidateInput struct {
	EmailDomain string
	IP          string
	From, Until time.Time
	Reason      string
}

// Invalidated is the outcome of a bulk invalidation.
type Invalidated struct {
	Removed int `json:"removed"`
	Count   int `json:"count"`
}

// Invalidate marks the selected signatures of a petition invalid (by
// e-mail domain, client address or time window), corrects the count and
// writes an audit entry. Supervisors only.
// Errors: EUNAUTHORIZED, EFORBIDDEN, EINVALID, ENOTFOUND.
func (s *Service) Invalidate(ctx context.Context, by feedback.Actor, id string, in InvalidateInput) (Invalidated, error) {
	if err := authorize(by, feedback.RoleSupervisor); err != nil {
		return Invalidated{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		return Invalidated{}, feedback.FieldError("reason", "Vui lòng nêu lý do hủy chữ ký.", "Please give a reason.")
	}
	sel := feedback.SignatureSelector{IP: strings.TrimSpace(in.IP), From: in.From, Until: in.Until}
	if d := strings.TrimSpace(in.EmailDomain); d != "" {
		sel.EmailDomain = canonicalDomain(strings.ToLower(strings.TrimPrefix(d, "@")))
	}
	removed, count, evs, err := s.store.InvalidateSignatures(ctx, id, sel, s.cfg.Now().UTC())
	if err != nil {
		return Invalidated{}, err
	}
	s.audit(ctx, by, "petition.invalidate_signatures", id,
		map[string]any{"count": count + removed},
		map[string]any{"count": count, "removed": removed, "email_domain": sel.EmailDomain, "ip": sel.IP,
			"from": sel.From, "until": sel.Until, "reason": in.Reason})
	s.publish(evs)
	return Invalidated{Removed: removed, Count: count}, nil
}

// invite tells the reporters of a promoted petition's reports about it, as
// a public reply on each report (delivered by the notifiers). Failures are
// logged: the approval stands.
func (s *Service) invite(ctx context.Context, by feedback.Actor, p *feedback.Petition) {
	text := "Phản ánh của bạn cùng nhiều phản ánh tương tự đã được tổng hợp thành kiến nghị «" + p.Title +
		"». Bạn có thể ký ủng hộ tại " + s.link("/petitions/"+p.ID)
	var evs []feedback.Event
	for _, code := range p.SourceReports {
		r, err := s.store.Report(ctx, code)
		if err != nil {
			s.cfg.Log.LogAttrs(ctx, slog.LevelError, "petition invitation skipped", slog.String("report_code", code), slog.String("error", err.Error()))
			continue
		}
		evs = append(evs, feedback.Event{Type: feedback.EventPublicReply, ReportID: r.ID, ReportCode: r.Code,
			UnitID: r.Unit, Public: true, Actor: actorOf(by), Text: text, At: s.cfg.Now().UTC(),
			Data: map[string]string{"invitation": p.ID}})
	}
	if len(evs) == 0 {
		return
	}
	appended, err := s.store.AppendEvents(ctx, evs)
	if err != nil {
		s.cfg.Log.LogAttrs(ctx, slog.LevelError, "petition invitations failed", slog.String("petition_id", p.ID), slog.String("error", err.Error()))
		return
	}
	s.publish(appended)
}
