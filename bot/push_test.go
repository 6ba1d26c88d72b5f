package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"phananh/feedback"
	"phananh/intake"
)

// change applies a staff change to a report the way the desk does: one
// compare-and-set update with its event, published after the commit. It
// returns the stored event.
func (e *env) change(code string, ev feedback.Event, edit func(r *feedback.Report)) feedback.Event {
	e.t.Helper()
	ctx := context.Background()
	r, err := e.store.Report(ctx, code)
	if err != nil {
		e.t.Fatal(err)
	}
	ev.ReportID, ev.ReportCode, ev.Public, ev.Actor = r.ID, r.Code, true, "user:officer1"
	if ev.Type == feedback.EventStatusChanged {
		ev.From = r.Status
		r.Status = ev.To
	}
	if edit != nil {
		edit(r)
	}
	ev.UnitID = r.Unit
	appended, err := e.store.UpdateReport(ctx, r, []feedback.Event{ev})
	if err != nil {
		e.t.Fatal(err)
	}
	e.relay.Publish(appended)
	return appended[0]
}

func (e *env) setStatus(code string, to feedback.Status, text string) feedback.Event {
	e.t.Helper()
	return e.change(code, feedback.Event{Type: feedback.EventStatusChanged, To: to, Text: text}, func(r *feedback.Report) {
		if to == feedback.StatusResolved {
			now := time.Now()
			r.ResolvedAt = &now
		}
	})
}

// waitHandled waits until the named consumer's checkpoint passes seq.
func (e *env) waitHandled(consumer string, seq int64) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		cp, err := e.store.Checkpoint(context.Background(), consumer)
		if err == nil && cp >= seq {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.t.Fatalf("consumer %s never passed seq %d", consumer, seq)
}

func count(msgs []sent, substr string) int {
	n := 0
	for _, m := range msgs {
		if strings.Contains(m.Text, substr) {
			n++
		}
	}
	return n
}

func TestStatusChangePushedExactlyOnce(t *testing.T) {
	e := mustEnv(t)
	first := e.start()
	u := e.user(2001, "vi")
	fileReport(t, u)
	code := e.reportOf(2001).Code
	u.quiet(200 * time.Millisecond) // the first routing is not pushed: the receipt said it

	ev := e.setStatus(code, feedback.StatusInProgress, "Đội vệ sinh đang đến hiện trường")
	push := u.expect("🔔 Phản ánh " + code + ": Đang xử lý")
	if !strings.Contains(push.Text, "Đội vệ sinh đang đến hiện trường") || !strings.Contains(push.Text, "https://phananh.test/r/"+code) {
		t.Errorf("push text: %q", push.Text)
	}
	e.waitHandled(CitizenConsumer, ev.Seq)
	first.stop()
	e.start() // a restart must not repeat it
	reply := e.change(code, feedback.Event{Type: feedback.EventPublicReply, Text: "Chiều nay sẽ thu gom xong."}, nil)
	u.expect("💬 Phản hồi về phản ánh " + code + ":\nChiều nay sẽ thu gom xong.")
	e.waitHandled(CitizenConsumer, reply.Seq)
	u.quiet(200 * time.Millisecond)
	if n := count(e.fake.sentTo(2001), "Đang xử lý"); n != 1 {
		t.Errorf("status change pushed %d times, want 1", n)
	}
}

func TestResolvedReportOffersConfirmReopenAndRate(t *testing.T) {
	e := mustEnv(t)
	e.start()
	u := e.user(2002, "vi")
	fileReport(t, u)
	code := e.reportOf(2002).Code
	e.setStatus(code, feedback.StatusInProgress, "")
	e.setStatus(code, feedback.StatusResolved, "Đã thu gom sạch rác")
	push := u.expect("Đã xử lý")
	for _, want := range []string{cbConfirm + code, cbReopen + code, cbRate + code + ":5"} {
		if !strings.Contains(push.Markup, want) {
			t.Errorf("resolved push lacks button %q: %s", want, push.Markup)
		}
	}
	token, _ := e.store.State(context.Background(), nsToken, tokenKey(2002, code))
	if len(token) == 0 || strings.Contains(push.Markup, string(token)) {
		t.Fatalf("the reporter token is missing from state or leaked into the buttons")
	}

	stranger := e.user(2999, "vi") // a forged button in another chat
	stranger.press(1, cbConfirm+code)
	stranger.quiet(200 * time.Millisecond)
	if r, _ := e.store.Report(context.Background(), code); r.Status != feedback.StatusResolved {
		t.Fatalf("a stranger changed the report to %s", r.Status)
	}

	u.press(push.MessageID, cbRate+code+":4")
	u.expect("Cảm ơn bạn đã đánh giá 4/5")
	u.press(push.MessageID, cbReopen+code)
	u.expect("vì sao vấn đề chưa được giải quyết")
	u.say("Rác vẫn còn nguyên, chưa ai đến dọn")
	u.expect("Đã chuyển lại phản ánh " + code)
	r, _ := e.store.Report(context.Background(), code)
	if r.Status != feedback.StatusInProgress || r.ReopenCount != 1 || r.Rating != 4 {
		t.Fatalf("after rate and reopen: status %s, reopens %d, rating %d", r.Status, r.ReopenCount, r.Rating)
	}
	e.setStatus(code, feedback.StatusResolved, "")
	again := u.expect("Đã xử lý")
	u.press(again.MessageID, cbConfirm+code)
	u.expect("Cảm ơn bạn đã xác nhận")
	if r, _ := e.store.Report(context.Background(), code); r.Status != feedback.StatusClosed {
		t.Errorf("after confirm: %s", r.Status)
	}
	// The citizen's own reopen and confirm were not pushed back to them.
	if n := count(e.fake.sentTo(2002), "🔔 Phản ánh "+code+": Đang xử lý"); n != 1 {
		t.Errorf("%d in-progress pushes, want 1 (the staff's, not the citizen's reopen)", n)
	}
}

