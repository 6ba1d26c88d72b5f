package webui

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits of the live category suggestion: a citizen typing triggers about
// one request a second; a script hammering the classifier does not get far.
const (
	classifyRate  = rate.Limit(2)
	classifyBurst = 20
	// maxLimiters bounds the per-address map; when full it starts afresh,
	// which at worst lets a burst through once.
	maxLimiters = 10000
)

// ipLimiter is a token bucket per client address.
type ipLimiter struct {
	mu    sync.Mutex
	r     rate.Limit
	burst int
	now   func() time.Time
	m     map[string]*rate.Limiter
}

func newIPLimiter(r rate.Limit, burst int, now func() time.Time) *ipLimiter {
	return &ipLimiter{r: r, burst: burst, now: now, m: map[string]*rate.Limiter{}}
}

func (l *ipLimiter) allow(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.m[ip]
	if !ok {
		if len(l.m) >= maxLimiters {
			l.m = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(l.r, l.burst)
		l.m[ip] = lim
	}
	return lim.AllowN(l.now(), 1)
}
