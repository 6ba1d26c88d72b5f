package intake

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"phananh/feedback"
	"phananh/photo"
)

// codeAttempts bounds the retries on a tracking-code collision (40 random
// bits: a collision is already rare; five in a row means a bug).
const codeAttempts = 5

// Submit validates a submission, stores it as a new report with its first
// events and publishes them. A submission whose idempotency key was seen
// before returns the existing report with Created false and nothing is
// written. Nothing is stored when a submission is rejected (photos are
// cleaned before any is stored).
//
// Errors: EINVALID (field named), ETOOLARGE (photos), and the store's
// errors (EUNAVAILABLE, EINTERNAL).
func (s *Service) Submit(ctx context.Context, sub Submission) (Receipt, error) {
	sub, err := s.validate(sub)
	if err != nil {
		return Receipt{}, err
	}
	cleaned, err := cleanPhotos(sub.Photos)
	if err != nil {
		return Receipt{}, err
	}
	d := s.decide(ctx, sub)
	photos, err := s.putPhotos(ctx, cleaned)
	if err != nil {
		return Receipt{}, err
	}
	token, hash := feedback.NewSecret()
	r := s.newReport(sub, d, photos, hash)
	stored, created, appended, err := s.create(ctx, r, d)
	if err != nil {
		return Receipt{}, err
	}
	if !created {
		return Receipt{Report: stored}, nil
	}
	s.publish(appended)
	s.log.InfoContext(ctx, "report received", slog.String("report_code", stored.Code),
		slog.String("channel", string(stored.Channel)), slog.String("category", stored.Category),
		slog.String("ward", stored.Ward), slog.String("unit_id", stored.Unit),
		slog.String("status", string(stored.Status)), slog.Int("photos", len(photos)))
	return Receipt{Report: stored, ReporterToken: token, Created: true}, nil
}

type cleanPhoto struct {
	data        []byte
	contentType string
}

// cleanPhotos validates and strips every photo before any is stored.
func cleanPhotos(uploads []Upload) ([]cleanPhoto, error) {
	out := make([]cleanPhoto, 0, len(uploads))
	for _, u := range uploads {
		data, ct, err := photo.Clean(u.Data)
		if err != nil {
			return nil, err
		}
		out = append(out, cleanPhoto{data, ct})
	}
	return out, nil
}

// putPhotos stores cleaned photos before the report that references them,
// so a stored report never points at a missing photo. The same picture sent
// twice is kept once.
func (s *Service) putPhotos(ctx context.Context, photos []cleanPhoto) ([]feedback.Photo, error) {
	var out []feedback.Photo
	seen := map[string]bool{}
	for _, p := range photos {
		ph, err := s.store.PutPhoto(ctx, p.data, p.contentType)
		if err != nil {
			return nil, err
		}
		if seen[ph.ID] {
			continue
		}
		seen[ph.ID] = true
		ph.Kind = feedback.PhotoBefore
		out = append(out, ph)
	}
	return out, nil
}

func (s *Service) newReport(sub Submission, d decision, photos []feedback.Photo, tokenHash string) *feedback.Report {
	now := s.now()
	r := &feedback.Report{
		Text:     sub.Text,
		Location: feedback.Location{Lat: sub.Lat, Lng: sub.Lng, Address: sub.Address},
		Photos:   photos, Channel: sub.Channel, Reporter: sub.Reporter, Public: sub.Public,
		Category: d.category, Ward: d.ward, Unit: d.unit, Classification: d.cls,
		Status: d.status, Priority: d.priority, DueAt: s.city.Due(now, d.category, d.priority),
		ReporterTokenHash: tokenHash, CreatedAt: now, UpdatedAt: now,
	}
	if sub.IdempotencyKey != "" {
		r.IdempotencyKey = string(sub.Channel) + ":" + sub.IdempotencyKey
	}
	return r
}

// create stores the report with a fresh id and tracking code, retrying when
// the code is already taken.
func (s *Service) create(ctx context.Context, r *feedback.Report, d decision) (*feedback.Report, bool, []feedback.Event, error) {
	for range codeAttempts {
		r.ID, r.Code = feedback.NewID(), feedback.NewCode()
		stored, created, appended, err := s.store.CreateReport(ctx, r, s.firstEvents(r, d))
		if feedback.ErrorCode(err) == feedback.ECONFLICT {
			continue
		}
		return stored, created, appended, err
	}
	return nil, false, nil, feedback.Internal(errors.New("intake: no free tracking code after retries"))
}

// firstEvents are the events of a new report: created (public), classified
// (staff only: confidence and model are internal) and the routing decision
// (public). Routing is a status change received → assigned or triage, so it
// is a status_changed event like every later move (transfers use the same
// Data "unit"); consumers that follow status changes need no special case.
func (s *Service) firstEvents(r *feedback.Report, d decision) []feedback.Event {
	base := feedback.Event{ReportID: r.ID, ReportCode: r.Code, UnitID: r.Unit, At: r.CreatedAt}
	created := base
	created.Type, created.Public, created.Actor = feedback.EventCreated, true, feedback.ActorCitizen
	created.To, created.Text = feedback.StatusReceived, feedback.StatusReceived.Label()
	created.Data = map[string]string{"channel": string(r.Channel)}

	classified := base
	classified.Type, classified.Actor = feedback.EventClassified, feedback.ActorSystem
	classified.Data = map[string]string{
		"category": r.Category, "ward": r.Ward, "ward_source": d.cls.WardSource,
		"model": d.cls.Model, "predicted": d.cls.Category,
		"confidence": strconv.FormatFloat(d.cls.Confidence, 'f', 3, 64),
	}

	routed := base
	routed.Type, routed.Public, routed.Actor = feedback.EventStatusChanged, true, feedback.ActorSystem
	routed.From, routed.To = feedback.StatusReceived, r.Status
	routed.Data = map[string]string{"unit": r.Unit, "category": r.Category, "ward": r.Ward}
	routed.Text = r.Status.Label()
	if u, ok := s.city.Unit(r.Unit); ok {
		routed.Data["unit_name"] = u.Name
		if r.Status == feedback.StatusAssigned {
			routed.Text += ": " + u.Name
		}
	}
	if !r.DueAt.IsZero() {
		routed.Data["due_at"] = r.DueAt.UTC().Format(time.RFC3339)
	}
	return []feedback.Event{created, classified, routed}
}
