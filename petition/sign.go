package petition

import (
	"context"
	"log/slog"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"phananh/feedback"
	"phananh/ratelimit"
)

// MaxNameLen bounds a signer's name.
const MaxNameLen = 100

// SignInput is a request to sign by e-mail.
type SignInput struct {
	PetitionID string
	Email      string
	Name       string
	ShowName   bool
	Language   string // "vi" (default) or "en"
	IP         string // the client address, for rate limits and invalidation
}

// Signed is the outcome of a signature, as the signer may see it.
type Signed struct {
	PetitionID string `json:"petition_id"`
	Count      int    `json:"count"`
	// Already reports that the link had been followed before.
	Already bool `json:"already,omitempty"`
}

// RequestEmail records a pending signature and mails its one-time
// confirmation link; nothing is counted until the link is followed.
// Asking again before confirming mails another link for the same pending
// signature. Errors: EINVALID, ERATELIMIT, ENOTFOUND, ECONFLICT (already
// signed, or not open), EUNAVAILABLE (mail could not be sent).
func (s *Service) RequestEmail(ctx context.Context, in SignInput) error {
	if s.cfg.Mailer == nil {
		return feedback.Errorf(feedback.EUNAVAILABLE, "Chưa cấu hình gửi e-mail.", "E-mail signing is not configured.")
	}
	addr, domain, err := NormalizeEmail(in.Email)
	if err != nil {
		return err
	}
	name, err := cleanName(in.Name)
	if err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	if (in.IP != "" && !s.ips.Allow(ratelimit.ClientKey(in.IP), now)) || !s.domain.Allow(domain, now) {
		return feedback.Errorf(feedback.ERATELIMIT, "Quá nhiều yêu cầu ký, vui lòng thử lại sau.", "Too many signature requests; please try later.")
	}
	p, err := s.Get(ctx, feedback.Actor{}, in.PetitionID)
	if err != nil {
		return err
	}
	secret, hash := feedback.NewSecret()
	sig := &feedback.Signature{
		ID: feedback.NewID(), PetitionID: p.ID, Method: feedback.SignByEmail, Identity: emailIdentity(addr),
		Email: addr, EmailDomain: domain, Name: name, ShowName: in.ShowName && name != "",
		Language: in.Language, IP: in.IP, CreatedAt: now,
	}
	err = s.store.RequestSignature(ctx, sig, feedback.SignatureToken{Hash: hash, ExpiresAt: now.Add(s.cfg.TokenTTL)})
	if err != nil {
		return err
	}
	if err := s.cfg.Mailer.Send(ctx, s.confirmationMail(p, sig, secret)); err != nil {
		// The cause may quote the address: log only its code.
		s.cfg.Log.LogAttrs(ctx, slog.LevelWarn, "petition confirmation mail not sent",
			slog.String("petition_id", p.ID), slog.String("code", feedback.ErrorCode(err)))
		return feedback.Errorf(feedback.EUNAVAILABLE, "Không gửi được e-mail xác nhận, vui lòng thử lại.", "The confirmation e-mail could not be sent; please try again.")
	}
	return nil
}

// cleanName trims and bounds a signer's name.
func cleanName(name string) (string, error) {
	name = norm.NFC.String(strings.Join(strings.Fields(name), " "))
	if utf8.RuneCountInString(name) > MaxNameLen {
		return "", feedback.FieldError("name", "Tên quá dài (tối đa 100 ký tự).", "Name too long (100 characters at most).")
	}
	return name, nil
}

// ConfirmPath is the path of a confirmation link, before its query.
func ConfirmPath(petitionID string) string { return "/api/v1/petitions/" + petitionID + "/confirm" }

