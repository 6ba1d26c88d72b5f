// Package ratelimit provides token buckets by key (a client address, an
// e-mail domain), shared by the adapters that throttle requests: the
// server's POST limit, the web UI's live classification and petition
// signing.
package ratelimit

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultIdle is how long an untouched bucket is kept when Keyed.Idle is
// zero; a bucket refilled by then can be dropped without changing anything.
const DefaultIdle = 10 * time.Minute

// sweepEvery bounds how often idle buckets are looked for.
const sweepEvery = time.Minute

// Keyed keeps one token bucket per key. Idle buckets are swept lazily while
// new keys arrive, so it needs no goroutine. A nil *Keyed allows
// everything.
type Keyed struct {
	rate  rate.Limit
	burst int
	idle  time.Duration

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns buckets of r tokens a second holding up to burst, dropped
// after idle without use (zero selects DefaultIdle; choose at least the
// time a bucket takes to refill). It returns nil, which allows everything,
// for rate.Inf.
func New(r rate.Limit, burst int, idle time.Duration) *Keyed {
	if r == rate.Inf {
		return nil
	}
	if idle <= 0 {
		idle = DefaultIdle
	}
	return &Keyed{rate: r, burst: burst, idle: idle, buckets: map[string]*bucket{}}
}

// Allow takes a token from key's bucket at now and reports whether there
// was one.
func (k *Keyed) Allow(key string, now time.Time) bool {
	if k == nil {
		return true
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	b := k.buckets[key]
	if b == nil {
		k.sweep(now)
		b = &bucket{lim: rate.NewLimiter(k.rate, k.burst)}
		k.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

// Len returns how many buckets are kept.
func (k *Keyed) Len() int {
	if k == nil {
		return 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.buckets)
}

// sweep drops idle buckets, at most once every sweepEvery.
func (k *Keyed) sweep(now time.Time) {
	if now.Sub(k.lastSweep) < sweepEvery {
		return
	}
	k.lastSweep = now
	for key, b := range k.buckets {
		if now.Sub(b.seen) > k.idle {
			delete(k.buckets, key)
		}
	}
}

// ClientKey is the bucket key of a client address: an IPv4 address as it
// is, an IPv6 address by its /64 network, since one subscriber commonly
// holds a whole /64 and could otherwise take a fresh bucket per request.
// Text that is not an address is its own key.
func ClientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}
