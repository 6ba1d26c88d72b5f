package auth

import (
	"context"
	"log/slog"
	"time"
)

// sweepEvery is how often Run removes dead sessions and old failures.
const sweepEvery = 10 * time.Minute

// Run removes expired sessions and login failures older than the
// throttling window, at start and every ten minutes, until ctx ends; it
// returns nil then. Failures are logged and retried at the next sweep.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		s.Sweep(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Sweep does one round of Run's housekeeping.
func (s *Service) Sweep(ctx context.Context) {
	now := s.cfg.Now()
	n, err := s.store.DeleteExpiredSessions(ctx, now, now.Add(-s.cfg.IdleTimeout))
	if err == nil {
		err = s.store.ClearLoginFailures(ctx, "", now.Add(-s.cfg.FailureWindow))
	}
	if err != nil && ctx.Err() == nil {
		s.cfg.Log.LogAttrs(ctx, slog.LevelError, "auth sweep failed", slog.String("error", err.Error()))
		return
	}
	if n > 0 {
		s.cfg.Log.LogAttrs(ctx, slog.LevelDebug, "expired sessions removed", slog.Int64("sessions", n))
	}
}
