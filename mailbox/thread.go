package mailbox

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"phananh/feedback"
)

// State namespaces of this package.
const (
	nsThread     = "mailbox.thread"     // our outgoing Message-ID -> report code
	nsToken      = "mailbox.token"      // report id -> reporter token, until the acknowledgement is sent
	nsCheckpoint = "mailbox.checkpoint" // mailbox name -> checkpoint JSON
	nsDone       = "mailbox.done"       // message key -> outcome, for quick skips and quarantine
)

// threadTTL is how long a reply to one of our mails still finds its
// report by Message-ID; the subject tag works forever.
const threadTTL = 3 * 365 * 24 * time.Hour

// subjectTag matches the tracking tag we put in every subject.
var subjectTag = regexp.MustCompile(`(?i)\[\s*PA[-: ]?([0-9A-Z]{4}[- ]?[0-9A-Z]{4})\s*\]`)

// ourMessageID matches the Message-IDs the Notifier generates.
var ourMessageID = regexp.MustCompile(`^pa\.([0-9A-Z]{8})\.[0-9]+@(.+)$`)

// SubjectTag returns the tag that marks a report in e-mail subjects.
func SubjectTag(code string) string { return "[PA-" + code + "]" }

// MessageID returns the deterministic Message-ID (without brackets) of the
// mail about one event of a report, so that a retried send is recognisable
// as the same message.
func MessageID(code string, seq int64, domain string) string {
	return fmt.Sprintf("pa.%s.%d@%s", code, seq, domain)
}

// codeFromSubject returns the tracking code in a subject's tag, "" when
// none.
func codeFromSubject(s string) string {
	m := subjectTag.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return feedback.NormalizeCode(m[1])
}

// threader finds the report a reply belongs to.
type threader struct {
	store  feedback.Store
	domain string // of our From address
}

// find returns the report a message answers; ok is false when it answers
// none. It tries the Message-IDs it refers to (our mapping, then our own
// ID format) before the subject tag.
func (t *threader) find(ctx context.Context, m *Message) (r *feedback.Report, ok bool, err error) {
	refs := append(slices.Clone(m.InReplyTo), reversed(m.References)...)
	for _, id := range refs {
		code, err := t.codeFor(ctx, id)
		if err != nil {
			return nil, false, err
		}
		if r, ok, err := t.report(ctx, code); ok || err != nil {
			return r, ok, err
		}
	}
	return t.report(ctx, codeFromSubject(m.Subject))
}

func (t *threader) codeFor(ctx context.Context, id string) (string, error) {
	v, err := t.store.State(ctx, nsThread, id)
	switch feedback.ErrorCode(err) {
	case "":
		return string(v), nil
	case feedback.ENOTFOUND:
	default:
		return "", err
	}
	if mm := ourMessageID.FindStringSubmatch(id); mm != nil && strings.EqualFold(mm[2], t.domain) {
		return mm[1], nil
	}
	return "", nil
}

// report returns the report with code; ok is false when there is none.
func (t *threader) report(ctx context.Context, code string) (*feedback.Report, bool, error) {
	if code == "" {
		return nil, false, nil
	}
	r, err := t.store.Report(ctx, code)
	if feedback.ErrorCode(err) == feedback.ENOTFOUND {
		return nil, false, nil
	}
	return r, err == nil, err
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}
