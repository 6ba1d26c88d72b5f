// Package intake is the one pipeline every channel (web form, JSON API,
// Telegram bot, mailbox) submits reports through: validate, clean photos,
// classify, route, compute the due time, store the report with its first
// events atomically, and publish the events after the commit.
package intake

import (
	"context"
	"log/slog"
	"time"

	"phananh/city"
	"phananh/feedback"
)

// DefaultThreshold is the classifier confidence at or above which its
// category is trusted without a human look.
const DefaultThreshold = 0.55

// Store is what intake needs from persistence: reports with their events,
// photos, and small state entries that make "me too" idempotent.
type Store interface {
	feedback.ReportStore
	feedback.PhotoStore
	feedback.StateStore
}

// Deps are the Service's collaborators and settings.
type Deps struct {
	Store Store      // required
	City  *city.City // required
	// Classifier decides category and ward from the text. Nil means no
	// classifier: a category the citizen chose is used, and a report without
	// one goes to triage.
	Classifier feedback.Classifier
	// Publisher receives committed events; nil publishes nothing.
	Publisher feedback.Publisher
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Threshold is the minimum confidence for an automatic category;
	// 0 means DefaultThreshold.
	Threshold float64
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
}

// Service runs the intake pipeline. It is safe for concurrent use.
type Service struct {
	store     Store
	city      *city.City
	cls       feedback.Classifier
	pub       feedback.Publisher
	now       func() time.Time
	threshold float64
	log       *slog.Logger
}

// New returns a Service. It panics when Store or City is missing: that is a
// wiring bug, not a runtime condition.
func New(d Deps) *Service {
	if d.Store == nil || d.City == nil {
		panic("intake.New: Store and City are required")
	}
	s := &Service{store: d.Store, city: d.City, cls: d.Classifier, pub: d.Publisher,
		now: d.Now, threshold: d.Threshold, log: d.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.threshold <= 0 {
		s.threshold = DefaultThreshold
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// City returns the city configuration the service routes with.
func (s *Service) City() *city.City { return s.city }

// publish hands committed events to the publisher, if any.
func (s *Service) publish(events []feedback.Event) {
	if s.pub != nil && len(events) > 0 {
		s.pub.Publish(events)
	}
}

// classify runs the classifier, if any. A failing classifier never loses a
// report: the failure is logged and the report goes on unclassified.
func (s *Service) classify(ctx context.Context, in feedback.ClassifyInput) (feedback.Classification, bool) {
	if s.cls == nil {
		return feedback.Classification{}, false
	}
	c, err := s.cls.Classify(ctx, in)
	if err != nil {
		s.log.WarnContext(ctx, "classifier failed; report goes on unclassified",
			slog.String("error_code", feedback.ErrorCode(err)), slog.String("error", err.Error()))
		return feedback.Classification{}, false
	}
	return c, true
}
