package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Per-chat rate limit: a burst covers an album of five photos and a few
// quick taps; the sustained rate is far above anyone typing by hand.
const (
	chatRate  = rate.Limit(1.0 / 3) // one update every 3 seconds...
	chatBurst = 20                  // ...after a burst of 20
	chatIdle  = 10 * time.Minute    // buckets idle this long are dropped
)

// chatLocks serialises the updates of one chat across webhook requests
// and poll workers, so a conversation never runs two steps at once.
type chatLocks struct {
	mu    sync.Mutex
	locks map[int64]*chatLock
}

type chatLock struct {
	mu   sync.Mutex
	refs int
}

func newChatLocks() *chatLocks { return &chatLocks{locks: map[int64]*chatLock{}} }

// lock locks chat and returns its unlock function.
func (c *chatLocks) lock(chat int64) func() {
	c.mu.Lock()
	l := c.locks[chat]
	if l == nil {
		l = &chatLock{}
		c.locks[chat] = l
	}
	l.refs++
	c.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		c.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(c.locks, chat)
		}
		c.mu.Unlock()
	}
}

// chatLimiter keeps a token bucket per chat. Idle buckets are swept while
// the map is written, so it needs no goroutine.
type chatLimiter struct {
	now func() time.Time

	mu        sync.Mutex
	buckets   map[int64]*chatBucket
	lastSweep time.Time
}

type chatBucket struct {
	lim    *rate.Limiter
	seen   time.Time
	warned bool // the chat was told it is too fast, since it last got through
}

func newChatLimiter(now func() time.Time) *chatLimiter {
	return &chatLimiter{now: now, buckets: map[int64]*chatBucket{}}
}

// allow reports whether chat may be served now, and whether it should be
// told it is too fast (once per run of refused updates).
func (c *chatLimiter) allow(chat int64) (ok, warn bool) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep(now)
	b := c.buckets[chat]
	if b == nil {
		b = &chatBucket{lim: rate.NewLimiter(chatRate, chatBurst)}
		c.buckets[chat] = b
	}
	b.seen = now
	if b.lim.AllowN(now, 1) {
		b.warned = false
		return true, false
	}
	warn = !b.warned
	b.warned = true
	return false, warn
}

func (c *chatLimiter) sweep(now time.Time) {
	if now.Sub(c.lastSweep) < chatIdle {
		return
	}
	c.lastSweep = now
	for id, b := range c.buckets {
		if now.Sub(b.seen) > chatIdle {
			delete(c.buckets, id)
		}
	}
}
