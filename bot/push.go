package bot

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/feedback"
	"phananh/live"
)

// Consumer names: the checkpoints of the two pushes in the store. Keep
// them stable; renaming one replays (up to MaxEventAge of) history.
const (
	CitizenConsumer = "telegram"
	StaffConsumer   = "telegram_staff"
)

// pushAttempts bounds the retries of one push (about two hours with the
// consumer's backoff), so a chat Telegram keeps failing on cannot hold the
// stream back for ever.
const pushAttempts = 30

// pusher runs the two checkpointed consumers: status changes and public
// replies to the citizen's chat, and routing alerts to units' groups.
type pusher struct {
	b         *Bot
	consumers []*live.Consumer
}

func newPusher(b *Bot, poll time.Duration) *pusher {
	p := &pusher{b: b}
	opts := func(wanted func(feedback.Event) bool) live.ConsumerOptions {
		// Stale events are filtered out before the consumer claims them, so
		// a first start on a long log costs no state writes.
		filter := func(e feedback.Event) bool { return wanted(e) && !p.stale(e) }
		return live.ConsumerOptions{Filter: filter, PollInterval: poll, MaxAttempts: pushAttempts, Logger: b.log, Now: b.now}
	}
	p.consumers = []*live.Consumer{
		live.NewConsumer(CitizenConsumer, b.store, b.store, p.citizen, opts(citizenEvent)),
		live.NewConsumer(StaffConsumer, b.store, b.store, p.staff, opts(staffEvent)),
	}
	return p
}

// run runs the consumers until ctx ends.
func (p *pusher) run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, c := range p.consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Run(ctx); err != nil {
				p.b.log.Error("telegram: push consumer stopped", slog.String("error", err.Error()))
			}
		}()
	}
	wg.Wait()
	return nil
}

func (p *pusher) publish(events []feedback.Event) {
	for _, c := range p.consumers {
		c.Publish(events)
	}
}

// citizenEvent selects what the citizen hears about: public status changes
// after the first routing (the reply to the filing already said where the
// report went), and public replies; not what the citizen did themselves.
func citizenEvent(e feedback.Event) bool {
	switch {
	case !e.Public || e.ReportID == "" || e.Actor == feedback.ActorCitizen:
		return false
	case e.Type == feedback.EventPublicReply:
		return true
	case e.Type == feedback.EventStatusChanged:
		return !(e.From == feedback.StatusReceived && e.Actor == feedback.ActorSystem)
	}
	return false
}

// staffEvent selects routings: a report arriving at a unit (first routing,
// triage decision, transfer).
func staffEvent(e feedback.Event) bool {
	return e.Type == feedback.EventStatusChanged && e.ReportID != "" && e.Data["unit"] != "" &&
		(e.To == feedback.StatusAssigned || e.To == feedback.StatusTriage)
}

// citizen pushes one event to the reporter's chat. A chat that blocked
// the bot is marked and skipped from then on; the event counts as done.
func (p *pusher) citizen(ctx context.Context, e feedback.Event) error {
	b := p.b
	r, err := b.store.ReportByID(ctx, e.ReportID)
	if notFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	chat := r.Reporter.TelegramChatID
	if chat == 0 {
		return nil
	}
	if isb, err := b.isBlocked(ctx, chat); err != nil || isb {
		return err
	}
	lang := langOf(r.Reporter.Language)
	msg := tgbotapi.NewMessage(chat, truncate(p.citizenText(lang, r, e), maxMessageLen))
	msg.DisableWebPagePreview = true
	if b.citizen != nil && e.Type == feedback.EventStatusChanged && (e.To == feedback.StatusResolved || e.To == feedback.StatusClosed) && r.Rating == 0 {
		if _, err := b.store.State(ctx, nsToken, tokenKey(chat, r.Code)); err == nil {
			msg.ReplyMarkup = closureKeyboard(lang, r.Code, e.To == feedback.StatusResolved)
		}
	}
	return p.deliver(ctx, msg, chat, r.Code, true)
}

// citizenText words one event for the citizen.
func (p *pusher) citizenText(lang string, r *feedback.Report, e feedback.Event) string {
	var s string
	if e.Type == feedback.EventPublicReply {
		s = tr(lang, "push_reply", r.Code, truncate(e.Text, summaryTextMax))
	} else {
		label := statusText(lang, e.To)
		if u, ok := p.b.city.Unit(e.Data["unit"]); ok && e.To == feedback.StatusAssigned {
			label += " — " + u.Name
		}
		s = tr(lang, "push_status", r.Code, label)
		if e.Text != "" && e.Text != e.To.Label() && !strings.HasPrefix(e.Text, e.To.Label()+":") {
			s += "\n" + truncate(e.Text, summaryTextMax)
		}
	}
	s += "\n\n" + tr(lang, "push_link", p.b.link(r.Code))
	if e.Type == feedback.EventStatusChanged && e.To == feedback.StatusResolved {
		s += "\n\n" + tr(lang, "push_resolved")
	}
	return s
}

// deliver sends a push. 403 means nobody can be reached there: a
// citizen's chat is marked blocked, and the event is done either way, so
// errors do not pile up. A 400 is permanent too. Others are retried by
// the consumer.
func (p *pusher) deliver(ctx context.Context, msg tgbotapi.Chattable, chat int64, code string, citizen bool) error {
	b := p.b
	_, err := b.send.send(ctx, msg)
	switch {
	case err == nil:
		return nil
	case blocked(err):
		b.log.InfoContext(ctx, "telegram: chat blocked the bot; pushes stop", slog.String("chat_ref", b.chatRef(chat)),
			slog.String("report_code", code), slog.Bool("citizen", citizen))
		if citizen {
			return b.markBlocked(ctx, chat)
		}
		return nil
	case permanentAPIError(err):
		return live.Permanent(err)
	}
	return err
}

// stale reports an event too old to push (a first start on an old log).
func (p *pusher) stale(e feedback.Event) bool {
	return !e.At.IsZero() && p.b.now().Sub(e.At) > p.b.maxAge
}

// truncate cuts s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
