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

// Tick makes one pass at the job's current time.
func (j *Job) Tick(ctx context.Context) (Result, error) {
	now := j.cfg.Now()
	var res Result
	err := j.each(ctx, feedback.ReportFilter{OverdueAt: now, Order: "due"}, func(r *feedback.Report) error {
		return j.escalate(ctx, r, now, &res)
	})
	if err != nil {
		return res, err
	}
	err = j.each(ctx, feedback.ReportFilter{Status: []feedback.Status{feedback.StatusResolved}}, func(r *feedback.Report) error {
		return j.autoClose(ctx, r, now, &res)
	})
	return res, err
}

// each calls fn for every report matching f, page by page.
func (j *Job) each(ctx context.Context, f feedback.ReportFilter, fn func(*feedback.Report) error) error {
	f.Limit = 200
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
