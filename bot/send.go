package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Limits on honouring Telegram's flood control.
const (
	maxSendAttempts = 4
	maxRetryAfter   = 5 * time.Minute
)

// sender calls the API and honours 429 retry_after: the wait applies to
// every call of the bot (Telegram's flood control is per bot), so one chat
// that hit the limit does not make the others hammer on.
type sender struct {
	api API
	now func() time.Time

	mu    sync.Mutex
	until time.Time // no call before this
}

// send sends c, waiting and retrying on 429.
func (s *sender) send(ctx context.Context, c tgbotapi.Chattable) (tgbotapi.Message, error) {
	var m tgbotapi.Message
	err := s.retry(ctx, func() (err error) {
		m, err = s.api.Send(ctx, c)
		return err
	})
	return m, err
}

// request calls a method whose result is not needed, retrying on 429.
func (s *sender) request(ctx context.Context, c tgbotapi.Chattable) error {
	return s.retry(ctx, func() error { return s.api.Request(ctx, c) })
}

func (s *sender) retry(ctx context.Context, call func() error) error {
	var err error
	for attempt := 1; attempt <= maxSendAttempts; attempt++ {
		if err := s.wait(ctx); err != nil {
			return err
		}
		err = call()
		d, ok := retryAfter(err)
		if !ok {
			return err
		}
		s.pause(d)
	}
	return err
}

// wait blocks until the flood-control pause is over.
func (s *sender) wait(ctx context.Context) error {
	s.mu.Lock()
	d := s.until.Sub(s.now())
	s.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (s *sender) pause(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.now().Add(d); u.After(s.until) {
		s.until = u
	}
}

// retryAfter reports Telegram's 429 wait, capped at maxRetryAfter.
func retryAfter(err error) (time.Duration, bool) {
	var te *tgbotapi.Error
	if !errors.As(err, &te) || (te.Code != 429 && te.RetryAfter == 0) {
		return 0, false
	}
	d := time.Duration(te.RetryAfter) * time.Second
	if d <= 0 {
		d = time.Second
	}
	return min(d, maxRetryAfter), true
}

// blocked reports a 403: the user blocked the bot, deleted their account,
// or the bot was removed from a group. Uploads lose the error code in the
// SDK, so the description is checked too.
func blocked(err error) bool {
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		return false
	}
	return te.Code == 403 || strings.HasPrefix(te.Message, "Forbidden")
}

// permanentAPIError reports a 400-class answer that retrying cannot fix
// (chat not found, message too long...).
func permanentAPIError(err error) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && (te.Code == 400 || strings.HasPrefix(te.Message, "Bad Request"))
}
