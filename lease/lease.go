// Package lease lets one instance among several run a job that must not
// run twice at once: Telegram long polling (Telegram answers a second
// getUpdates with 409 Conflict) and the IMAP ingestor of one mailbox.
// The lease is a row in the shared store's state (feedback.StateStore)
// with an expiry; its holder renews it, and when the holder stops or dies
// another instance takes over within one TTL.
//
// The lease is an efficiency measure, not a correctness one: the jobs it
// guards are idempotent already (Telegram update ids, Message-IDs), so a
// holder that is paused past its expiry and briefly overlaps its successor
// causes no duplicate report. That is what allows renewal without
// compare-and-set: the holder reads the lease, sees itself, and rewrites it
// while at least two thirds of the TTL remain, so the lease cannot have
// expired and changed hands in between unless a store call takes that long,
// in which case the holder steps down.
package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"phananh/feedback"
)

// namespace is the state namespace of every lease.
const namespace = "lease"

// DefaultTTL is how long a lease lasts without renewal.
const DefaultTTL = 30 * time.Second

// Runner runs a job while this instance holds the lease Name.
type Runner struct {
	store  feedback.StateStore
	name   string
	holder string
	ttl    time.Duration
	log    *slog.Logger
	now    func() time.Time
}

// Options configures a Runner; zero values select the defaults.
type Options struct {
	// TTL is the lease's lifetime without renewal (DefaultTTL); it is
	// renewed every TTL/3.
	TTL time.Duration
	// Holder names this instance in the lease (default host name, process
	// id and a random suffix).
	Holder string
	// Logger receives acquisitions and losses; nil discards them.
	Logger *slog.Logger
	// Now is the clock (time.Now).
	Now func() time.Time
}

// New returns a Runner for the lease name in store.
func New(store feedback.StateStore, name string, o Options) *Runner {
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Holder == "" {
		o.Holder = defaultHolder()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Runner{store: store, name: name, holder: o.Holder, ttl: o.TTL, log: o.Logger, now: o.Now}
}

func defaultHolder() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Run waits until it holds the lease, runs job with a context that ends
// when the lease is lost or ctx ends, and goes back to waiting when the
// lease is lost. It returns when ctx ends (nil) or when job returns while
// the lease is held (job's error, or an error if job returned nil): a job
// that stops by itself is a failure for the caller to see. The lease is
// released on the way out, so that another instance takes over at once.
func (r *Runner) Run(ctx context.Context, job func(ctx context.Context) error) error {
	every := r.ttl / 3
	for {
		held, err := r.acquire(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.Warn("lease: acquire failed", "lease", r.name, "error", err)
		}
		if held {
			r.log.Info("lease acquired", "lease", r.name, "holder", r.holder)
			lost, err := r.hold(ctx, job)
			r.release()
			if !lost {
				return err
			}
			r.log.Warn("lease lost; job stopped", "lease", r.name, "holder", r.holder)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
	}
}

// hold runs job while renewing the lease. lost reports that the lease
// ended under a running job (job was cancelled and has returned); else err
// is how the job or ctx ended.
func (r *Runner) hold(ctx context.Context, job func(ctx context.Context) error) (lost bool, err error) {
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- job(jctx) }() // ends when jctx does, or by itself
	tick := time.NewTicker(r.ttl / 3)
	defer tick.Stop()
	renewed := r.now()
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return false, nil
			}
			if err == nil {
				err = errors.New("stopped unexpectedly")
			}
			return false, err
		case <-tick.C:
			ok, rerr := r.renew(ctx)
			switch {
			case rerr == nil && ok:
				renewed = r.now()
				continue
			case rerr != nil && ctx.Err() == nil:
				r.log.Warn("lease: renew failed", "lease", r.name, "error", rerr)
			}
			// Held by someone else, or unrenewable for so long that it may
			// have expired: step down.
			if (rerr == nil && !ok) || r.now().Sub(renewed) >= r.ttl*2/3 {
				cancel()
				<-done
				return ctx.Err() == nil, nil
			}
		}
	}
}

// acquire takes the lease if no live holder has it.
func (r *Runner) acquire(ctx context.Context) (bool, error) {
	return r.store.PutStateIfAbsent(ctx, namespace, r.name, []byte(r.holder), r.now().Add(r.ttl))
}

// renew extends the lease if this instance still holds it.
func (r *Runner) renew(ctx context.Context) (bool, error) {
	v, err := r.store.State(ctx, namespace, r.name)
	if feedback.ErrorCode(err) == feedback.ENOTFOUND {
		return r.acquire(ctx) // expired or swept: take it back if free
	}
	if err != nil {
		return false, err
	}
	if string(v) != r.holder {
		return false, nil
	}
	return true, r.store.PutState(ctx, namespace, r.name, []byte(r.holder), r.now().Add(r.ttl))
}

// release deletes the lease if this instance holds it. It runs on the way
// out, when the caller's ctx may be over: it has its own short deadline.
func (r *Runner) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := r.store.State(ctx, namespace, r.name)
	if err != nil || string(v) != r.holder {
		return
	}
	if err := r.store.DeleteState(ctx, namespace, r.name); err != nil {
		r.log.Warn("lease: release failed", "lease", r.name, "error", err)
	}
}
