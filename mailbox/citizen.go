package mailbox

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"phananh/feedback"
)

// casAttempts bounds the compare-and-set retries when staff change a report
// while a reply is being attached.
const casAttempts = 8

// reply is a citizen's answer to one of our mails, ready to attach.
type reply struct {
	key         string
	subject     string
	text        string
	photos      []feedback.Photo
	fromReport  bool // sent from the reporter's own address
	attachments string
}

// attachReply appends a citizen_message event carrying a reply to r, unless
// an event with the same message key is there already; added reports
// whether it appended one.
//
// The event is staff-visible, not public: an e-mail arrives unmoderated and
// often carries personal data (phone numbers, neighbours' names, the full
// quoted thread), and a tracking code in a subject is enough to reach a
// report, so a stranger could otherwise write on a citizen's public
// timeline. Staff answer with a public reply, which the citizen receives.
//
// The duplicate check and the write are one compare-and-set: the check
// reads the events after reading the report's version, so an event
// appended in between moves the version and the write fails with
// ECONFLICT and is retried, seeing it.
func attachReply(ctx context.Context, st feedback.ReportStore, ev feedback.EventStore, r *feedback.Report, rp reply) (added bool, err error) {
	for range casAttempts {
		dup, err := hasMessage(ctx, ev, r.ID, rp.key)
		if err != nil || dup {
			return false, err
		}
		_, err = st.UpdateReport(ctx, r, []feedback.Event{replyEvent(r, rp)})
		if feedback.ErrorCode(err) != feedback.ECONFLICT {
			return err == nil, err
		}
		if r, err = st.ReportByID(ctx, r.ID); err != nil {
			return false, err
		}
	}
	return false, feedback.Internal(errors.New("mailbox: report kept changing while attaching a reply"))
}

func replyEvent(r *feedback.Report, rp reply) feedback.Event {
	data := map[string]string{
		"channel":       string(feedback.ChannelEmail),
		"message_key":   rp.key,
		"from_reporter": strconv.FormatBool(rp.fromReport),
	}
	if rp.subject != "" {
		data["subject"] = rp.subject
	}
	if len(rp.photos) > 0 {
		ids := make([]string, len(rp.photos))
		for i, p := range rp.photos {
			ids[i] = p.ID
		}
		data["photos"] = strings.Join(ids, ",")
	}
	if rp.attachments != "" {
		data["attachments"] = rp.attachments
	}
	return feedback.Event{
		Type: feedback.EventCitizenMessage, ReportID: r.ID, ReportCode: r.Code, UnitID: r.Unit,
		Public: false, Actor: feedback.ActorCitizen, Text: rp.text, Data: data,
	}
}

// hasMessage reports whether the report already carries a citizen message
// with the given key.
func hasMessage(ctx context.Context, ev feedback.EventStore, reportID, key string) (bool, error) {
	var after int64
	for {
		evs, err := ev.Events(ctx, feedback.EventFilter{ReportID: reportID, AfterSeq: after, Limit: 1000})
		if err != nil {
			return false, err
		}
		for _, e := range evs {
			if e.Type == feedback.EventCitizenMessage && e.Data["message_key"] == key {
				return true, nil
			}
		}
		if len(evs) < 1000 {
			return false, nil
		}
		after = evs[len(evs)-1].Seq
	}
}
