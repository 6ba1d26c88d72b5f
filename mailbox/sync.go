package mailbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"phananh/feedback"
)

// checkpoint is how far the mailbox has been processed: every message with
// a UID up to LastUID under UIDValidity has its outcome stored.
type checkpoint struct {
	UIDValidity uint32   `json:"uid_validity"`
	LastUID     imap.UID `json:"last_uid"`
}

// sizeBatch is how many message sizes are fetched per command.
const sizeBatch = 100

// sync processes every message after the checkpoint, in UID order.
func (in *Ingestor) sync(ctx context.Context, c *imapclient.Client, uidValidity uint32) error {
	loaded, err := in.loadCheckpoint(ctx)
	if err != nil {
		return err
	}
	first, cp := loaded.UIDValidity == 0, loaded
	if cp.UIDValidity != uidValidity {
		if !first {
			// UIDs of the old generation mean nothing now: read the whole
			// mailbox again; Message-ID keys make the repeats no-ops.
			in.log.WarnContext(ctx, "mailbox: UIDVALIDITY changed; rescanning",
				slog.Uint64("old", uint64(cp.UIDValidity)), slog.Uint64("new", uint64(uidValidity)))
		}
		cp = checkpoint{UIDValidity: uidValidity}
	}
	uids, old, err := in.pending(ctx, c, cp.LastUID, first)
	if err != nil {
		return err
	}
	if len(uids) == 0 && cp != loaded {
		return in.saveCheckpoint(ctx, cp) // an empty mailbox: the first scan is done
	}
	for len(uids) > 0 {
		n := min(len(uids), sizeBatch)
		if err := in.batch(ctx, c, &cp, uids[:n], old); err != nil {
			return err
		}
		uids = uids[n:]
	}
	return nil
}

// pending returns the UIDs after last in ascending order and, on the first
// scan of a mailbox, the set of those older than InitialLookback, which
// are passed over.
func (in *Ingestor) pending(ctx context.Context, c *imapclient.Client, last imap.UID, first bool) ([]imap.UID, map[imap.UID]bool, error) {
	defer guard(c, commandTimeout)()
	uids, err := searchUIDs(c, last, time.Time{})
	if err != nil || !first || in.cfg.InitialLookback < 0 || len(uids) == 0 {
		return uids, nil, err
	}
	since := time.Now().Add(-in.cfg.InitialLookback)
	recent, err := searchUIDs(c, last, since)
	if err != nil {
		return nil, nil, err
	}
	old := make(map[imap.UID]bool, len(uids))
	for _, u := range uids {
		old[u] = true
	}
	for _, u := range recent {
		delete(old, u)
	}
	in.log.InfoContext(ctx, "mailbox: first scan; older messages are left alone",
		slog.Time("since", since), slog.Int("recent", len(recent)), slog.Int("older", len(old)))
	return uids, old, nil
}

// searchUIDs returns the UIDs above last in ascending order, only those
// that arrived on or after since's date when it is set.
func searchUIDs(c *imapclient.Client, last imap.UID, since time.Time) ([]imap.UID, error) {
	var set imap.UIDSet
	set.AddRange(last+1, 0) // last+1:*
	data, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}, Since: since}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	// "n:*" always includes the highest UID, even when it is below n.
	uids := slices.DeleteFunc(data.AllUIDs(), func(u imap.UID) bool { return u <= last })
	slices.Sort(uids)
	return uids, nil
}

// batch processes some messages: sizes first, then each body on its own so
// that only one message is in memory at a time. UIDs in skip only move the
// checkpoint.
func (in *Ingestor) batch(ctx context.Context, c *imapclient.Client, cp *checkpoint, uids []imap.UID, skip map[imap.UID]bool) error {
	sizes, err := fetchSizes(c, slices.DeleteFunc(slices.Clone(uids), func(u imap.UID) bool { return skip[u] }))
	if err != nil {
		return err
	}
	for _, uid := range uids {
		size, ok := sizes[uid]
		if ok {
			if err := in.one(ctx, c, cp.UIDValidity, uid, size); err != nil {
				return err
			}
		} // else skipped, or expunged meanwhile: nothing to do
		cp.LastUID = uid
		if !ok && uid != uids[len(uids)-1] {
			continue // saved with the next message or at the end of the batch
		}
		if err := in.saveCheckpoint(ctx, *cp); err != nil {
			return err
		}
		if ok {
			in.finish(ctx, c, uid)
		}
	}
	return nil
}

