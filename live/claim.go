package live

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"phananh/feedback"
)

// Delivery tells a handler about the call it is in; read it with
// DeliveryFrom.
type Delivery struct {
	Consumer string
	Seq      int64
	// Attempt counts calls for this event in this process, from 1.
	Attempt int
	// Redelivery reports that an earlier call for this event started and
	// recorded no outcome (a transient error, or a crash): the side effect
	// may already have happened.
	Redelivery bool
}

type deliveryKey struct{}

// DeliveryFrom returns the Delivery of a handler's context.
func DeliveryFrom(ctx context.Context) (Delivery, bool) {
	d, ok := ctx.Value(deliveryKey{}).(Delivery)
	return d, ok
}

// outcome is what is recorded once an event is handled for good.
type outcome struct {
	Result string    `json:"result"` // "done" or "failed"
	Error  string    `json:"error,omitempty"`
	At     time.Time `json:"at"`
}

// Outcome keys under the consumer's namespace: "<seq>" holds the outcome,
// "<seq>.claim" the lease, "<seq>.tried" the attempt marker.
func outcomeKey(seq int64) string { return strconv.FormatInt(seq, 10) }

// process handles one event exactly once across instances and restarts. It
// reports false only when ctx ended before the event was settled.
func (c *Consumer) process(ctx context.Context, log *slog.Logger, e feedback.Event) bool {
	key := outcomeKey(e.Seq)
	settled, ok := c.acquire(ctx, log, key)
	if !ok || settled {
		return ok
	}
	if ctx.Err() != nil {
		c.release(ctx, key)
		return false
	}
	first, err := c.state.PutStateIfAbsent(ctx, c.ns, key+".tried", []byte("1"), c.opts.Now().Add(c.opts.OutcomeTTL))
	if err != nil {
		log.Warn("live: marking attempt", "seq", e.Seq, "error", err)
	}
	d := Delivery{Consumer: c.name, Seq: e.Seq, Redelivery: err == nil && !first}
	for d.Attempt = 1; ; d.Attempt++ {
		err := c.call(ctx, e, d)
		switch {
		case err == nil:
			c.record(ctx, log, key, outcome{Result: "done"})
			return true
		case ctx.Err() != nil:
			c.release(ctx, key)
			return false
		case IsPermanent(err):
			log.Warn("live: event failed permanently", "seq", e.Seq, "type", e.Type, "error", err)
			c.record(ctx, log, key, outcome{Result: "failed", Error: err.Error()})
			return true
		case c.opts.MaxAttempts > 0 && d.Attempt >= c.opts.MaxAttempts:
			log.Error("live: event failed after retries", "seq", e.Seq, "attempts", d.Attempt, "error", err)
			c.record(ctx, log, key, outcome{Result: "failed", Error: err.Error()})
			return true
		}
		wait := backoff(d.Attempt, c.opts.RetryMin, c.opts.RetryMax)
		log.Warn("live: handler failed, retrying", "seq", e.Seq, "attempt", d.Attempt, "retry_in", wait, "error", err)
		if !sleep(ctx, wait, nil) {
			c.release(ctx, key)
			return false
		}
		d.Redelivery = true
		c.renew(ctx, log, key)
	}
}

// stopGrace is how long a handler call in flight when the consumer stops
// may go on: long enough for a message already being sent to finish and be
// recorded, so a graceful stop does not turn it into a redelivery.
const stopGrace = 5 * time.Second

// call runs the handler with its timeout and Delivery. The handler's
// context outlives ctx by up to stopGrace: stopping the consumer lets the
// call in flight finish instead of cutting a side effect off halfway.
func (c *Consumer) call(ctx context.Context, e feedback.Event, d Delivery) error {
	hctx, cancel := context.WithTimeout(context.WithValue(context.WithoutCancel(ctx), deliveryKey{}, d), c.opts.HandlerTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(stopGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-hctx.Done():
		}
	})
	defer stop()
	return c.handle(hctx, e)
}

// acquire waits until the event is either settled (an outcome exists) or
// claimed by this consumer. ok is false when ctx ended first.
func (c *Consumer) acquire(ctx context.Context, log *slog.Logger, key string) (settled, ok bool) {
	for failures := 0; ; {
		settled, claimed, err := c.tryAcquire(ctx, key)
		wait := c.opts.PollInterval // another instance holds the claim
		switch {
		case err == nil && (settled || claimed):
			return settled, true
		case err != nil && ctx.Err() == nil:
			failures++
			wait = backoff(failures, c.opts.PollInterval, 30*time.Second)
			log.Error("live: claiming event", "key", key, "error", err, "retry_in", wait)
		}
		if !sleep(ctx, wait, nil) {
			return false, false
		}
	}
}

func (c *Consumer) tryAcquire(ctx context.Context, key string) (settled, claimed bool, err error) {
	if settled, err = c.hasOutcome(ctx, key); err != nil || settled {
		return settled, false, err
	}
	claimed, err = c.state.PutStateIfAbsent(ctx, c.ns, key+".claim", []byte("1"), c.opts.Now().Add(c.opts.ClaimTTL))
	if err != nil || !claimed {
		return false, false, err
	}
	// The previous holder may have settled it between the two calls.
	if settled, err = c.hasOutcome(ctx, key); err != nil {
		c.release(ctx, key) // unsure: let the next try (or a restart) start over
	}
	return settled, err == nil && !settled, err
}

func (c *Consumer) hasOutcome(ctx context.Context, key string) (bool, error) {
	_, err := c.state.State(ctx, c.ns, key)
	if feedback.ErrorCode(err) == feedback.ENOTFOUND {
		return false, nil
	}
	return err == nil, err
}

// record writes the outcome, even while shutting down (ctx's values are
// kept, its cancellation is not): the side effect is done, and forgetting
// it is what would repeat it.
func (c *Consumer) record(ctx context.Context, log *slog.Logger, key string, o outcome) {
	o.At = c.opts.Now()
	b, _ := json.Marshal(o)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var err error
	for i := 0; i < 3; i++ {
		if err = c.state.PutState(ctx, c.ns, key, b, c.opts.Now().Add(c.opts.OutcomeTTL)); err == nil {
			_ = c.state.DeleteState(ctx, c.ns, key+".claim")
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	log.Error("live: recording outcome", "key", key, "error", err)
}

// release gives up a claim, also on shutdown, so a restart need not wait
// ClaimTTL.
func (c *Consumer) release(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = c.state.DeleteState(ctx, c.ns, key+".claim")
}

// renew extends the lease before another attempt.
func (c *Consumer) renew(ctx context.Context, log *slog.Logger, key string) {
	if err := c.state.PutState(ctx, c.ns, key+".claim", []byte("1"), c.opts.Now().Add(c.opts.ClaimTTL)); err != nil {
		log.Warn("live: renewing claim", "key", key, "error", err)
	}
}
