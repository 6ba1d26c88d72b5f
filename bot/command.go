package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/feedback"
)

// Limits of the per-chat report list and of the timeline shown.
const (
	mineKept        = 20
	mineShown       = 10
	timelineMax     = 15
	timelineLineMax = 200
	dateLayout      = "02/01/2006 15:04"
	timelineDate    = "02/01 15:04"
)

// ict is Vietnam's time zone, fixed (no daylight saving), so the binary
// needs no tzdata.
var ict = time.FixedZone("ICT", 7*3600)

// onCommand handles /start, /trangthai (/status), /cuatoi (/mine),
// /huy (/cancel), /kyten (/sign) and /help; anything else gets the help.
func (b *Bot) onCommand(ctx context.Context, m *tgbotapi.Message, lang, cmd, arg string) error {
	chat := m.Chat.ID
	switch cmd {
	case "start":
		if strings.HasPrefix(arg, deepLinkPetition) { // t.me/bot?start=ky_<id>
			return b.showPetition(ctx, chat, lang, arg)
		}
		if code := feedback.NormalizeCode(arg); code != "" { // t.me/bot?start=CODE
			return b.showStatus(ctx, chat, lang, code)
		}
		_, err := b.replyWith(ctx, chat, tr(lang, "welcome", cityNoun(lang, b.city.Name)), menuKeyboard(lang))
		return err
	case "trangthai", "status", "tracuu":
		if arg == "" {
			return b.reply(ctx, chat, tr(lang, "ask_code"))
		}
		code := feedback.NormalizeCode(arg)
		if code == "" {
			return b.reply(ctx, chat, tr(lang, "bad_code"))
		}
		return b.showStatus(ctx, chat, lang, code)
	case "cuatoi", "mine":
		return b.showMine(ctx, chat, lang)
	case "huy", "cancel":
		return b.cancel(ctx, chat, lang)
	case "moi", "new", "phananh", "report":
		return b.newDraft(ctx, chat, lang)
	case "kyten", "sign":
		return b.showPetition(ctx, chat, lang, arg)
	}
	return b.sendHelp(ctx, chat, lang)
}

// cityNoun writes the city's name as it reads after "UBND": "thành phố
// Tuy Hòa" (a common noun in Vietnamese prose), "Tuy Hòa" in English.
func cityNoun(lang, name string) string {
	for _, p := range []string{"Thành phố ", "Thị xã ", "Huyện ", "Tỉnh "} {
		if rest, ok := strings.CutPrefix(name, p); ok {
			if lang == langEN {
				return rest
			}
			return strings.ToLower(p) + rest
		}
	}
	return name
}

func (b *Bot) sendHelp(ctx context.Context, chat int64, lang string) error {
	_, err := b.replyWith(ctx, chat, tr(lang, "help"), menuKeyboard(lang))
	return err
}

// cancel drops the draft and any pending reopen reason.
func (b *Bot) cancel(ctx context.Context, chat int64, lang string) error {
	_, had, err := b.loadDraft(ctx, chat)
	if err != nil {
		return err
	}
	if err := b.dropDraft(ctx, chat); err != nil {
		return err
	}
	if err := b.store.DeleteState(ctx, nsPending, chatKey(chat)); err != nil {
		return err
	}
	key := "no_draft"
	if had {
		key = "cancelled"
	}
	_, err = b.replyWith(ctx, chat, tr(lang, key), tgbotapi.NewRemoveKeyboard(false))
	return err
}

// showStatus shows a report's status and public timeline; it shows
// nothing personal, so any chat may look up any code.
func (b *Bot) showStatus(ctx context.Context, chat int64, lang, code string) error {
	r, err := b.store.Report(ctx, code)
	if notFound(err) {
		return b.reply(ctx, chat, tr(lang, "not_found", code))
	}
	if err != nil {
		return err
	}
	evs, err := b.store.Events(ctx, feedback.EventFilter{ReportID: r.ID, PublicOnly: true})
	if err != nil {
		return err
	}
	var lines []string
	for _, e := range evs {
		if line := truncate(b.timelineLine(lang, e, r.Public), timelineLineMax); line != "" {
			lines = append(lines, "• "+e.At.In(ict).Format(timelineDate)+" — "+line)
		}
	}
	if len(lines) > timelineMax {
		lines = lines[len(lines)-timelineMax:]
	}
	text := tr(lang, "status", r.Code, b.statusLabel(lang, r), b.categoryName(lang, r.Category),
		b.wardName(lang, r.Ward), r.CreatedAt.In(ict).Format(dateLayout), strings.Join(lines, "\n"), b.link(r.Code))
	return b.reply(ctx, chat, text)
}

// timelineLine is one public event as the citizen reads it. Text the
// citizen wrote (a reopen reason) shows only on a report its author agreed
// to publish: any chat may look up any code.
func (b *Bot) timelineLine(lang string, e feedback.Event, reportPublic bool) string {
	switch e.Type {
	case feedback.EventCreated:
		return statusText(lang, feedback.StatusReceived)
	case feedback.EventStatusChanged:
		s := statusText(lang, e.To)
		if e.Actor == feedback.ActorCitizen && !reportPublic {
			return s
		}
		if e.Text != "" && e.Text != e.To.Label() {
			s += ": " + e.Text
		}
		return s
	case feedback.EventPublicReply:
		return tr(lang, "timeline_reply", e.Text)
	}
	return ""
}

func statusText(lang string, s feedback.Status) string {
	if lang == langEN {
		return s.LabelEN()
	}
	return s.Label()
}

// showMine lists the chat's most recent reports.
func (b *Bot) showMine(ctx context.Context, chat int64, lang string) error {
	codes, err := b.mine(ctx, chat)
	if err != nil {
		return err
	}
	if len(codes) == 0 {
		return b.reply(ctx, chat, tr(lang, "mine_none"))
	}
	lines := []string{tr(lang, "mine_head")}
	for _, code := range codes[:min(len(codes), mineShown)] {
		r, err := b.store.Report(ctx, code)
		if notFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("• %s — %s (%s)", r.Code, statusText(lang, r.Status), r.CreatedAt.In(ict).Format("02/01/2006")))
	}
	lines = append(lines, "", tr(lang, "ask_code"))
	return b.reply(ctx, chat, strings.Join(lines, "\n"))
}

// mine returns the codes of the chat's reports, newest first.
func (b *Bot) mine(ctx context.Context, chat int64) ([]string, error) {
	raw, err := b.store.State(ctx, nsMine, chatKey(chat))
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var codes []string
	if err := json.Unmarshal(raw, &codes); err != nil {
		return nil, nil // unreadable: start a new list
	}
	return codes, nil
}

// addMine puts a code at the head of the chat's list.
func (b *Bot) addMine(ctx context.Context, chat int64, code string) error {
	codes, err := b.mine(ctx, chat)
	if err != nil {
		return err
	}
	codes = slices.DeleteFunc(codes, func(c string) bool { return c == code })
	codes = append([]string{code}, codes...)
	raw, _ := json.Marshal(codes[:min(len(codes), mineKept)])
	return b.store.PutState(ctx, nsMine, chatKey(chat), raw, time.Time{})
}
