package petition

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"time"

	"phananh/feedback"
	"phananh/live"
)

// TelegramSender sends a plain text message to a chat. The bot provides
// it; a chat that blocked the bot answers an error marked live.Permanent
// or carrying feedback.EFORBIDDEN.
type TelegramSender interface {
	SendText(ctx context.Context, chatID int64, text string) error
}

// AnswerConsumerName is the checkpoint name of the answer delivery.
const AnswerConsumerName = "petition-answer"

// nsAnswerSent holds one claim per (petition, signature) delivered.
const nsAnswerSent = "petition.answer"

// DeliveryDeps are the answer delivery's collaborators.
type DeliveryDeps struct {
	Store    Store          // required
	Mailer   Mailer         // nil: e-mail signers are skipped
	Telegram TelegramSender // nil: Telegram signers are skipped
	BaseURL  string
	Log      *slog.Logger
	Now      func() time.Time
	// Consumer tunes the underlying live.Consumer (poll, retries).
	Consumer live.ConsumerOptions
}

// AnswerDelivery tells every confirmed signer of a petition its official
// answer, once. It is a live.Consumer over petition_answered events, so a
// restart neither loses nor repeats the event; within an event each signer
// is claimed (StateStore.PutStateIfAbsent) before the message goes out, so
// a retried event skips the signers already told. A crash between a send
// and its claim cannot repeat it: the claim comes first. A transient send
// failure releases that signer's claim and the event is retried.
type AnswerDelivery struct {
	d        DeliveryDeps
	consumer *live.Consumer
}

// NewAnswerDelivery returns the delivery; Run it and add it to the
// publisher fan-out. It panics without a Store (a wiring bug).
func NewAnswerDelivery(d DeliveryDeps) *AnswerDelivery {
	if d.Store == nil {
		panic("petition: NewAnswerDelivery without a Store")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	a := &AnswerDelivery{d: d}
	opts := d.Consumer
	opts.Filter = func(e feedback.Event) bool { return e.Type == feedback.EventPetitionAnswered && e.PetitionID != "" }
	if opts.Logger == nil {
		opts.Logger = d.Log
	}
	a.consumer = live.NewConsumer(AnswerConsumerName, d.Store, d.Store, a.handle, opts)
	return a
}

// Run delivers answers until ctx ends; it returns nil then.
func (a *AnswerDelivery) Run(ctx context.Context) error { return a.consumer.Run(ctx) }

// Publish wakes the delivery for just-committed events; it never blocks.
func (a *AnswerDelivery) Publish(events []feedback.Event) { a.consumer.Publish(events) }

func (a *AnswerDelivery) handle(ctx context.Context, e feedback.Event) error {
	p, err := a.d.Store.Petition(ctx, e.PetitionID)
	if feedback.ErrorCode(err) == feedback.ENOTFOUND {
		return live.Permanent(fmt.Errorf("petition of event %d is gone", e.Seq))
	}
	if err != nil {
		return err
	}
	var failed error
	sent := 0
	for after := ""; ; {
		sigs, err := a.d.Store.Signatures(ctx, feedback.SignatureFilter{PetitionID: p.ID, Status: feedback.SignatureConfirmed, AfterID: after, Limit: 500})
		if err != nil {
			return err
		}
		for _, sig := range sigs {
			ok, err := a.deliver(ctx, p, e, sig)
			if ok {
				sent++
			}
			failed = errors.Join(failed, err)
		}
		if len(sigs) < 500 {
			break
		}
		after = sigs[len(sigs)-1].ID
	}
	a.d.Log.LogAttrs(ctx, slog.LevelInfo, "petition answer delivered", slog.String("petition_id", p.ID), slog.Int("signers", sent))
	return failed
}

// deliver tells one signer, once. It reports whether a message went out.
func (a *AnswerDelivery) deliver(ctx context.Context, p *feedback.Petition, e feedback.Event, sig *feedback.Signature) (bool, error) {
	send := a.sender(p, e, sig)
	if send == nil {
		return false, nil
	}
	key := p.ID + ":" + sig.ID
	claimed, err := a.d.Store.PutStateIfAbsent(ctx, nsAnswerSent, key, []byte(a.d.Now().UTC().Format(time.RFC3339)), time.Time{})
	if err != nil || !claimed {
		return false, err
	}
	err = send(ctx)
	if err == nil {
		return true, nil
	}
	code := feedback.ErrorCode(err)
	if live.IsPermanent(err) || code == feedback.EINVALID || code == feedback.EFORBIDDEN {
		a.d.Log.LogAttrs(ctx, slog.LevelWarn, "petition answer refused", slog.String("petition_id", p.ID),
			slog.String("method", sig.Method), slog.String("code", code))
		return false, nil
	}
	if derr := a.d.Store.DeleteState(context.WithoutCancel(ctx), nsAnswerSent, key); derr != nil {
		return false, errors.Join(fmt.Errorf("petition answer not sent (%s)", code), derr)
	}
	return false, fmt.Errorf("petition %s: answer not sent (%s)", p.ID, code)
}

// sender returns the send of sig's method, nil when it is not configured.
func (a *AnswerDelivery) sender(p *feedback.Petition, e feedback.Event, sig *feedback.Signature) func(context.Context) error {
	link := a.d.BaseURL + "/petitions/" + p.ID
	switch {
	case sig.Method == feedback.SignByEmail && a.d.Mailer != nil && sig.Email != "":
		msg := Mail{
			To:      mail.Address{Address: sig.Email},
			Subject: "Trả lời chính thức kiến nghị: " + truncate(p.Title, 80),
			Text:    answerText(p, e, link), AutoSubmitted: true,
		}
		return func(ctx context.Context) error { return a.d.Mailer.Send(ctx, msg) }
	case sig.Method == feedback.SignByTelegram && a.d.Telegram != nil && sig.ChatID != 0:
		text := answerText(p, e, link)
		return func(ctx context.Context) error { return a.d.Telegram.SendText(ctx, sig.ChatID, text) }
	}
	return nil
}

func answerText(p *feedback.Petition, e feedback.Event, link string) string {
	return "Kiến nghị «" + p.Title + "» mà bạn đã ký đã có trả lời chính thức:\n\n" + e.Text +
		"\n\nXem chi tiết: " + link + "\n\n(Official answer to a petition you signed; see the link above.)\n"
}
