package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"phananh/feedback"
	"phananh/intake"
)

// demoActor is the staff account the demo's status changes are signed by.
var demoActor = feedback.UserActor("demo")

// demoStep is one thing the city did about a demo report.
type demoStep struct {
	after time.Duration // since the report was received
	to    feedback.Status
	text  string // the public reply or reason
}

// demoReport is one citizen's report in the demo, with its history.
type demoReport struct {
	ago      time.Duration // how long before start-up it was received
	channel  feedback.Channel
	text     string
	address  string
	lat, lng float64 // 0 when the citizen sent no point
	category string  // chosen by the citizen on the form; "" lets the classifier decide
	name     string
	phone    string
	public   bool
	steps    []demoStep
}

const day = 24 * time.Hour

// demoReports are the demo's reports: every status, most categories, a
// dozen wards of Tuy Hòa, and every channel.
func demoReports() []demoReport {
	return []demoReport{
		{ago: 9 * day, channel: feedback.ChannelWeb, category: "rac_thai", public: true, name: "Nguyễn Văn Hùng", phone: "0905 214 387",
			text:    "Bãi rác tự phát ở góc đường Trần Hưng Đạo và Lê Trung Kiên, phường 1. Người đi chợ vứt rác bừa bãi, bốc mùi hôi suốt mấy ngày nay.",
			address: "Góc Trần Hưng Đạo – Lê Trung Kiên, Phường 1", lat: 13.0952, lng: 109.3041,
			steps: []demoStep{
				{3 * time.Hour, feedback.StatusInProgress, "Công ty Môi trường đã tiếp nhận, đội vệ sinh sẽ thu gom trong chiều nay."},
				{day, feedback.StatusResolved, "Đã thu gom sạch bãi rác và đặt biển cấm đổ rác tại góc đường."},
				{2 * day, feedback.StatusClosed, "Người dân xác nhận đã xử lý xong. Cảm ơn ông đã phản ánh."},
			}},
		{ago: 3 * day, channel: feedback.ChannelTelegram, category: "thoat_nuoc", public: true,
			text: "Cống thoát nước trên đường Lê Lợi đoạn trước chợ phường 5 bị tắc, mỗi lần mưa là nước tràn vào nhà dân.",
			steps: []demoStep{
				{5 * time.Hour, feedback.StatusInProgress, "Đã cử công nhân khảo sát, dự kiến nạo vét cống trong tuần này."},
			}},
		{ago: 4 * day, channel: feedback.ChannelEmail, category: "chieu_sang", public: true, name: "Phạm Thị Lan",
			text: "Cả dãy đèn đường trên đường Nguyễn Văn Linh đoạn qua phường Phú Lâm tắt từ tuần trước, buổi tối rất tối và nguy hiểm cho người đi đường.",
			steps: []demoStep{
				{day, feedback.StatusInProgress, "Đội điện chiếu sáng đã kiểm tra, nguyên nhân do hỏng tủ điều khiển."},
				{2 * day, feedback.StatusResolved, "Đã thay tủ điều khiển và 6 bóng đèn hỏng, tuyến đường đã sáng trở lại."},
			}},
		{ago: 26 * time.Hour, channel: feedback.ChannelWeb, category: "tieng_on", public: true,
			text:    "Quán karaoke trên đường Nguyễn Trãi, phường 7 mở nhạc rất to đến 1 giờ sáng, nhiều đêm liền cả xóm không ngủ được.",
			address: "Đường Nguyễn Trãi, Phường 7"},
		{ago: 2 * day, channel: feedback.ChannelAPI, category: "lan_chiem", public: true,
			text: "Hàng quán lấn chiếm toàn bộ vỉa hè đường Độc Lập, phường 2, người đi bộ phải đi xuống lòng đường rất nguy hiểm.",
			steps: []demoStep{
				{6 * time.Hour, feedback.StatusInProgress, "Tổ trật tự đô thị phường sẽ kiểm tra và yêu cầu các hộ kinh doanh trả lại vỉa hè."},
			}},
		{ago: 12 * day, channel: feedback.ChannelTelegram, category: "cay_xanh", public: true, name: "Trần Minh Tuấn",
			text: "Cây bàng lớn trước trường tiểu học trên đường Lê Duẩn, phường 4 bị nghiêng sau cơn bão, cành lớn có nguy cơ gãy đổ vào học sinh.",
			steps: []demoStep{
				{2 * time.Hour, feedback.StatusInProgress, "Đã phong tỏa khu vực dưới tán cây, đội cây xanh đang đến hiện trường."},
				{8 * time.Hour, feedback.StatusResolved, "Đã cắt tỉa cành lớn và chằng chống lại cây."},
				{8 * day, feedback.StatusClosed, "Tự động hoàn thành sau 7 ngày không có ý kiến thêm."},
			}},
		{ago: 6 * time.Hour, channel: feedback.ChannelWeb, category: "xay_dung", public: true,
			text: "Công trình xây nhà ở thôn Chánh Oai, xã Bình Ngọc để cát đá tràn ra đường, xe tải chở vật liệu làm bụi mù mịt cả ngày."},
		{ago: 5 * day, channel: feedback.ChannelEmail, category: "o_nhiem", public: true, name: "Lê Văn Phúc", phone: "0914 552 019",
			text: "Cơ sở chế biến hải sản gần cảng cá phường Phú Đông xả nước thải ra mương thoát nước, mùi hôi tanh nồng nặc cả khu dân cư.",
			steps: []demoStep{
				{2 * day, feedback.StatusInProgress, "Phòng Tài nguyên và Môi trường đã lập đoàn kiểm tra cơ sở này."},
			}},
		{ago: 7 * day, channel: feedback.ChannelWeb, category: "quang_cao", public: true,
			text: "Quảng cáo khoan cắt bê tông, hút hầm cầu dán chi chít trên cột điện và tường nhà dọc đường Hùng Vương, phường 9.",
			steps: []demoStep{
				{day, feedback.StatusInProgress, ""},
				{3 * day, feedback.StatusResolved, "Đã bóc xóa quảng cáo rao vặt trên hơn 40 cột điện, đồng thời xử lý số điện thoại quảng cáo."},
			}},
		{ago: 2 * time.Hour, channel: feedback.ChannelAPI, public: true,
			text: "Cho tôi hỏi thủ tục xin cấp lại giấy phép kinh doanh hộ cá thể thì nộp hồ sơ ở đâu, cần những giấy tờ gì ạ?"},
		{ago: 5 * day, channel: feedback.ChannelTelegram, category: "xay_dung", public: true,
			text: "Nhà hàng xóm xây tường lấn sang đất nhà tôi khoảng 20 cm ở khu phố 3 phường 8, đề nghị phường giải quyết.",
			steps: []demoStep{
				{day, feedback.StatusRejected, "Tranh chấp ranh giới đất giữa các hộ gia đình thuộc thẩm quyền hòa giải ở cơ sở; đề nghị ông/bà liên hệ tổ hòa giải khu phố 3."},
			}},
		{ago: 30 * time.Hour, channel: feedback.ChannelTelegram, category: "giao_thong", public: false, name: "Võ Thị Hạnh",
			text: "Ổ gà lớn giữa đường Trần Phú đoạn gần ngã tư Nguyễn Tất Thành, phường 6, tối qua có người đi xe máy bị té.",
			steps: []demoStep{
				{4 * time.Hour, feedback.StatusInProgress, "Đã báo đơn vị duy tu đường bộ vá tạm ổ gà và đặt biển cảnh báo."},
			}},
	}
}

