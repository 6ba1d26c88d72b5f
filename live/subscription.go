package live

import (
	"context"
	"errors"
	"sync"
)

// Why a subscription ends. A websocket client that sees ErrSlowSubscriber
// (close code 4008) reconnects with since=<last seq it received> and misses
// nothing.
var (
	ErrSlowSubscriber = errors.New("live: subscriber fell behind; resume from the last sequence received")
	ErrHubStopped     = errors.New("live: hub stopped")
	ErrClosed         = errors.New("live: subscription closed")
)

// Subscription receives the messages of one topic from a Hub through a
// bounded queue. The hub never waits for it: when the queue is full the
// subscription is closed with ErrSlowSubscriber. Close it when done.
type Subscription struct {
	hub    *Hub
	topic  Topic
	notify func() // called without locks held after each push and on close; must not block

	mu    sync.Mutex
	queue []*Message
	err   error
	ready chan struct{} // signals Next; nil when notify was given
}

func newSubscription(h *Hub, t Topic, notify func()) *Subscription {
	s := &Subscription{hub: h, topic: t, notify: notify}
	if notify == nil {
		s.ready = make(chan struct{}, 1)
		s.notify = s.signal
	}
	return s
}

func (s *Subscription) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// Topic returns the topic the subscription watches.
func (s *Subscription) Topic() Topic { return s.topic }

// push queues m; it closes the subscription when the queue is full. Only
// the hub's delivery goroutine calls it.
func (s *Subscription) push(m *Message, limit int) {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return
	}
	if len(s.queue) >= limit {
		s.queue, s.err = nil, ErrSlowSubscriber
	} else {
		s.queue = append(s.queue, m)
	}
	s.mu.Unlock()
	s.notify()
}

// closeWith ends the subscription with err unless it already ended.
func (s *Subscription) closeWith(err error) {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return
	}
	s.queue, s.err = nil, err
	s.mu.Unlock()
	s.notify()
}

// Take appends every queued message to dst and empties the queue. Once the
// subscription has ended it returns the reason and no messages: a client
// that fell behind resumes from the store instead.
func (s *Subscription) Take(dst []*Message) ([]*Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return dst, s.err
	}
	dst = append(dst, s.queue...)
	clear(s.queue)
	s.queue = s.queue[:0]
	return dst, nil
}

// Err returns why the subscription ended, nil while it is live.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Next waits for the next message. It is for subscriptions made without a
// notify function.
func (s *Subscription) Next(ctx context.Context) (*Message, error) {
	for {
		s.mu.Lock()
		if s.err != nil {
			err := s.err
			s.mu.Unlock()
			return nil, err
		}
		if len(s.queue) > 0 {
			m := s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return m, nil
		}
		s.mu.Unlock()
		select {
		case <-s.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close unsubscribes; it is safe to call more than once.
func (s *Subscription) Close() {
	s.hub.unsubscribe(s)
	s.closeWith(ErrClosed)
}

// pending reports whether Take has something to return: messages or the
// end of the subscription.
func (s *Subscription) pending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err != nil || len(s.queue) > 0
}