func (s *Service) confirmationMail(p *feedback.Petition, sig *feedback.Signature, secret string) Mail {
	link := s.link(ConfirmPath(p.ID) + "?token=" + url.QueryEscape(secret))
	hours := int(s.cfg.TokenTTL.Hours())
	var b strings.Builder
	if sig.Language == "en" {
		b.WriteString("You asked to sign the petition \"" + p.Title + "\".\n\nTo confirm your signature, open this link within " +
			strconv.Itoa(hours) + " hours and press the button on the page:\n" + link + "\n\nIf you did not ask for this, ignore this e-mail: nothing is counted without confirmation.\n")
	} else {
		b.WriteString("Bạn vừa đề nghị ký kiến nghị «" + p.Title + "».\n\nĐể xác nhận chữ ký, vui lòng mở liên kết sau trong vòng " +
			strconv.Itoa(hours) + " giờ rồi bấm nút «Xác nhận chữ ký» trên trang:\n" + link + "\n\nNếu bạn không thực hiện yêu cầu này, hãy bỏ qua thư: chữ ký chỉ được tính khi đã xác nhận.\n")
	}
	subject := "Xác nhận chữ ký kiến nghị"
	if sig.Language == "en" {
		subject = "Confirm your petition signature"
	}
	return Mail{
		To: mail.Address{Address: sig.Email}, Subject: subject + ": " + truncate(p.Title, 80),
		Text: b.String(), AutoSubmitted: true,
	}
}

// Confirm follows a confirmation link: the signature is confirmed and
// counted, and any threshold reached is announced, in one atomic step.
// Following it again changes nothing. Errors: ENOTFOUND (unknown token),
// EINVALID (expired), ECONFLICT (invalidated, petition closed).
func (s *Service) Confirm(ctx context.Context, token string) (Signed, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 128 {
		return Signed{}, feedback.NotFound("signature")
	}
	out, err := s.store.ConfirmSignature(ctx, feedback.HashSecret(token), s.cfg.Now().UTC(), s.due)
	if err != nil {
		return Signed{}, err
	}
	s.announce(ctx, out)
	return Signed{PetitionID: out.Signature.PetitionID, Count: out.Count, Already: out.Already}, nil
}

// SignTelegram signs a petition for a Telegram chat: the chat is the
// verified identity, so the signature counts at once. The bot calls it.
// Errors: EINVALID, ENOTFOUND, ECONFLICT (already signed, not open).
func (s *Service) SignTelegram(ctx context.Context, petitionID string, chatID int64, name string, showName bool) (Signed, error) {
	if chatID == 0 {
		return Signed{}, feedback.FieldError("chat_id", "Không xác định được tài khoản Telegram của người ký.", "No Telegram chat.")
	}
	name, err := cleanName(name)
	if err != nil {
		return Signed{}, err
	}
	if _, err := s.Get(ctx, feedback.Actor{}, petitionID); err != nil {
		return Signed{}, err
	}
	sig := &feedback.Signature{
		ID: feedback.NewID(), PetitionID: petitionID, Method: feedback.SignByTelegram,
		Identity: telegramIdentity(chatID), ChatID: chatID, Name: name, ShowName: showName && name != "",
		CreatedAt: s.cfg.Now().UTC(),
	}
	out, err := s.store.AddSignature(ctx, sig, s.due)
	if err != nil {
		return Signed{}, err
	}
	s.announce(ctx, out)
	return Signed{PetitionID: petitionID, Count: out.Count}, nil
}

// announce publishes a signature's events and logs thresholds reached.
func (s *Service) announce(ctx context.Context, out feedback.SignOutcome) {
	for _, e := range out.Events {
		if e.Type == feedback.EventThresholdReached {
			s.cfg.Log.LogAttrs(ctx, slog.LevelInfo, "petition threshold reached", slog.String("petition_id", e.PetitionID),
				slog.String("level", e.Data["level"]), slog.String("unit_id", e.Data["unit"]))
		}
	}
	s.publish(out.Events)
}

// Signers returns the names of up to limit confirmed signers who agreed to
// be shown, and how many signers are listed anonymously among them.
func (s *Service) Signers(ctx context.Context, petitionID string, limit int) (names []string, err error) {
	sigs, err := s.store.Signatures(ctx, feedback.SignatureFilter{PetitionID: petitionID, Status: feedback.SignatureConfirmed, Limit: limit})
	for _, sig := range sigs {
		if n := sig.PublicName(); n != "" {
			names = append(names, n)
		}
	}
	return names, err
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
