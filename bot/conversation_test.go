package bot

import (
	"context"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"phananh/feedback"
	"phananh/intake"
	"phananh/photo"
)

// Report texts the demo classifier reads with confidence.
const (
	garbageText = "Rác thải sinh hoạt đổ bừa bãi trên vỉa hè đường Trần Hưng Đạo, phường 5, bốc mùi hôi thối nhiều ngày nay"
	chatLan     = 987654321
	phoneLan    = "0905 123 456"
)

var codeRE = regexp.MustCompile(`[0-9A-Z]{8}`)

// fileReport walks through the whole conversation: /start, the menu,
// a photo with its caption, the location, the phone, the summary and the
// send button. It returns the summary and the final message.
func fileReport(t *testing.T, u *user) (summary, done sent) {
	t.Helper()
	u.say("/start")
	start := u.expect("Chào bạn! Đây là kênh tiếp nhận phản ánh của UBND thành phố Tuy Hòa")
	if !strings.Contains(start.Markup, cbNew) {
		t.Fatalf("menu has no new-report button: %s", start.Markup)
	}
	u.press(start.MessageID, cbNew)
	u.expect("mô tả sự việc")
	u.e.fake.addFile("photo-1", jpegBytes(t))
	u.photo("photo-1", garbageText)
	ask := u.expect("Gửi vị trí hiện tại")
	if !strings.Contains(ask.Markup, `"request_location":true`) {
		t.Fatalf("no location button: %s", ask.Markup)
	}
	u.location(13.0955, 109.3209)
	phone := u.expect("số điện thoại")
	if !strings.Contains(phone.Markup, `"request_contact":true`) {
		t.Fatalf("no contact button: %s", phone.Markup)
	}
	u.contact(phoneLan)
	u.expect("Đã ghi nhận số điện thoại")
	summary = u.expect("Vui lòng kiểm tra lại phản ánh")
	for _, want := range []string{garbageText, "📷 Ảnh: 1", "đã chia sẻ vị trí", "0905123456", "🏷️ Lĩnh vực:"} {
		if !strings.Contains(summary.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary.Text)
		}
	}
	u.press(summary.MessageID, cbSend)
	done = u.expect("Mã tra cứu của bạn:")
	if done.Method != "editMessageText" || done.MessageID != summary.MessageID {
		t.Errorf("the summary was not replaced by the receipt: %v", done)
	}
	return summary, done
}

