package bot

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"phananh/feedback"
	"phananh/live"
	"phananh/petition"
)

// petitions is the real petition service on the env's store, with one
// approved petition.
func (e *env) petitions() (*petition.Service, *feedback.Petition) {
	e.t.Helper()
	ctx := context.Background()
	svc := petition.New(e.store, e.city, petition.Config{BaseURL: "https://phananh.test", IPRate: rate.Inf, DomainRate: rate.Inf,
		Log: slog.New(slog.DiscardHandler)})
	p, err := svc.Create(ctx, petition.CreateInput{Title: "Nạo vét mương thoát nước đường Trần Phú",
		Text: "Mỗi mùa mưa đường Trần Phú ngập sâu vì mương tắc.", Category: e.city.Categories()[0].Code})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := svc.Moderate(ctx, supervisor(), p.ID, petition.Approve, ""); err != nil {
		e.t.Fatal(err)
	}
	return svc, p
}

func supervisor() feedback.Actor {
	return feedback.Actor{User: &feedback.User{ID: "sup", Username: "sup", Role: feedback.RoleSupervisor}}
}

func signatures(t *testing.T, e *env, id string) []*feedback.Signature {
	t.Helper()
	sigs, err := e.store.Signatures(context.Background(), feedback.SignatureFilter{PetitionID: id})
	if err != nil {
		t.Fatal(err)
	}
	return sigs
}

func TestPetitionSignedFromCommandWithName(t *testing.T) {
	e := mustEnv(t)
	svc, p := e.petitions()
	e.start(func(d *Deps) { d.Petitions = svc })
	u := e.user(701, "vi")
	u.say("/kyten " + p.ID)
	ask := u.expect("Nạo vét mương thoát nước")
	if !strings.Contains(ask.Text, "công khai tên hay ẩn danh") || !strings.Contains(ask.Markup, cbSignNamed+p.ID) ||
		!strings.Contains(ask.Markup, cbSignAnon+p.ID) {
		t.Fatalf("signing question: %q %s", ask.Text, ask.Markup)
	}
	u.press(ask.MessageID, cbSignNamed+p.ID)
	done := u.expect("tên Telegram của bạn được hiển thị")
	if done.MessageID != ask.MessageID || !strings.Contains(done.Text, "1 chữ ký") {
		t.Fatalf("signed answer %v, want an edit of #%d with the count", done, ask.MessageID)
	}
	sigs := signatures(t, e, p.ID)
	if len(sigs) != 1 || sigs[0].ChatID != 701 || sigs[0].PublicName() != "Lan" || sigs[0].Method != feedback.SignByTelegram {
		t.Fatalf("signatures = %+v", sigs)
	}
	// Signing again from the same chat, even anonymously, counts nothing.
	u.say("/sign " + p.ID)
	again := u.expect("Nạo vét mương")
	u.press(again.MessageID, cbSignAnon+p.ID)
	u.expect("đã ký kiến nghị này rồi")
	if n, _ := svc.Count(context.Background(), p.ID); n != 1 {
		t.Fatalf("count after a second signature from the chat = %d, want 1", n)
	}
}

func TestPetitionDeepLinkAnonymousInEnglish(t *testing.T) {
	e := mustEnv(t)
	svc, p := e.petitions()
	e.start(func(d *Deps) { d.Petitions = svc })
	u := e.user(702, "en")
	u.say("/start " + deepLinkPetition + p.ID)
	ask := u.expect("Petition: Nạo vét mương")
	if !strings.Contains(ask.Markup, "Sign anonymously") {
		t.Fatalf("buttons not in English: %s", ask.Markup)
	}
	u.press(ask.MessageID, cbSignAnon+p.ID)
	u.expect("Thank you for signing (anonymously)")
	sigs := signatures(t, e, p.ID)
	if len(sigs) != 1 || sigs[0].PublicName() != "" || sigs[0].Name != "" {
		t.Fatalf("anonymous signature keeps a name: %+v", sigs)
	}
}