// seedDemo fills an empty store with the demo reports, through the real
// intake pipeline (back-dated) and real status changes, so every timeline
// is what the system itself would have written. A store that holds any
// report is left alone.
func seedDemo(ctx context.Context, a *app) error {
	page, err := a.store.FindReports(ctx, feedback.ReportFilter{Limit: 1})
	if err != nil {
		return err
	}
	if len(page.Reports) > 0 {
		a.log.Info("demo data skipped: the store already holds reports")
		return nil
	}
	now, n := time.Now(), 0
	for i, d := range demoReports() {
		// A custom city (PHANANH_CITY) may lack a demo category or rule:
		// skip that report rather than refuse to start.
		if err := seedOne(ctx, a, d, now.Add(-d.ago)); err != nil {
			a.log.Warn("demo report skipped", slog.Int("demo_report", i+1), slog.String("error", err.Error()))
			continue
		}
		n++
	}
	a.log.Info("demo data seeded", slog.Int("reports", n))
	return nil
}

func seedOne(ctx context.Context, a *app, d demoReport, at time.Time) error {
	svc := intake.New(intake.Deps{Store: a.store, City: a.city, Classifier: a.cls,
		Publisher: a.publisher, Now: func() time.Time { return at }, Threshold: a.cfg.ClassifierThreshold})
	sub := intake.Submission{Channel: d.channel, Text: d.text, Category: d.category, Address: d.address, Public: d.public,
		Reporter: feedback.Contact{Name: d.name, Phone: d.phone}}
	if d.lat != 0 {
		sub.Lat, sub.Lng = &d.lat, &d.lng
	}
	rc, err := svc.Submit(ctx, sub)
	if err != nil {
		return err
	}
	r := rc.Report
	for _, st := range d.steps {
		if err := demoMove(ctx, a, r, st.to, st.text, at.Add(st.after)); err != nil {
			return err
		}
	}
	return nil
}

// demoMove changes a report's status as an officer would.
func demoMove(ctx context.Context, a *app, r *feedback.Report, to feedback.Status, text string, at time.Time) error {
	if !feedback.CanTransition(r.Status, to) {
		return fmt.Errorf("demo script: %s → %s is not allowed", r.Status, to)
	}
	actor := demoActor
	switch to {
	case feedback.StatusInProgress:
		if r.FirstResponseAt == nil {
			r.FirstResponseAt = &at
		}
	case feedback.StatusResolved:
		r.ResolvedAt = &at
	case feedback.StatusClosed:
		r.ClosedAt = &at
		actor = feedback.ActorCitizen // the citizen confirmed the fix
		if r.ResolvedAt != nil && at.Sub(*r.ResolvedAt) >= time.Duration(a.city.AutoCloseDays)*day {
			actor = feedback.ActorSystem // nobody answered: closed automatically
		}
	}
	ev := feedback.Event{Type: feedback.EventStatusChanged, Public: true, Actor: actor, At: at,
		From: r.Status, To: to, Text: text}
	r.Status = to
	return demoUpdate(ctx, a, r, ev)
}

func demoUpdate(ctx context.Context, a *app, r *feedback.Report, events ...feedback.Event) error {
	for i := range events {
		events[i].ReportID, events[i].ReportCode, events[i].UnitID = r.ID, r.Code, r.Unit
	}
	appended, err := a.store.UpdateReport(ctx, r, events)
	if err != nil {
		return err
	}
	a.publisher.Publish(appended)
	return nil
}
