// Package sla runs the background job that watches deadlines: it marks
// open reports overdue, escalates them to the unit's manager (level 1) and
// later to the chairman's office (level 2), and closes resolved reports the
// citizen has not answered within the city's auto-close period.
//
// Every step is recorded on the report itself (EscalationLevel, Status)
// with compare-and-set, together with its events, so the job is idempotent:
// a restart, a second instance or a repeated tick never escalates twice.
package sla

import (
	"context"
	"log/slog"
	"time"

	"phananh/city"
	"phananh/feedback"
)

// Escalation levels.
const (
	LevelNone     = 0
	LevelManager  = 1 // the unit's manager
	LevelChairman = 2 // the chairman's office
)

// Config tunes the job; zero fields take the defaults in brackets.
type Config struct {
	Interval  time.Duration      // [1m] between passes
	Publisher feedback.Publisher // [none] receives the events written
	Now       func() time.Time   // [time.Now]
	Log       *slog.Logger       // [slog.Default()]
}

// Job is the deadline watcher.
type Job struct {
	store feedback.ReportStore
	city  *city.City
	cfg   Config
}

// New returns the job over store for the city.
func New(store feedback.ReportStore, c *city.City, cfg Config) *Job {
	if cfg.Interval <= 0 {
		cfg.Interval = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Job{store: store, city: c, cfg: cfg}
}

// Result counts what one pass did.
type Result struct {
	Overdue   int // reports newly marked overdue
	Escalated int // escalation steps taken (a report may take two)
	Closed    int // resolved reports closed automatically
}

// Run makes a pass at start and then every Interval until ctx ends, and
// returns nil then. A failed pass is logged and retried at the next tick.
func (j *Job) Run(ctx context.Context) error {
	t := time.NewTicker(j.cfg.Interval)
	defer t.Stop()
	for {
		res, err := j.Tick(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			j.cfg.Log.LogAttrs(ctx, slog.LevelError, "sla pass failed", slog.String("error", err.Error()))
		case res != (Result{}):
			j.cfg.Log.LogAttrs(ctx, slog.LevelInfo, "sla pass",
				slog.Int("overdue", res.Overdue), slog.Int("escalated", res.Escalated), slog.Int("closed", res.Closed))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// CandidateLister is a store that lists the job's work directly; without
// it the job pages through every overdue report, escalated or not, and
// every resolved report, due or not.
type CandidateLister interface {
	// EscalationCandidates returns open reports due before now whose
	// escalation level is below LevelChairman, in (DueAt, ID) order after
	// a position (zero afterDue: from the start).
	EscalationCandidates(ctx context.Context, now, afterDue time.Time, afterID string, limit int) ([]*feedback.Report, error)
	// AutoCloseCandidates returns resolved reports resolved at or before the
	// given time, longest waiting first.
	AutoCloseCandidates(ctx context.Context, resolvedBefore time.Time, limit int) ([]*feedback.Report, error)
}

// pageSize is how many reports the job reads at a time.
const pageSize = 200

// Tick makes one pass at the job's current time.
func (j *Job) Tick(ctx context.Context) (Result, error) {
	now := j.cfg.Now()
	var res Result
	escalate := func(r *feedback.Report) error { return j.escalate(ctx, r, now, &res) }
	cl, listed := j.store.(CandidateLister)
	var err error
	if listed {
		err = j.eachCandidate(ctx, cl, now, escalate)
	} else {
		err = j.each(ctx, feedback.ReportFilter{OverdueAt: now, Order: "due"}, escalate)
	}
	if err != nil || j.city.AutoCloseDays <= 0 {
		return res, err
	}
	autoClose := func(r *feedback.Report) error { return j.autoClose(ctx, r, now, &res) }
	if listed {
		return res, j.eachToClose(ctx, cl, now.AddDate(0, 0, -j.city.AutoCloseDays), autoClose, &res)
	}
	return res, j.each(ctx, feedback.ReportFilter{Status: []feedback.Status{feedback.StatusResolved}}, autoClose)
}

// eachToClose calls fn for every report due to close. Closed reports leave
// the list, so each page starts from the front; a page that closes nothing
// (lost races only) ends the pass, to be retried at the next tick.
func (j *Job) eachToClose(ctx context.Context, cl CandidateLister, before time.Time, fn func(*feedback.Report) error, res *Result) error {
	for {
		page, err := cl.AutoCloseCandidates(ctx, before, pageSize)
		if err != nil {
			return err
		}
		closed := res.Closed
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(page) < pageSize || res.Closed == closed || ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// eachCandidate calls fn for every escalation candidate, page by page.
func (j *Job) eachCandidate(ctx context.Context, cl CandidateLister, now time.Time, fn func(*feedback.Report) error) error {
	var afterDue time.Time
	var afterID string
	for {
		page, err := cl.EscalationCandidates(ctx, now, afterDue, afterID, pageSize)
		if err != nil {
			return err
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(page) < pageSize || ctx.Err() != nil {
			return ctx.Err()
		}
		last := page[len(page)-1]
		afterDue, afterID = last.DueAt, last.ID
	}
}

// each calls fn for every report matching f, page by page.
func (j *Job) each(ctx context.Context, f feedback.ReportFilter, fn func(*feedback.Report) error) error {
	f.Limit = pageSize
	for {
		page, err := j.store.FindReports(ctx, f)
		if err != nil {
			return err
		}
		for _, r := range page.Reports {
			if err := fn(r); err != nil {
				return err
			}
		}
		if page.NextCursor == "" || ctx.Err() != nil {
			return ctx.Err()
		}
		f.Cursor = page.NextCursor
	}
}
