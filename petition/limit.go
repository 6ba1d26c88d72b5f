package petition

import (
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// bucketIdle is how long an untouched bucket is kept; by then it is full
// again, so dropping it changes nothing.
const bucketIdle = 30 * time.Minute

// limiter is a set of token buckets by key (client address, e-mail
// domain), with idle buckets swept so that memory stays bounded.
type limiter struct {
	rate  rate.Limit
	burst int

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// newLimiter returns a limiter; nil (which allows everything) for rate.Inf.
func newLimiter(r rate.Limit, burst int) *limiter {
	if r == rate.Inf {
		return nil
	}
	return &limiter{rate: r, burst: burst, buckets: map[string]*bucket{}}
}

// allow takes a token from key's bucket at now.
func (l *limiter) allow(key string, now time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		l.sweep(now)
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if now.Sub(b.seen) > bucketIdle {
			delete(l.buckets, k)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
