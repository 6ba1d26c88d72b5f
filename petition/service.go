// Package petition is the petition (kiến nghị) service: citizens create
// petitions and staff promote clusters of reports into them; supervisors
// moderate; citizens co-sign with a verified identity (an e-mail address
// confirmed through a one-time link, or a Telegram chat); thresholds from
// the city configuration oblige a unit to answer within working days; the
// official answer is delivered once to every signer.
//
// Decisions worth knowing:
//
//   - The signature count is a counter the store changes in the same
//     atomic step as the signature, together with the threshold check, so
//     a threshold is reached (and its event written) exactly once however
//     many confirmations race. A threshold stays reached when signatures
//     are later invalidated: the obligation to answer does not lapse.
//   - Staff promotion invites the reporters of the promoted reports by
//     appending a public reply to each report when the petition is
//     approved; the Telegram and mail notifiers already deliver public
//     replies to reporters, and the invitation shows on the report's
//     timeline. No contact details are copied into the petition.
//   - Petitions close lazily (a petition past its window is not signable,
//     whatever its stored status) and Run also closes them for good,
//     writing the petition_closed event, and flags answers that are late.
//   - Rate limits (per IP, per e-mail domain) are in memory, per instance.
package petition

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"golang.org/x/time/rate"

	"phananh/city"
	"phananh/feedback"
	"phananh/ratelimit"
)

// Store is what the petition service needs from persistence.
type Store interface {
	feedback.PetitionStore
	feedback.ReportStore
	feedback.EventStore
	feedback.StateStore
	feedback.PhotoStore
	feedback.AuditStore
}

// PhotoCleaner re-encodes an uploaded image without its metadata
// (photo.Clean).
type PhotoCleaner func(data []byte) (clean []byte, contentType string, err error)

// Config holds the service's collaborators and settings; zero fields take
// the defaults in brackets.
type Config struct {
	Publisher feedback.Publisher // [none]
	Mailer    Mailer             // required for e-mail signatures
	Clean     PhotoCleaner       // required for photos
	// BaseURL is PHANANH_BASE_URL; confirmation links and invitations
	// point to it.
	BaseURL string
	// TokenTTL is how long a confirmation link works [48h].
	TokenTTL time.Duration
	// IPRate/IPBurst limit signature requests per client address
	// [1 per 6s, burst 20]; DomainRate/DomainBurst per e-mail domain
	// [5 per second, burst 200]. rate.Inf disables a limit.
	IPRate, DomainRate   rate.Limit
	IPBurst, DomainBurst int
	Now                  func() time.Time // [time.Now]
	Log                  *slog.Logger     // [slog.Default()]
}

// Service is the petition service. It is safe for concurrent use.
type Service struct {
	store  Store
	city   *city.City
	cfg    Config
	ips    *ratelimit.Keyed
	domain *ratelimit.Keyed
}

// bucketIdle is how long an untouched rate-limit bucket is kept; by then
// it is full again at the default rates, so dropping it changes nothing.
const bucketIdle = 30 * time.Minute

// New returns the petition service over store for the given city.
func New(store Store, c *city.City, cfg Config) *Service {
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 48 * time.Hour
	}
	if cfg.IPRate == 0 {
		cfg.IPRate, cfg.IPBurst = rate.Every(6*time.Second), 20
	}
	if cfg.DomainRate == 0 {
		cfg.DomainRate, cfg.DomainBurst = 5, 200
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Service{
		store: store, city: c, cfg: cfg,
		ips:    ratelimit.New(cfg.IPRate, cfg.IPBurst, bucketIdle),
		domain: ratelimit.New(cfg.DomainRate, cfg.DomainBurst, bucketIdle),
	}
}

// Get returns a petition as the caller may see it: published petitions to
// anyone, pending and rejected ones only to staff. The author's contact
// is kept only for supervisors and the staff of the units responsible for
// it; everyone else gets it empty, so no view can leak it by mistake.
// Errors: ENOTFOUND.
func (s *Service) Get(ctx context.Context, by feedback.Actor, id string) (*feedback.Petition, error) {
	p, err := s.store.Petition(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.Status.Published() && !isStaff(by) {
		return nil, feedback.NotFound("petition")
	}
	if !maySeeAuthor(by, p) {
		p.Author = feedback.Contact{}
	}
	s.closeLazily(p)
	return p, nil
}

// maySeeAuthor reports whether by may read the contact of p's author.
func maySeeAuthor(by feedback.Actor, p *feedback.Petition) bool {
	if !isStaff(by) {
		return false
	}
	switch u := by.User; u.Role {
	case feedback.RoleSupervisor:
		return true
	case feedback.RoleOfficer, feedback.RoleManager:
		return u.UnitID == p.Unit || u.UnitID == p.AnswerUnit
	}
	return false
}

// List returns published petitions, newest or most signed first.
func (s *Service) List(ctx context.Context, f feedback.PetitionFilter) ([]*feedback.Petition, error) {
	f.Status = []feedback.PetitionStatus{feedback.PetitionOpen, feedback.PetitionClosed}
	ps, err := s.store.FindPetitions(ctx, f)
	for _, p := range ps {
		s.closeLazily(p)
	}
	return ps, err
}

// Count returns the confirmed signature count of a published petition
// (the counter, no counting). Errors: ENOTFOUND.
func (s *Service) Count(ctx context.Context, id string) (int, error) {
	return s.store.SignatureCount(ctx, id)
}

// closeLazily shows a petition past its window as closed before Run has
// written that down.
func (s *Service) closeLazily(p *feedback.Petition) {
	if p.Status == feedback.PetitionOpen && !p.ClosesAt.IsZero() && !s.cfg.Now().Before(p.ClosesAt) {
		p.Status, p.ClosedAt = feedback.PetitionClosed, p.ClosesAt
	}
}

func isStaff(by feedback.Actor) bool { return by.User != nil && !by.User.Disabled }

// actorOf is the event actor string of by.
func actorOf(by feedback.Actor) string {
	if id := by.ID(); id != "" && by.User != nil {
		return feedback.UserActor(id)
	}
	return feedback.ActorCitizen
}

// publish hands committed events to the fan-out.
func (s *Service) publish(evs []feedback.Event) {
	if s.cfg.Publisher != nil && len(evs) > 0 {
		s.cfg.Publisher.Publish(evs)
	}
}

// audit appends an audit entry; the action is done, so a failure is logged.
func (s *Service) audit(ctx context.Context, by feedback.Actor, action, subject string, before, after any) {
	b, _ := json.Marshal(before)
	a, _ := json.Marshal(after)
	if err := s.store.AppendAudit(ctx, by.Entry(s.cfg.Now(), action, subject, b, a)); err != nil {
		s.cfg.Log.LogAttrs(ctx, slog.LevelError, "audit append failed", slog.String("action", action),
			slog.String("petition_id", subject), slog.String("error", err.Error()))
	}
}

// due is the answer due time: workingDays on the city's working calendar.
func (s *Service) due(from time.Time, workingDays int) time.Time {
	cal := s.city.Calendar()
	return cal.Add(from, time.Duration(workingDays)*cal.DayLength())
}

// link returns an absolute URL on the public site.
func (s *Service) link(path string) string { return s.cfg.BaseURL + path }