func TestConversationFilesReportWithPhotoAndLocation(t *testing.T) {
	e := mustEnv(t)
	e.start()
	u := e.user(chatLan, "vi")
	summary, done := fileReport(t, u)

	r := e.reportOf(chatLan)
	if !strings.Contains(done.Text, r.Code) || !strings.Contains(done.Text, "https://phananh.test/r/"+r.Code) {
		t.Errorf("receipt lacks the code or the link: %q", done.Text)
	}
	switch {
	case r.Channel != feedback.ChannelTelegram:
		t.Errorf("channel %q", r.Channel)
	case r.Text != garbageText:
		t.Errorf("text %q", r.Text)
	case !r.Location.HasPoint() || *r.Location.Lat != 13.0955 || *r.Location.Lng != 109.3209:
		t.Errorf("location %+v", r.Location)
	case r.Reporter.TelegramChatID != chatLan || r.Reporter.Phone != "0905123456" || r.Reporter.Language != "vi":
		t.Errorf("reporter %+v", r.Reporter)
	case len(r.Photos) != 1 || r.Photos[0].ContentType != "image/jpeg":
		t.Fatalf("photos %+v", r.Photos)
	case !strings.HasPrefix(r.IdempotencyKey, "telegram:987654321:"):
		t.Errorf("idempotency key %q", r.IdempotencyKey)
	}
	rc, _, err := e.store.OpenPhoto(context.Background(), r.Photos[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	rc.Close()
	if len(data) < 100 || data[0] != 0xFF || data[1] != 0xD8 {
		t.Errorf("stored photo is not a JPEG (%d bytes)", len(data))
	}
	// What the summary suggested is what intake decided: same classifier.
	if name := (&Bot{city: e.city}).categoryName(langVI, r.Category); !strings.Contains(summary.Text, "Lĩnh vực: "+name) {
		t.Errorf("summary suggested another category than %q:\n%s", name, summary.Text)
	}
	if _, ok, _ := (&Bot{store: e.store}).loadDraft(context.Background(), chatLan); ok {
		t.Error("draft left behind after sending")
	}
	for _, secret := range []string{"987654321", "0905123456", "905 123 456", fakeToken} {
		if strings.Contains(e.logs.String(), secret) {
			t.Errorf("logs contain %q in clear", secret)
		}
	}
}

func TestConversationAddressPickedCategoryAndSkippedPhone(t *testing.T) {
	e := mustEnv(t)
	e.start()
	u := e.user(1001, "vi")
	u.say("/phananh")
	u.expect("mô tả sự việc")
	u.say("ngắn")
	u.expect("Nội dung hơi ngắn")
	u.say("Quán karaoke hát to sau 23 giờ đêm, cả khu phố không ngủ được")
	u.expect("gõ địa chỉ")
	u.say("12 Lê Lợi, khu phố 3, phường 4")
	u.expect("số điện thoại")
	u.say("Bỏ qua")
	u.expect("Đã bỏ qua số điện thoại")
	summary := u.expect("Vui lòng kiểm tra lại phản ánh")
	u.press(summary.MessageID, cbCats)
	pick := u.expect("Chọn lĩnh vực phù hợp nhất")
	if !strings.Contains(pick.Markup, cbCat+"xay_dung") {
		t.Fatalf("category keyboard lacks xay_dung: %s", pick.Markup)
	}
	u.press(summary.MessageID, cbCat+"xay_dung")
	u.press(summary.MessageID, cbCat+"xay_dung") // a double tap changes nothing
	again := u.expect("Lĩnh vực: Trật tự xây dựng")
	if again.Method != "editMessageText" {
		t.Errorf("the pick did not edit the summary: %v", again)
	}
	u.press(summary.MessageID, cbSend)
	u.expect("Mã tra cứu của bạn:")
	if n := count(e.fake.sentTo(1001), "Đã có lỗi"); n != 0 {
		t.Errorf("%d error replies", n)
	}
	r := e.reportOf(1001)
	if r.Category != "xay_dung" || r.Location.Address != "12 Lê Lợi, khu phố 3, phường 4" || r.Reporter.Phone != "" || r.Location.HasPoint() {
		t.Errorf("report: category %q, location %+v, phone %q", r.Category, r.Location, r.Reporter.Phone)
	}
}

func TestConversationEnglish(t *testing.T) {
	e := mustEnv(t)
	e.start()
	u := e.user(1002, "en-GB")
	u.say("/start")
	u.expect("Hello! This is the People's Committee of Tuy Hòa channel")
	u.say("/status 7k3m-9q2x")
	u.expect("No report with code 7K3M9Q2X")
	u.say("/cancel")
	u.expect("You have no report in progress")
}

func TestRestartInMidConversationLosesNothing(t *testing.T) {
	e := mustEnv(t)
	first := e.start()
	u := e.user(1003, "vi")
	u.say("/phananh")
	u.expect("mô tả sự việc")
	e.fake.addFile("p1", jpegBytes(t))
	u.say(garbageText)
	u.expect("gõ địa chỉ")
	u.photo("p1", "")
	u.expect("Đã nhận ảnh 1/5")
	first.stop()

	e.start() // a new process on the same store
	u.location(13.1, 109.3)
	u.expect("số điện thoại")
	u.say("skip")
	summary := u.expect("Vui lòng kiểm tra lại phản ánh")
	if !strings.Contains(summary.Text, "📷 Ảnh: 1") {
		t.Errorf("photo lost in the restart:\n%s", summary.Text)
	}
	u.press(summary.MessageID, cbSend)
	u.expect("Mã tra cứu của bạn:")
	if r := e.reportOf(1003); r.Text != garbageText || len(r.Photos) != 1 || !r.Location.HasPoint() {
		t.Errorf("report after restart: %+v", r)
	}
}

func TestDraftExpiresAfter24Hours(t *testing.T) {
	e := mustEnv(t)
	var skew time.Duration
	b := New(Deps{API: nopAPI{}, Store: e.store, Intake: e.intake, City: e.city, Now: func() time.Time { return time.Now().Add(skew) }})
	ctx := context.Background()
	// The store judges expiry by its own clock (now); saving with the bot's
	// clock in the past stands for a draft last changed that long ago.
	for _, tc := range []struct {
		chat  int64
		ago   time.Duration
		alive bool
	}{{1, 0, true}, {2, 23 * time.Hour, true}, {3, 25 * time.Hour, false}} {
		skew = -tc.ago
		if err := b.saveDraft(ctx, tc.chat, &draft{Step: stepWhere, Text: garbageText}); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := b.loadDraft(ctx, tc.chat); ok != tc.alive || err != nil {
			t.Errorf("draft last changed %v ago: alive=%v, want %v (err %v)", tc.ago, ok, tc.alive, err)
		}
	}
}

// nopAPI is an API for tests that never reach Telegram.
type nopAPI struct{}

func (nopAPI) Updates(context.Context, int, time.Duration) ([]tgbotapi.Update, error) {
	return nil, errors.New("no telegram")
}
func (nopAPI) Send(context.Context, tgbotapi.Chattable) (tgbotapi.Message, error) {
	return tgbotapi.Message{}, errors.New("no telegram")
}
func (nopAPI) Request(context.Context, tgbotapi.Chattable) error { return errors.New("no telegram") }
func (nopAPI) Call(context.Context, string, tgbotapi.Params) error {
	return errors.New("no telegram")
}
func (nopAPI) File(context.Context, string) (tgbotapi.File, error) {
	return tgbotapi.File{}, errors.New("no telegram")
}
func (nopAPI) Download(context.Context, string, int64) ([]byte, error) {
	return nil, errors.New("no telegram")
}

func TestBadPhotosAreRefused(t *testing.T) {
	e := mustEnv(t)
	e.start()
	u := e.user(1004, "vi")
	e.fake.addFile("txt", []byte("this is a text file pretending to be a photo, not an image"))
	u.photo("txt", "")
	u.expect("Không đọc được ảnh này")
	big := make([]byte, feedback.MaxPhotoBytes+1)
	copy(big, jpegBytes(t))
	e.fake.addFile("big", big)
	u.photo("big", "")
	u.expect("Ảnh quá lớn")
	if d, ok, _ := (&Bot{store: e.store}).loadDraft(context.Background(), 1004); ok && len(d.Photos) > 0 {
		t.Errorf("a refused photo was kept: %v", d.Photos)
	}
	// A photo sent "as a file" is an image document: taken, with the same checks.
	e.fake.addFile("doc", jpegBytes(t))
	m := u.message()
	m.Document, m.Caption = &tgbotapi.Document{FileID: "doc", FileName: "IMG_0001.JPG", MimeType: "image/jpeg"}, garbageText
	u.send(m)
	u.expect("gõ địa chỉ")
	m = u.message()
	m.Document = &tgbotapi.Document{FileID: "doc", FileName: "giay-to.pdf", MimeType: "application/pdf"}
	u.send(m)
	u.expect("gõ địa chỉ") // not a photo: the question is asked again
	if d, _, _ := (&Bot{store: e.store}).loadDraft(context.Background(), 1004); d == nil || len(d.Photos) != 1 {
		t.Errorf("draft after an image document and a PDF: %+v", d)
	}
}

func TestNotUnderstoodGetsHelp(t *testing.T) {
	e := mustEnv(t)
	e.start()
	u := e.user(1005, "vi")
	u.say("xin chào")
	help := u.expect("Hướng dẫn sử dụng")
	if !strings.Contains(help.Markup, cbNew) {
		t.Errorf("help without the menu: %s", help.Markup)
	}
	u.say("/lenhkhongco")
	u.expect("Hướng dẫn sử dụng")
	m := u.message() // a sticker: no text, no photo
	u.send(m)
	u.expect("Hướng dẫn sử dụng")
	u.say("/trangthai")
	u.expect("mã tra cứu")
	u.say("/trangthai 123")
	u.expect("Mã tra cứu không hợp lệ")
	u.say("/cuatoi")
	u.expect("Bạn chưa gửi phản ánh nào")
	u.say("/huy")
	u.expect("Bạn không có phản ánh nào đang soạn")
}

func TestStatusAndMineShowTheReport(t *testing.T) {
	e := mustEnv(t)
	e.start()
	u := e.user(1006, "vi")
	fileReport(t, u)
	r := e.reportOf(1006)
	u.say("/trangthai " + strings.ToLower(r.Code))
	st := u.expect("Phản ánh " + r.Code)
	for _, want := range []string{"Tình trạng:", "Diễn biến:", "Đã tiếp nhận", "https://phananh.test/r/" + r.Code} {
		if !strings.Contains(st.Text, want) {
			t.Errorf("status lacks %q:\n%s", want, st.Text)
		}
	}
	if strings.Contains(st.Text, "0905") {
		t.Error("status shows the phone number")
	}
	u.say("/cuatoi")
	mine := u.expect("Các phản ánh của bạn")
	if !strings.Contains(mine.Text, r.Code) {
		t.Errorf("mine lacks %s:\n%s", r.Code, mine.Text)
	}
	u.say(r.Code) // a bare code outside a conversation is looked up
	u.expect("Tình trạng:")
}

func TestLongDescriptionFitsInMessages(t *testing.T) {
	e := mustEnv(t)
	e.start()
	u := e.user(1007, "vi")
	long := strings.Repeat("Rác thải ùn ứ 😡 ", 280) // about 4800 characters, emoji included
	u.say("/phananh")
	u.expect("mô tả sự việc")
	u.say(long)
	u.expect("gõ địa chỉ")
	u.say("Chợ Tuy Hòa, phường 1")
	u.expect("số điện thoại")
	u.say("Bỏ qua")
	summary := u.expect("Vui lòng kiểm tra lại phản ánh")
	u.press(summary.MessageID, cbSend)
	u.expect("Mã tra cứu của bạn:")
	if r := e.reportOf(1007); r.Text != strings.TrimSpace(long) {
		t.Errorf("the stored text was cut: %d of %d characters", len([]rune(r.Text)), len([]rune(long)))
	}
}

func TestCancelledDraftLeavesNoPhoto(t *testing.T) {
	e := mustEnv(t)
	e.start()
	u := e.user(1008, "vi")
	img := jpegBytes(t)
	e.fake.addFile("p", img)
	u.photo("p", garbageText)
	u.expect("gõ địa chỉ")
	u.say("/huy")
	u.expect("Đã hủy phản ánh đang soạn")
	clean, _, err := photo.Clean(img)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.store.OpenPhoto(context.Background(), feedback.HashSecret(string(clean))); !notFound(err) {
		t.Errorf("the photo of a dropped draft is stored (err %v)", err)
	}
	if _, ok, _ := (&Bot{store: e.store}).loadDraft(context.Background(), 1008); ok {
		t.Error("draft still there after /huy")
	}
}

// TestStatusWithholdsCitizenTextOfPrivateReports: any chat may look up any
// code, so a reopen reason shows only on a report its author agreed to
// publish, as on the web.
func TestStatusWithholdsCitizenTextOfPrivateReports(t *testing.T) {
	e := mustEnv(t)
	e.start()
	u := e.user(1007, "vi")
	for i, public := range []bool{false, true} {
		ctx := context.Background()
		rc, err := e.intake.Submit(ctx, intake.Submission{Channel: feedback.ChannelWeb, Public: public,
			Text: "Rác thải đổ thành đống ở đầu hẻm 12 Lê Lợi, phường 5", IdempotencyKey: "status-" + strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		r := rc.Report
		reason := "Nhà tôi ở số 14 vẫn còn rác, gọi 0905777888"
		if _, err := e.store.AppendEvents(ctx, []feedback.Event{{Type: feedback.EventStatusChanged, ReportID: r.ID, ReportCode: r.Code,
			Public: true, Actor: feedback.ActorCitizen, From: feedback.StatusResolved, To: feedback.StatusInProgress, Text: reason}}); err != nil {
			t.Fatal(err)
		}
		u.say("/trangthai " + r.Code)
		st := u.expect("Phản ánh " + r.Code)
		if got := strings.Contains(st.Text, "0905777888"); got != public {
			t.Errorf("public=%v: reason shown = %v:\n%s", public, got, st.Text)
		}
		if !strings.Contains(st.Text, feedback.StatusInProgress.Label()) {
			t.Errorf("public=%v: status change missing:\n%s", public, st.Text)
		}
	}
}
