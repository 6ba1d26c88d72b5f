package live

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"phananh/feedback"
)

// Handler performs a consumer's side effect for one event: send a Telegram
// message, an e-mail... Return Permanent(err) for failures that retrying
// cannot fix (the citizen blocked the bot, the address bounced); any other
// error is retried with backoff. Errors are logged, so they must not carry
// personal data.
type Handler func(ctx context.Context, e feedback.Event) error

// ConsumerOptions tunes a Consumer; zero fields take the defaults.
type ConsumerOptions struct {
	// Filter selects the events to handle; nil handles every event.
	Filter func(feedback.Event) bool
	// PollInterval is how often the log is read when nothing woke the
	// consumer (default 500ms).
	PollInterval time.Duration
	// GapGrace is how long a missing sequence number is waited for (default
	// 10s; see tailer). Notifications can afford a longer wait than screens.
	GapGrace time.Duration
	// ClaimTTL is how long a claim on an event shuts out other instances;
	// a claim left by a crashed process expires after it (default 5m).
	ClaimTTL time.Duration
	// HandlerTimeout bounds one handler call (default 1m, at most ClaimTTL/2).
	HandlerTimeout time.Duration
	// OutcomeTTL is how long outcomes are kept (default 30 days).
	OutcomeTTL time.Duration
	// MaxAttempts marks an event failed after that many transient errors;
	// 0 (the default) retries until it succeeds, holding the stream back.
	MaxAttempts int
	// RetryMin and RetryMax bound the backoff (defaults 1s and 5m).
	RetryMin, RetryMax time.Duration
	Batch              int
	Logger             *slog.Logger
	Now                func() time.Time
}

func (o *ConsumerOptions) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.PollInterval, 500*time.Millisecond)
	def(&o.GapGrace, 10*time.Second)
	def(&o.ClaimTTL, 5*time.Minute)
	def(&o.HandlerTimeout, time.Minute)
	o.HandlerTimeout = min(o.HandlerTimeout, o.ClaimTTL/2)
	def(&o.OutcomeTTL, 30*24*time.Hour)
	def(&o.RetryMin, time.Second)
	def(&o.RetryMax, 5*time.Minute)
	if o.Batch <= 0 {
		o.Batch = 200
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Consumer feeds the event log to a Handler with a durable checkpoint, so
// that a restart neither loses nor repeats a side effect.
//
// Per event it (1) skips it if an outcome is recorded; (2) claims it with
// PutStateIfAbsent under a lease (ClaimTTL), so that of several instances
// running the same consumer exactly one handles it; (3) records that an
// attempt started; (4) calls the handler; (5) records the outcome. The
// checkpoint advances after each batch and on shutdown; events between the
// checkpoint and a crash are skipped on restart through their outcomes.
//
// The one remaining window: a crash after the side effect and before its
// outcome is written (a few milliseconds). After ClaimTTL the event is
// handled again, and the handler sees Delivery.Redelivery=true so it can
// choose: a notifier that prefers at-most-once skips it, one that prefers
// at-least-once sends again (default behaviour of a handler that ignores it).
type Consumer struct {
	name   string
	ns     string
	events feedback.EventStore
	state  feedback.StateStore
	handle Handler
	opts   ConsumerOptions
	wake   chan struct{}
}

var _ feedback.Publisher = (*Consumer)(nil)

// NewConsumer returns a consumer named name (the checkpoint and state key;
// keep it stable, e.g. "telegram", "mail").
func NewConsumer(name string, events feedback.EventStore, state feedback.StateStore, h Handler, opts ConsumerOptions) *Consumer {
	opts.defaults()
	return &Consumer{
		name: name, ns: "live.consumer." + name, events: events, state: state,
		handle: h, opts: opts, wake: make(chan struct{}, 1),
	}
}

// Publish wakes the consumer to read just-committed events; it never
// blocks, so a Consumer can sit behind any feedback.Publisher fan-out.
func (c *Consumer) Publish(events []feedback.Event) {
	if len(events) == 0 {
		return
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Run handles events after the checkpoint until ctx ends; it returns nil
// then. Store errors are logged and retried.
func (c *Consumer) Run(ctx context.Context) error {
	start, ok := c.checkpoint(ctx)
	if !ok {
		return nil
	}
	log := c.opts.Logger.With("consumer", c.name)
	t := newTailer(c.events, start, c.opts.GapGrace, c.opts.Batch, c.opts.Now, log)
	done := start // every event up to done is handled or filtered out
	defer func() { c.save(ctx, done) }()
	failures := 0
	for {
		evs, waiting, full, err := t.next(ctx)
		wait := c.opts.PollInterval
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			failures++
			wait = backoff(failures, c.opts.PollInterval, 30*time.Second)
			log.Error("live: consumer reading events", "error", err, "retry_in", wait)
		} else {
			failures = 0
			for _, e := range evs {
				if c.opts.Filter == nil || c.opts.Filter(e) {
					if !c.process(ctx, log, e) {
						return nil
					}
				}
				done = e.Seq
			}
			if len(evs) > 0 {
				c.save(ctx, done)
			}
			if full {
				wait = 0
			} else if waiting {
				wait = min(wait, 50*time.Millisecond)
			}
		}
		if !sleep(ctx, wait, c.wake) {
			return nil
		}
	}
}

// sleep waits for d or a wake-up; it reports false when ctx ended.
func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-wake:
	case <-t.C:
	}
	return true
}

func (c *Consumer) checkpoint(ctx context.Context) (int64, bool) {
	for failures := 1; ; failures++ {
		seq, err := c.events.Checkpoint(ctx, c.name)
		if err == nil {
			return seq, true
		}
		wait := backoff(failures, c.opts.PollInterval, 30*time.Second)
		c.opts.Logger.Error("live: reading consumer checkpoint", "consumer", c.name, "error", err, "retry_in", wait)
		if !sleep(ctx, wait, nil) {
			return 0, false
		}
	}
}

// save records the checkpoint even while shutting down.
func (c *Consumer) save(ctx context.Context, seq int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := c.events.SaveCheckpoint(ctx, c.name, seq); err != nil {
		c.opts.Logger.Error("live: saving consumer checkpoint", "consumer", c.name, "seq", seq, "error", err)
	}
}

// Permanent marks a handler error as final: the event is recorded as
// failed and the stream moves on.
func Permanent(err error) error { return &permanentError{err} }

type permanentError struct{ err error }

func (e *permanentError) Error() string { return "permanent: " + e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