func TestPetitionRefusals(t *testing.T) {
	e := mustEnv(t)
	svc, open := e.petitions()
	pending, err := svc.Create(context.Background(), petition.CreateInput{Title: "Kiến nghị chưa được duyệt ở phường 7",
		Text: "Nội dung đang chờ kiểm duyệt.", Category: e.city.Categories()[0].Code})
	if err != nil {
		t.Fatal(err)
	}
	e.start(func(d *Deps) { d.Petitions = svc })
	u := e.user(703, "vi")
	u.say("/kyten")
	u.expect("vui lòng gửi kèm mã kiến nghị")
	u.say("/kyten " + pending.ID)
	u.expect("Không tìm thấy kiến nghị")
	u.say("/kyten không-phải-mã")
	u.expect("Không tìm thấy kiến nghị")
	// A pasted link works as well as the bare id.
	u.say("/kyten https://phananh.test/petitions/" + open.ID)
	u.expect("Nạo vét mương")
	// A forged button for a pending petition signs nothing.
	u.press(1, cbSignNamed+pending.ID)
	u.expect("Chưa ký được")
	// Buttons the bot never made are answered and do nothing.
	for _, data := range []string{"p:", "p:n:", "p:x:" + open.ID} {
		u.press(1, data)
	}
	u.say("/kyten " + open.ID)
	u.expect("Nạo vét mương")
	if sigs := signatures(t, e, open.ID); len(sigs) != 0 {
		t.Fatalf("a forged button signed: %+v", sigs)
	}
	if sigs := signatures(t, e, pending.ID); len(sigs) != 0 {
		t.Fatalf("a pending petition got signatures: %+v", sigs)
	}
}

func TestPetitionsNotWired(t *testing.T) {
	e := mustEnv(t)
	_, p := e.petitions()
	e.start()
	u := e.user(704, "vi")
	u.say("/start ky_" + p.ID)
	u.expect("chưa hỗ trợ ký kiến nghị")
	if menu := e.fake.commandMenu(""); len(menu) == 0 {
		t.Fatal("no command menu")
	} else {
		for _, c := range menu {
			if c.Command == "kyten" {
				t.Fatal("the menu offers /kyten without petitions")
			}
		}
	}
}

// TestPetitionAnswerThroughBot delivers an official answer through the
// bot: the signer's chat gets it once, a chat that blocked the bot is
// asked once and not retried.
func TestPetitionAnswerThroughBot(t *testing.T) {
	e := mustEnv(t)
	svc, p := e.petitions()
	r := e.start(func(d *Deps) { d.Petitions = svc })
	ctx := context.Background()
	for _, chat := range []int64{711, 712} {
		if _, err := svc.SignTelegram(ctx, p.ID, chat, "", false); err != nil {
			t.Fatal(err)
		}
	}
	e.fake.block(712)
	d := petition.NewAnswerDelivery(petition.DeliveryDeps{Store: e.store, Telegram: r.bot, BaseURL: "https://phananh.test",
		Log: slog.New(slog.DiscardHandler), Consumer: live.ConsumerOptions{PollInterval: 10 * time.Millisecond,
			RetryMin: 10 * time.Millisecond, RetryMax: 20 * time.Millisecond}})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	if _, err := svc.Answer(ctx, supervisor(), p.ID, "Thành phố sẽ nạo vét toàn tuyến mương trước mùa mưa năm nay."); err != nil {
		t.Fatal(err)
	}
	u := e.user(711, "vi")
	got := u.expect("nạo vét toàn tuyến mương")
	if !strings.Contains(got.Text, "/petitions/"+p.ID) {
		t.Errorf("answer without the petition's link: %q", got.Text)
	}
	u.quiet(300 * time.Millisecond)
	if n := e.fake.refusals(712); n != 1 {
		t.Fatalf("blocked chat asked %d times, want 1", n)
	}
	if err := r.bot.SendText(ctx, 712, "lần nữa"); feedback.ErrorCode(err) != feedback.EFORBIDDEN {
		t.Fatalf("SendText to a blocked chat = %v, want EFORBIDDEN", err)
	}
	if n := e.fake.refusals(712); n != 1 {
		t.Fatalf("a chat marked blocked was asked again (%d)", n)
	}
}

func TestSendTextWaitsOutFloodControl(t *testing.T) {
	e := mustEnv(t)
	r := e.start()
	e.fake.floodNext("sendMessage", 1)
	if err := r.bot.SendText(context.Background(), 720, "Trả lời chính thức"); err != nil {
		t.Fatal(err)
	}
	e.user(720, "vi").expect("Trả lời chính thức")
	if e.fake.callCount("sendMessage") < 2 {
		t.Fatal("the 429 was not retried")
	}
}

func TestPetitionID(t *testing.T) {
	id := strings.Repeat("ab12", 8)
	for in, want := range map[string]string{
		id: id, "ky_" + id: id, strings.ToUpper(id): id, " https://x.vn/petitions/" + id + " ": id,
		"": "", "ky_": "", id[:31]: "", id + "0": "", strings.Repeat("zz", 16): "",
	} {
		if got := petitionID(in); got != want {
			t.Errorf("petitionID(%q) = %q, want %q", in, got, want)
		}
	}
}