func TestBlockedChatStopsPushesWithoutPileUp(t *testing.T) {
	e := mustEnv(t)
	e.start()
	u := e.user(2003, "vi")
	fileReport(t, u)
	code := e.reportOf(2003).Code
	e.fake.block(2003)
	ev := e.setStatus(code, feedback.StatusInProgress, "")
	e.waitHandled(CitizenConsumer, ev.Seq)
	ev = e.setStatus(code, feedback.StatusResolved, "")
	e.waitHandled(CitizenConsumer, ev.Seq)
	if n := e.fake.refusals(2003); n != 1 {
		t.Errorf("%d sends refused with 403, want 1 (then the chat is skipped)", n)
	}
	if !strings.Contains(e.logs.String(), "blocked the bot") {
		t.Error("the block was not logged")
	}
	// Writing to the bot again shows the user unblocked it.
	e.fake.unblock(2003)
	u.say("/cuatoi")
	u.expect(code)
	e.setStatus(code, feedback.StatusClosed, "")
	u.expect("Hoàn thành")
}

func TestStaffAlertedOnceWhenReportRoutedToUnit(t *testing.T) {
	e := mustEnv(t)
	first := e.start()
	u := e.user(2004, "vi")
	fileReport(t, u)
	r := e.reportOf(2004)
	unit, _ := e.city.Unit(r.Unit)
	group := e.user(staffGroup, "vi")
	alert := group.expect("📋 Phản ánh " + r.Code + " chuyển đến " + unit.Name)
	if !strings.Contains(alert.Text, garbageText) || strings.Contains(alert.Text, "0905") {
		t.Errorf("alert text: %q", alert.Text)
	}
	if alert.Method != "sendPhoto" || feedback.HashSecret(string(alert.Photo)) != r.Photos[0].ID {
		t.Errorf("alert is a %s without the report's photo (%d bytes)", alert.Method, len(alert.Photo))
	}
	first.stop()
	e.start()
	ev := e.change(r.Code, feedback.Event{Type: feedback.EventStatusChanged, To: feedback.StatusAssigned, Text: "Thuộc thẩm quyền phường",
		Data: map[string]string{"unit": "ubnd_p5", "old_unit": r.Unit}}, func(r *feedback.Report) { r.Unit = "ubnd_p5" })
	group.expect("📋 Phản ánh " + r.Code + " chuyển đến UBND Phường 5")
	e.waitHandled(StaffConsumer, ev.Seq)
	group.quiet(100 * time.Millisecond)
	if n := count(e.fake.sentTo(staffGroup), "📋 Phản ánh "+r.Code+" chuyển đến "+unit.Name+"\n"); n != 1 {
		t.Errorf("first routing announced %d times, want 1", n)
	}
}

func TestOldEventsAreNotReplayedOnFirstStart(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	past := intake.New(intake.Deps{Store: e.store, City: e.city, Classifier: e.cls,
		Now: func() time.Time { return time.Now().Add(-72 * time.Hour) }})
	sub := intake.Submission{Channel: feedback.ChannelTelegram, Text: garbageText, Category: "rac_thai",
		Reporter: feedback.Contact{TelegramChatID: 4001}}
	old, err := past.Submit(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	e.change(old.Report.Code, feedback.Event{Type: feedback.EventStatusChanged, To: feedback.StatusInProgress,
		At: time.Now().Add(-71 * time.Hour)}, nil)

	e.start() // the consumers have no checkpoint: they read the log from the start
	sub.Reporter.TelegramChatID, sub.Text = 4002, garbageText+" (hôm nay)"
	fresh, err := e.intake.Submit(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	group := e.user(staffGroup, "vi")
	group.expect("📋 Phản ánh " + fresh.Report.Code)
	if n := count(e.fake.sentTo(staffGroup), old.Report.Code); n != 0 {
		t.Errorf("a 3-day-old routing was announced %d times", n)
	}
	if msgs := e.fake.sentTo(4001); len(msgs) != 0 {
		t.Errorf("an old status change was pushed: %v", msgs)
	}
}

func TestStaffAlertFollowsGroupUpgradedToSupergroup(t *testing.T) {
	e := mustEnv(t)
	e.start()
	const supergroup = -1009990001
	e.fake.migrate(staffGroup, supergroup)
	u := e.user(2005, "vi")
	fileReport(t, u)
	code := e.reportOf(2005).Code
	e.user(supergroup, "vi").expect("📋 Phản ánh " + code)
	if !strings.Contains(e.logs.String(), "update telegram_chat_id in the city config") {
		t.Error("the operator was not told to update the config")
	}
}

func TestPushInTheReportersLanguage(t *testing.T) {
	e := mustEnv(t)
	e.start()
	rc, err := e.intake.Submit(context.Background(), intake.Submission{Channel: feedback.ChannelTelegram,
		Text: garbageText, Language: "en", Reporter: feedback.Contact{TelegramChatID: 2006}, IdempotencyKey: "2006:1"})
	if err != nil {
		t.Fatal(err)
	}
	e.change(rc.Report.Code, feedback.Event{Type: feedback.EventPublicReply, Text: "Đội vệ sinh sẽ đến trong hôm nay."}, nil)
	u := e.user(2006, "en")
	u.expect("💬 Reply about report " + rc.Report.Code)
	e.setStatus(rc.Report.Code, feedback.StatusRejected, "Không thuộc thẩm quyền")
	u.expect("🔔 Report " + rc.Report.Code + ": Rejected\nKhông thuộc thẩm quyền")
}
