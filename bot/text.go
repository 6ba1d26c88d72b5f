package bot

import (
	"fmt"
	"strings"
)

// Languages of the dialogue. Vietnamese is the default; English is used
// when the user's Telegram client is set to English.
const (
	langVI = "vi"
	langEN = "en"
)

// langOf picks the dialogue language from a Telegram language_code.
func langOf(code string) string {
	if strings.HasPrefix(strings.ToLower(code), "en") {
		return langEN
	}
	return langVI
}

// messages are the bot's texts: Vietnamese first, then English. Texts
// with verbs take fmt arguments in the same order in both languages.
var messages = map[string][2]string{
	"welcome": {
		"Chào bạn! Đây là kênh tiếp nhận phản ánh của UBND %s về vệ sinh môi trường và trật tự đô thị.\n\n" +
			"Bạn có thể gửi phản ánh kèm ảnh và vị trí, tra cứu tình trạng xử lý và nhận thông báo ngay tại đây.",
		"Hello! This is the People's Committee of %s channel for reports about sanitation and urban order.\n\n" +
			"You can send a report with photos and a location, follow its progress and get updates right here.",
	},
	"btn_new":    {"📝 Gửi phản ánh", "📝 New report"},
	"btn_status": {"🔎 Tra cứu phản ánh", "🔎 Check a report"},
	"btn_mine":   {"📂 Phản ánh của tôi", "📂 My reports"},
	"btn_help":   {"ℹ️ Hướng dẫn", "ℹ️ Help"},
	"help": {
		"Hướng dẫn sử dụng:\n" +
			"• /start — mở menu chính\n" +
			"• Gửi phản ánh: bấm «📝 Gửi phản ánh», mô tả sự việc, gửi ảnh (tối đa 5) và vị trí\n" +
			"• /trangthai MÃ — xem tình trạng xử lý (ví dụ /trangthai 7K3M9Q2X)\n" +
			"• /cuatoi — các phản ánh bạn đã gửi\n" +
			"• /huy — hủy phản ánh đang soạn\n" +
			"• /kyten MÃ — ký một kiến nghị",
		"How to use this bot:\n" +
			"• /start — main menu\n" +
			"• New report: tap «📝 New report», describe the problem, send photos (up to 5) and the location\n" +
			"• /status CODE — see how a report is going (e.g. /status 7K3M9Q2X)\n" +
			"• /mine — the reports you sent\n" +
			"• /cancel — drop the report you are writing\n" +
			"• /sign ID — sign a petition",
	},
	"ask_text": {
		"Bạn vui lòng mô tả sự việc cần phản ánh (ít nhất 10 ký tự). Bạn cũng có thể gửi ảnh kèm chú thích.",
		"Please describe the problem (at least 10 characters). You can also send a photo with a caption.",
	},
	"text_short": {
		"Nội dung hơi ngắn, bạn vui lòng mô tả rõ hơn (ít nhất 10 ký tự).",
		"That is a little short; please describe the problem in more detail (at least 10 characters).",
	},
	"text_long": {"Nội dung quá dài (tối đa 5000 ký tự).", "The text is too long (5000 characters at most)."},
	"photo_no_text": {
		"Đã nhận ảnh. Bạn vui lòng mô tả thêm sự việc bằng vài dòng chữ.",
		"Photo received. Please describe the problem in a few words.",
	},
	"ask_location": {
		"Cảm ơn bạn. Bạn có thể gửi thêm ảnh (tối đa 5 ảnh).\n\n" +
			"Sau đó cho biết vị trí: bấm nút «📍 Gửi vị trí hiện tại» hoặc gõ địa chỉ (số nhà, đường, khu phố, phường).",
		"Thank you. You can send more photos (up to 5).\n\n" +
			"Then tell us where: tap «📍 Send my location» or type the address (street, neighbourhood, ward).",
	},
	"btn_location":  {"📍 Gửi vị trí hiện tại", "📍 Send my location"},
	"photo_ok":      {"Đã nhận ảnh %d/5.", "Photo %d/5 received."},
	"photo_max":     {"Mỗi phản ánh có tối đa 5 ảnh; ảnh này không được thêm.", "A report has at most 5 photos; this one was not added."},
	"photo_bad":     {"Không đọc được ảnh này. Vui lòng gửi ảnh JPEG, PNG hoặc WebP.", "This photo could not be read. Please send a JPEG, PNG or WebP image."},
	"photo_big":     {"Ảnh quá lớn (tối đa 10 MB).", "The photo is too large (10 MB at most)."},
	"photo_fail":    {"Không tải được ảnh, bạn vui lòng gửi lại.", "The photo could not be downloaded; please send it again."},
	"address_short": {"Địa chỉ hơi ngắn, bạn vui lòng ghi rõ hơn hoặc gửi vị trí.", "That address is short; please give more detail or share the location."},
	"ask_phone": {
		"Bạn có muốn để lại số điện thoại để cán bộ liên hệ khi cần không? (không bắt buộc, không công khai)",
		"Would you like to leave a phone number so officers can reach you if needed? (optional, never published)",
	},
	"btn_phone":  {"📱 Chia sẻ số điện thoại", "📱 Share my phone number"},
	"btn_skip":   {"Bỏ qua", "Skip"},
	"phone_bad":  {"Số điện thoại chưa đúng (ví dụ 0905 123 456). Bạn có thể bấm «Bỏ qua».", "That phone number does not look right (e.g. 0905 123 456). You can tap «Skip»."},
	"phone_ok":   {"Đã ghi nhận số điện thoại.", "Phone number noted."},
	"phone_skip": {"Đã bỏ qua số điện thoại.", "No phone number."},
	"summary": {
		"Vui lòng kiểm tra lại phản ánh:\n\n%s\n\n📷 Ảnh: %d\n📍 Vị trí: %s\n📱 Điện thoại: %s\n🏷️ Lĩnh vực: %s\n🏘️ Phường/xã: %s",
		"Please check your report:\n\n%s\n\n📷 Photos: %d\n📍 Location: %s\n📱 Phone: %s\n🏷️ Category: %s\n🏘️ Ward: %s",
	},
	"summary_point":   {"đã chia sẻ vị trí", "location shared"},
	"none":            {"không có", "none"},
	"unknown_cat":     {"chưa xác định — cán bộ sẽ phân loại", "not sure yet — an officer will decide"},
	"unknown_ward":    {"chưa xác định", "not known yet"},
	"btn_send":        {"✅ Gửi phản ánh", "✅ Send report"},
	"btn_other_cat":   {"🏷️ Chọn lĩnh vực khác", "🏷️ Pick another category"},
	"btn_cancel":      {"❌ Hủy", "❌ Cancel"},
	"btn_back":        {"⬅️ Quay lại", "⬅️ Back"},
	"pick_cat":        {"Chọn lĩnh vực phù hợp nhất:", "Pick the category that fits best:"},
	"confirm_buttons": {"Bấm «✅ Gửi phản ánh» để gửi, hoặc «❌ Hủy».", "Tap «✅ Send report» to send it, or «❌ Cancel»."},
	"sent": {
		"✅ Đã gửi phản ánh. Mã tra cứu của bạn: %s\nTình trạng: %s\n\nTheo dõi tại: %s\nBạn sẽ nhận thông báo tại đây khi có cập nhật.",
		"✅ Report sent. Your tracking code: %s\nStatus: %s\n\nFollow it at: %s\nYou will get updates right here.",
	},
	"send_fail":   {"Chưa gửi được phản ánh: %s", "The report could not be sent: %s"},
	"cancelled":   {"Đã hủy phản ánh đang soạn.", "The draft report was dropped."},
	"no_draft":    {"Bạn không có phản ánh nào đang soạn.", "You have no report in progress."},
	"expired":     {"Phiên làm việc đã hết hạn, bạn vui lòng bắt đầu lại.", "This session has expired; please start again."},
	"in_progress": {"Bạn đang soạn một phản ánh. Tiếp tục, hoặc gõ /huy để hủy.", "You are writing a report. Go on, or type /cancel to drop it."},
	"ask_code":    {"Bạn vui lòng gửi mã tra cứu (8 ký tự), ví dụ: /trangthai 7K3M9Q2X", "Please send the tracking code (8 characters), e.g. /status 7K3M9Q2X"},
	"bad_code":    {"Mã tra cứu không hợp lệ. Mã gồm 8 ký tự chữ và số, ví dụ 7K3M9Q2X.", "That is not a valid tracking code. Codes are 8 letters and digits, e.g. 7K3M9Q2X."},
	"not_found":   {"Không tìm thấy phản ánh có mã %s.", "No report with code %s."},
	"status": {
		"Phản ánh %s\nTình trạng: %s\nLĩnh vực: %s\nPhường/xã: %s\nGửi lúc: %s\n\nDiễn biến:\n%s\n\nChi tiết: %s",
		"Report %s\nStatus: %s\nCategory: %s\nWard: %s\nSent: %s\n\nTimeline:\n%s\n\nDetails: %s",
	},
	"mine_none":      {"Bạn chưa gửi phản ánh nào qua kênh này.", "You have not sent any report here yet."},
	"mine_head":      {"Các phản ánh của bạn:", "Your reports:"},
	"rate_limited":   {"Bạn gửi tin nhắn quá nhanh, vui lòng chờ một lát rồi thử lại.", "You are sending messages too fast; please wait a moment."},
	"push_status":    {"🔔 Phản ánh %s: %s", "🔔 Report %s: %s"},
	"push_reply":     {"💬 Phản hồi về phản ánh %s:\n%s", "💬 Reply about report %s:\n%s"},
	"timeline_reply": {"Phản hồi: %s", "Reply: %s"},
	"push_link":      {"Chi tiết: %s", "Details: %s"},
	"push_resolved":  {"Vấn đề đã được giải quyết chưa? Bạn vui lòng xác nhận hoặc đánh giá:", "Is the problem solved? Please confirm or rate the work:"},
	"btn_confirm":    {"✅ Đã xử lý xong", "✅ It is fixed"},
	"btn_reopen":     {"↩️ Chưa xử lý xong", "↩️ Not fixed"},
	"ask_reason":     {"Bạn vui lòng cho biết vì sao vấn đề chưa được giải quyết:", "Please tell us why the problem is not solved:"},
	"confirmed":      {"Cảm ơn bạn đã xác nhận. Phản ánh %s đã được đóng.", "Thank you for confirming. Report %s is closed."},
	"reopened":       {"Đã chuyển lại phản ánh %s cho đơn vị xử lý. Cảm ơn bạn.", "Report %s was sent back to the unit. Thank you."},
	"rated":          {"Cảm ơn bạn đã đánh giá %d/5.", "Thank you for rating %d/5."},
	"no_token":       {"Chỉ người đã gửi phản ánh qua kênh này mới thực hiện được thao tác này.", "Only the person who sent the report here can do this."},
	"action_fail":    {"Chưa thực hiện được: %s", "Could not do that: %s"},
	"staff_new": {
		"📋 Phản ánh %s chuyển đến %s\nLĩnh vực: %s\nPhường/xã: %s\nHạn xử lý: %s\n\n%s\n\n%s",
		"📋 Report %s assigned to %s\nCategory: %s\nWard: %s\nDue: %s\n\n%s\n\n%s",
	},
	"cmd_start":          {"Mở menu chính", "Main menu"},
	"cmd_new":            {"Gửi phản ánh mới", "Send a new report"},
	"cmd_status":         {"Tra cứu tình trạng xử lý theo mã", "Check a report by its code"},
	"cmd_mine":           {"Các phản ánh bạn đã gửi", "The reports you sent"},
	"cmd_cancel":         {"Hủy phản ánh đang soạn", "Drop the report you are writing"},
	"cmd_help":           {"Hướng dẫn sử dụng", "How to use this bot"},
	"cmd_sign":           {"Ký kiến nghị theo mã", "Sign a petition by its id"},
	"petitions_off":      {"Kênh này hiện chưa hỗ trợ ký kiến nghị. Bạn có thể ký trên trang web.", "Petitions cannot be signed here yet. You can sign on the website."},
	"ask_petition":       {"Bạn vui lòng gửi kèm mã kiến nghị (có trong đường dẫn của kiến nghị), ví dụ: /kyten 3f2a…", "Please add the petition's id (it is in the petition's link), e.g. /sign 3f2a…"},
	"petition_not_found": {"Không tìm thấy kiến nghị này, hoặc kiến nghị chưa được duyệt.", "No such petition, or it has not been approved yet."},
	"petition_closed":    {"Kiến nghị «%s» đã hết thời gian nhận chữ ký.\nChi tiết: %s", "The petition “%s” no longer takes signatures.\nDetails: %s"},
	"petition_ask": {
		"📜 Kiến nghị: %s\n\n%s\n\n✍️ Số chữ ký: %d\nChi tiết: %s\n\nBạn muốn ký kiến nghị này công khai tên hay ẩn danh?",
		"📜 Petition: %s\n\n%s\n\n✍️ Signatures: %d\nDetails: %s\n\nWould you like to sign with your name shown, or anonymously?",
	},
	"btn_sign_named": {"✍️ Ký và hiện tên", "✍️ Sign with my name"},
	"btn_sign_anon":  {"🕶️ Ký ẩn danh", "🕶️ Sign anonymously"},
	"signed_named": {
		"✅ Cảm ơn bạn đã ký kiến nghị (tên Telegram của bạn được hiển thị). Hiện có %d chữ ký.\nTrả lời chính thức sẽ được gửi đến bạn tại đây.\nChi tiết: %s",
		"✅ Thank you for signing (your Telegram name is shown). The petition now has %d signatures.\nThe official answer will be sent to you here.\nDetails: %s",
	},
	"signed_anon": {
		"✅ Cảm ơn bạn đã ký kiến nghị (ẩn danh). Hiện có %d chữ ký.\nTrả lời chính thức sẽ được gửi đến bạn tại đây.\nChi tiết: %s",
		"✅ Thank you for signing (anonymously). The petition now has %d signatures.\nThe official answer will be sent to you here.\nDetails: %s",
	},
	"sign_fail":         {"Chưa ký được: %s", "Could not sign: %s"},
	"group_only_alerts": {"Nhóm này chỉ nhận thông báo cho cán bộ.", "This group only receives staff alerts."},
	"error":             {"Đã có lỗi, bạn vui lòng thử lại sau ít phút.", "Something went wrong; please try again in a few minutes."},
}

// tr returns the text for key in lang, formatted with args.
func tr(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == langEN {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