// fetchSizes returns the sizes of the messages that still exist.
func fetchSizes(c *imapclient.Client, uids []imap.UID) (map[imap.UID]int64, error) {
	sizes := map[imap.UID]int64{}
	if len(uids) == 0 {
		return sizes, nil
	}
	defer guard(c, commandTimeout)()
	msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("fetch sizes: %w", err)
	}
	for _, m := range msgs {
		sizes[m.UID] = m.RFC822Size
	}
	return sizes, nil
}

// one processes a message up to (not including) its checkpoint.
func (in *Ingestor) one(ctx context.Context, c *imapclient.Client, uidValidity uint32, uid imap.UID, size int64) error {
	defer guard(c, messageTimeout)()
	var res Result
	var err error
	if size > in.cfg.MaxMessageBytes {
		res, err = in.proc.quarantine(ctx, fmt.Sprintf("oversize:%d:%d", uidValidity, uid), "", "too large",
			fmt.Sprintf("%d bytes", size))
	} else {
		res, err = in.process(ctx, c, uidValidity, uid)
	}
	if err != nil {
		return err
	}
	in.log.InfoContext(ctx, "mailbox: message processed", slog.Uint64("uid", uint64(uid)),
		slog.String("outcome", string(res.Outcome)), slog.String("report_code", res.ReportCode),
		slog.String("reason", res.Reason))
	if res.Outcome == OutcomeQuarantined {
		// Moved before the checkpoint: if we crash in between, the message
		// is gone from the mailbox and its event is not repeated.
		if _, err := c.Move(imap.UIDSetNum(uid), in.cfg.Quarantine).Wait(); err != nil {
			return fmt.Errorf("move to quarantine: %w", err)
		}
	}
	if in.afterProcess != nil {
		in.afterProcess(uid, res)
	}
	return nil
}

// process fetches and processes one message, quarantining it after
// maxAttempts transient failures.
func (in *Ingestor) process(ctx context.Context, c *imapclient.Client, uidValidity uint32, uid imap.UID) (Result, error) {
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return Result{}, fmt.Errorf("fetch: %w", err)
	}
	if len(msgs) == 0 {
		return Result{Outcome: OutcomeIgnored, Reason: "expunged"}, nil
	}
	raw := msgs[0].FindBodySection(section)
	res, err := in.proc.Process(ctx, raw)
	id := strconv.FormatUint(uint64(uidValidity), 10) + ":" + strconv.FormatUint(uint64(uid), 10)
	if err == nil || ctx.Err() != nil {
		delete(in.failures, id)
		return res, err
	}
	in.failures[id]++
	if in.failures[id] < maxAttempts {
		return res, err
	}
	delete(in.failures, id)
	in.log.ErrorContext(ctx, "mailbox: message keeps failing; quarantining it",
		slog.Uint64("uid", uint64(uid)), slog.String("error", err.Error()))
	return in.proc.quarantine(ctx, hashKey(raw), "", "processing failed", feedback.AsError(err).MessageEN)
}

// finish flags a processed message \Seen and moves it to the done folder.
// It runs after the checkpoint, so a failure only leaves the message
// unflagged: it is logged, not retried.
func (in *Ingestor) finish(ctx context.Context, c *imapclient.Client, uid imap.UID) {
	defer guard(c, commandTimeout)()
	set := imap.UIDSetNum(uid)
	err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
	if err == nil && in.cfg.DoneFolder != "" {
		_, err = c.Move(set, in.cfg.DoneFolder).Wait()
	}
	if err != nil && ctx.Err() == nil {
		in.log.WarnContext(ctx, "mailbox: could not flag or move a processed message",
			slog.Uint64("uid", uint64(uid)), slog.String("error", err.Error()))
	}
}

func (in *Ingestor) checkpointKey() string {
	return "imap://" + in.cfg.User + "@" + in.cfg.Addr + "/" + in.cfg.Mailbox
}

func (in *Ingestor) loadCheckpoint(ctx context.Context) (checkpoint, error) {
	var cp checkpoint
	v, err := in.state.State(ctx, nsCheckpoint, in.checkpointKey())
	switch {
	case feedback.ErrorCode(err) == feedback.ENOTFOUND:
		return cp, nil
	case err != nil:
		return cp, err
	}
	if err := json.Unmarshal(v, &cp); err != nil {
		return cp, feedback.Internal(fmt.Errorf("mailbox: checkpoint: %w", err))
	}
	return cp, nil
}

func (in *Ingestor) saveCheckpoint(ctx context.Context, cp checkpoint) error {
	v, err := json.Marshal(cp)
	if err != nil {
		return feedback.Internal(err)
	}
	return in.state.PutState(ctx, nsCheckpoint, in.checkpointKey(), v, time.Time{})
}
