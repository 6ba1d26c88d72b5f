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
	cp, err := in.loadCheckpoint(ctx)
	if err != nil {
		return err
	}
	if cp.UIDValidity != uidValidity {
		if cp.UIDValidity != 0 {
			// UIDs of the old generation mean nothing now: read the whole
			// mailbox again; Message-ID keys make the repeats no-ops.
			in.log.WarnContext(ctx, "mailbox: UIDVALIDITY changed; rescanning",
				slog.Uint64("old", uint64(cp.UIDValidity)), slog.Uint64("new", uint64(uidValidity)))
		}
		cp = checkpoint{UIDValidity: uidValidity}
	}
	done := guard(c, commandTimeout)
	uids, err := newUIDs(c, cp.LastUID)
	done()
	if err != nil {
		return err
	}
	for len(uids) > 0 {
		n := min(len(uids), sizeBatch)
		if err := in.batch(ctx, c, &cp, uids[:n]); err != nil {
			return err
		}
		uids = uids[n:]
	}
	return nil
}

// newUIDs returns the UIDs above last in ascending order.
func newUIDs(c *imapclient.Client, last imap.UID) ([]imap.UID, error) {
	var set imap.UIDSet
	set.AddRange(last+1, 0) // last+1:*
	data, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	// "n:*" always includes the highest UID, even when it is below n.
	uids := slices.DeleteFunc(data.AllUIDs(), func(u imap.UID) bool { return u <= last })
	slices.Sort(uids)
	return uids, nil
}

// batch processes some messages: sizes first, then each body on its own so
// that only one message is in memory at a time.
func (in *Ingestor) batch(ctx context.Context, c *imapclient.Client, cp *checkpoint, uids []imap.UID) error {
	done := guard(c, commandTimeout)
	msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	done()
	if err != nil {
		return fmt.Errorf("fetch sizes: %w", err)
	}
	sizes := map[imap.UID]int64{}
	for _, m := range msgs {
		sizes[m.UID] = m.RFC822Size
	}
	for _, uid := range uids {
		size, ok := sizes[uid]
		if ok {
			if err := in.one(ctx, c, cp.UIDValidity, uid, size); err != nil {
				return err
			}
		} // else expunged meanwhile: nothing to do
		cp.LastUID = uid
		if err := in.saveCheckpoint(ctx, *cp); err != nil {
			return err
		}
		if ok {
			in.finish(ctx, c, uid)
		}
	}
	return nil
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
	return in.proc.quarantine(ctx, messageKey("", raw), "", "processing failed", feedback.AsError(err).MessageEN)
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
