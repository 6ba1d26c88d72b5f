package live

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"phananh/feedback"
)

// HubOptions tunes a Hub; zero fields take the defaults.
type HubOptions struct {
	// QueueSize bounds each subscriber's queue (default 64 messages).
	QueueSize int
	// PollInterval is how often the store is read for events written by
	// other instances (default 250ms). Local Publish calls wake the hub at
	// once.
	PollInterval time.Duration
	// GapGrace is how long a missing sequence number is waited for once a
	// higher one is visible (default 2s); see tailer.
	GapGrace time.Duration
	// Batch is the number of events read per store call (default 500).
	Batch  int
	Logger *slog.Logger
	Now    func() time.Time
}

func (o *HubOptions) defaults() {
	if o.QueueSize <= 0 {
		o.QueueSize = 64
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 250 * time.Millisecond
	}
	if o.GapGrace <= 0 {
		o.GapGrace = 2 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Hub delivers committed events to subscribers of their topics. It is fed
// by the durable event log (Run), never by Publish alone, so delivery order
// is sequence order and every instance on a shared store sees every event.
type Hub struct {
	store feedback.EventStore
	opts  HubOptions
	wake  chan struct{}
	ready chan struct{} // closed once Run knows its start position

	mu      sync.RWMutex
	topics  map[string]map[*Subscription]struct{}
	stopped bool
	pos     atomic.Int64 // highest sequence delivered
}

var _ feedback.Publisher = (*Hub)(nil)

// NewHub returns a hub reading events from store. Call Run to start it.
func NewHub(store feedback.EventStore, opts HubOptions) *Hub {
	opts.defaults()
	return &Hub{
		store:  store,
		opts:   opts,
		wake:   make(chan struct{}, 1),
		ready:  make(chan struct{}),
		topics: map[string]map[*Subscription]struct{}{},
	}
}

// Store returns the event store the hub tails.
func (h *Hub) Store() feedback.EventStore { return h.store }

// Position returns the highest sequence number delivered so far.
func (h *Hub) Position() int64 { return h.pos.Load() }

// Publish wakes the hub to read events that were just committed. It never
// blocks; the events themselves are read back from the store, in order.
func (h *Hub) Publish(events []feedback.Event) {
	if len(events) == 0 {
		return
	}
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run tails the event log from its current end until ctx ends, then closes
// every subscription with ErrHubStopped. Store errors are logged and
// retried with backoff; Run returns nil when ctx is cancelled.
func (h *Hub) Run(ctx context.Context) error {
	start, ok := h.startPosition(ctx)
	if !ok {
		h.stop()
		return nil
	}
	h.pos.Store(start)
	close(h.ready)
	defer h.stop()
	t := newTailer(h.store, start, h.opts.GapGrace, h.opts.Batch, h.opts.Now, h.opts.Logger)
	timer := time.NewTimer(0)
	defer timer.Stop()
	var failures int
	for {
		evs, waiting, full, err := t.next(ctx)
		wait := h.opts.PollInterval
		switch {
		case err != nil && ctx.Err() == nil:
			failures++
			wait = backoff(failures, h.opts.PollInterval, 5*time.Second)
			h.opts.Logger.Error("live: reading events", "error", err, "after_seq", t.last, "retry_in", wait)
		case err == nil:
			failures = 0
			h.deliver(evs)
			if full {
				wait = 0
			} else if waiting {
				wait = min(wait, 20*time.Millisecond)
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-h.wake:
		case <-timer.C:
		}
	}
}

// startPosition reads the end of the log, retrying until it succeeds or ctx
// ends.
func (h *Hub) startPosition(ctx context.Context) (int64, bool) {
	for failures := 1; ; failures++ {
		seq, err := h.store.LastSeq(ctx)
		if err == nil {
			return seq, true
		}
		wait := backoff(failures, h.opts.PollInterval, 5*time.Second)
		h.opts.Logger.Error("live: reading last sequence", "error", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return 0, false
		case <-time.After(wait):
		}
	}
}

// backoff doubles base per failure up to max.
func backoff(failures int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < failures && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// deliver fans events out; it is only called by Run.
func (h *Hub) deliver(evs []feedback.Event) {
	if len(evs) == 0 {
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	var keys []string
	for _, e := range evs {
		var views [2]*Message // staff, public
		keys = eventKeys(keys[:0], e)
		for _, k := range keys {
			subs := h.topics[k]
			if len(subs) == 0 {
				continue
			}
			v := 0
			if isPublicKey(k) {
				v = 1
			}
			if views[v] == nil {
				m, err := encode(e, v == 1)
				if err != nil {
					h.opts.Logger.Error("live: encoding event", "error", err, "seq", e.Seq)
					break
				}
				views[v] = m
			}
			for s := range subs {
				s.push(views[v], h.opts.QueueSize)
			}
		}
		h.pos.Store(e.Seq)
	}
}

// Subscribe registers a subscription to topic. It waits until Run has
// started, then returns the subscription and the hub position at the moment
// it was registered: every event after that position will be queued on it,
// none before. notify, when not nil, is called after each queued message
// and when the subscription ends; it must not block nor call Close (it
// runs under the hub's lock). Without notify, read
// with Next. Errors: ErrHubStopped, or ctx's error.
func (h *Hub) Subscribe(ctx context.Context, topic Topic, notify func()) (*Subscription, int64, error) {
	select {
	case <-h.ready:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	s := newSubscription(h, topic, notify)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return nil, 0, ErrHubStopped
	}
	subs := h.topics[topic.Key]
	if subs == nil {
		subs = map[*Subscription]struct{}{}
		h.topics[topic.Key] = subs
	}
	subs[s] = struct{}{}
	return s, h.pos.Load(), nil
}

func (h *Hub) unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if subs := h.topics[s.topic.Key]; subs != nil {
		delete(subs, s)
		if len(subs) == 0 {
			delete(h.topics, s.topic.Key)
		}
	}
}

// Subscribers returns the number of live subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, subs := range h.topics {
		n += len(subs)
	}
	return n
}

// stop ends every subscription and refuses new ones.
func (h *Hub) stop() {
	h.mu.Lock()
	h.stopped = true
	topics := h.topics
	h.topics = map[string]map[*Subscription]struct{}{}
	h.mu.Unlock()
	select {
	case <-h.ready:
	default:
		close(h.ready)
	}
	for _, subs := range topics {
		for s := range subs {
			s.closeWith(ErrHubStopped)
		}
	}
}
