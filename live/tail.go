package live

import (
	"context"
	"log/slog"
	"time"

	"phananh/feedback"
)

// tailer reads the durable event log in sequence order and decides which
// events may be handed on. It hides the one hard part of tailing a log
// written by several processes: with MongoDB a sequence number is allocated
// before its transaction commits, so seq N+2 can become visible while N+1 is
// still in flight. The tailer never hands on an event while a lower sequence
// number is missing, unless the missing number has stayed missing for grace
// since the first higher event was seen; then it is presumed burned (a
// failed write) and skipped. An event that commits more than grace after a
// higher one became visible is therefore not handed on by this tailer; grace
// is that documented bound.
type tailer struct {
	store feedback.EventStore
	last  int64 // highest sequence handed on
	grace time.Duration
	batch int
	now   func() time.Time
	log   *slog.Logger
	// seenAt records when each visible but not yet handed-on event was
	// first read; it is what a gap's grace period is measured from.
	seenAt map[int64]time.Time
}

func newTailer(store feedback.EventStore, after int64, grace time.Duration, batch int, now func() time.Time, log *slog.Logger) *tailer {
	return &tailer{store: store, last: after, grace: grace, batch: batch, now: now, log: log, seenAt: map[int64]time.Time{}}
}

// next reads the events after the last one handed on and returns those that
// may be handed on now, in order. waiting reports that a gap holds events
// back (poll again soon); full reports that the read filled a whole batch
// (read again at once).
func (t *tailer) next(ctx context.Context) (out []feedback.Event, waiting, full bool, err error) {
	evs, err := t.store.Events(ctx, feedback.EventFilter{AfterSeq: t.last, Limit: t.batch})
	if err != nil {
		return nil, false, false, err
	}
	now := t.now()
	for _, e := range evs {
		if _, ok := t.seenAt[e.Seq]; !ok {
			t.seenAt[e.Seq] = now
		}
	}
	for i, e := range evs {
		if e.Seq <= t.last {
			continue // a store that ignores AfterSeq must not cause repeats
		}
		if e.Seq != t.last+1 {
			if now.Sub(t.seenAt[e.Seq]) < t.grace {
				waiting = true
				break
			}
			t.log.Warn("live: skipping missing event sequence numbers",
				"from_seq", t.last+1, "to_seq", e.Seq-1, "grace", t.grace)
		}
		out = append(out, evs[i])
		t.last = e.Seq
	}
	for seq := range t.seenAt {
		if seq <= t.last {
			delete(t.seenAt, seq)
		}
	}
	return out, waiting, !waiting && len(evs) >= t.batch, nil
}
