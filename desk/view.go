package desk

import (
	"sync"
	"time"
)

// viewWindow is how long one report.view audit entry stands for a staff
// member's reading of a report: the live refreshes of an open report page
// (and the reload after each action) re-read it without a new entry.
const viewWindow = 10 * time.Minute

// maxViews bounds the remembered views; expired ones are swept first.
const maxViews = 50000

// views remembers the last audited view per (user, report) on this
// instance. It only thins the log: the first view in every window is
// always audited, whatever the client sends.
type views struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// first reports whether user's view of code at now needs an audit entry,
// and records it when it does.
func (v *views) first(user, code string, now time.Time) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	k := user + "\x00" + code
	if t, ok := v.last[k]; ok && now.Sub(t) < viewWindow && !now.Before(t) {
		return false
	}
	if len(v.last) >= maxViews {
		for key, t := range v.last {
			if now.Sub(t) >= viewWindow {
				delete(v.last, key)
			}
		}
		if len(v.last) >= maxViews {
			v.last = map[string]time.Time{}
		}
	}
	v.last[k] = now
	return true
}
