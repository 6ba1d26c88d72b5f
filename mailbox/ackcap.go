package mailbox

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"phananh/feedback"
)

// A report filed by e-mail is answered at its sender's address. A report
// filed on the web form or the API carries whatever address the form was
// given, so without a limit anyone could make the city mail a stranger,
// over and over. An address therefore gets at most maxAcksPerDay
// acknowledgements a day for such reports; a report whose acknowledgement
// is held back gets no mail at all, status changes included (its filer
// follows it on its page, with the tracking code the form showed). The
// per-client limit on POST requests bounds how fast the slots fill.
const (
	maxAcksPerDay = 5
	nsAckCap      = "mailbox.ackcap" // address hash/day/slot -> "1"
	nsMuted       = "mailbox.muted"  // report id -> "1": the report gets no mail
	mutedTTL      = 180 * 24 * time.Hour
)

// admit reports whether event e of report r may be mailed at all.
func (n *Notifier) admit(ctx context.Context, r *feedback.Report, e feedback.Event) (bool, error) {
	if r.Channel == feedback.ChannelEmail {
		return true, nil
	}
	if e.Type != feedback.EventCreated {
		_, err := n.store.State(ctx, nsMuted, r.ID)
		if feedback.ErrorCode(err) == feedback.ENOTFOUND {
			return true, nil
		}
		return false, err // muted (err nil), or the store failed
	}
	ok, err := n.claimAckSlot(ctx, r.Reporter.Email)
	if err != nil || ok {
		return ok, err
	}
	if err := n.store.PutState(ctx, nsMuted, r.ID, []byte("1"), n.now().Add(mutedTTL)); err != nil {
		return false, err
	}
	n.log.WarnContext(ctx, "mailbox: address over its daily acknowledgements; report not mailed",
		slog.String("report_code", r.Code), slog.Int("max_per_day", maxAcksPerDay))
	return false, nil
}

// claimAckSlot takes one of the address's acknowledgement slots for today
// (UTC), and reports false when all are taken. The address is stored only
// as a hash.
func (n *Notifier) claimAckSlot(ctx context.Context, addr string) (bool, error) {
	now := n.now().UTC()
	prefix := feedback.HashSecret(strings.ToLower(strings.TrimSpace(addr)))[:24] + "/" + now.Format(time.DateOnly) + "/"
	for slot := range maxAcksPerDay {
		ok, err := n.store.PutStateIfAbsent(ctx, nsAckCap, prefix+strconv.Itoa(slot), []byte("1"), now.Add(48*time.Hour))
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}
