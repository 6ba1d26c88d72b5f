package petition

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"phananh/feedback"
)

// DefaultTickEvery is how often Run looks for petitions to close and
// answers that are late.
const DefaultTickEvery = time.Minute

// Run closes petitions whose signing window ended and flags answers past
// their due time, every tickEvery (DefaultTickEvery when zero), until ctx
// ends; it returns nil then. Errors of a tick are logged and retried at the
// next one.
func (s *Service) Run(ctx context.Context, tickEvery time.Duration) error {
	if tickEvery <= 0 {
		tickEvery = DefaultTickEvery
	}
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.LogAttrs(ctx, slog.LevelError, "petition tick failed", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// TickResult says what one Tick did.
type TickResult struct {
	Closed, Overdue int
}

// Tick closes the open petitions past their window and writes one overdue
// event per answer past its due time.
func (s *Service) Tick(ctx context.Context) (TickResult, error) {
	var res TickResult
	var open []*feedback.Petition
	for offset := 0; ; offset += 100 {
		page, err := s.store.FindPetitions(ctx, feedback.PetitionFilter{Status: []feedback.PetitionStatus{feedback.PetitionOpen, feedback.PetitionClosed}, Offset: offset, Limit: 100})
		if err != nil {
			return res, err
		}
		open = append(open, page...)
		if len(page) < 100 {
			break
		}
	}
	var errs error
	now := s.cfg.Now().UTC()
	for _, p := range open {
		if p.Status == feedback.PetitionOpen && !now.Before(p.ClosesAt) {
			errs = errors.Join(errs, s.close(ctx, p.ID, &res))
		}
		if p.Answer == nil && !p.AnswerOverdue && !p.AnswerDueAt.IsZero() && now.After(p.AnswerDueAt) {
			errs = errors.Join(errs, s.flagOverdue(ctx, p.ID, &res))
		}
	}
	return res, errs
}

func (s *Service) close(ctx context.Context, id string, res *TickResult) error {
	_, evs, err := s.update(ctx, id, func(p *feedback.Petition, now time.Time) ([]feedback.Event, error) {
		if p.Status != feedback.PetitionOpen || now.Before(p.ClosesAt) {
			return nil, errNothing
		}
		p.Status, p.ClosedAt = feedback.PetitionClosed, p.ClosesAt
		return []feedback.Event{{Type: feedback.EventPetitionClosed, Public: true}}, nil
	}, feedback.ActorSystem)
	if errors.Is(err, errNothing) {
		return nil
	}
	if err == nil {
		res.Closed++
		s.publish(evs)
	}
	return err
}

func (s *Service) flagOverdue(ctx context.Context, id string, res *TickResult) error {
	_, evs, err := s.update(ctx, id, func(p *feedback.Petition, now time.Time) ([]feedback.Event, error) {
		if p.Answer != nil || p.AnswerOverdue || p.AnswerDueAt.IsZero() || !now.After(p.AnswerDueAt) {
			return nil, errNothing
		}
		p.AnswerOverdue = true
		return []feedback.Event{{Type: feedback.EventPetitionAnswerOverdue, UnitID: p.AnswerUnit, Data: map[string]string{
			"unit": p.AnswerUnit, "level": strconv.Itoa(p.Level), "to": "chairman_office", "due_at": p.AnswerDueAt.Format(time.RFC3339)}}}, nil
	}, feedback.ActorSystem)
	if errors.Is(err, errNothing) {
		return nil
	}
	if err == nil {
		res.Overdue++
		s.publish(evs)
	}
	return err
}

// errNothing stops an update that has nothing to do.
var errNothing = errors.New("petition: nothing to do")
