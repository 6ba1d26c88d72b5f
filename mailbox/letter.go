package mailbox

import (
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"phananh/feedback"
)

// letter is the content of a mail to a citizen, Vietnamese first with an
// English summary; the templates only lay it out.
type letter struct {
	Subject    string
	Greeting   string
	Paragraphs []string // Vietnamese
	Quote      string   // a staff reply or a reason, shown set apart
	Link       string
	LinkLabel  string
	English    []string
	Signature  string
}

var textLetter = texttemplate.Must(texttemplate.New("text").Parse(`{{.Greeting}}

{{range .Paragraphs}}{{.}}

{{end}}{{with .Quote}}    "{{.}}"

{{end}}{{with .Link}}{{$.LinkLabel}}: {{.}}

{{end}}Trân trọng,
{{.Signature}}

--
{{range .English}}{{.}}
{{end}}`))

var htmlLetter = htmltemplate.Must(htmltemplate.New("html").Parse(`<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a">
<p>{{.Greeting}}</p>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{with .Quote}}<blockquote style="margin:0 0 1em;padding:.5em 1em;border-left:4px solid #0b6ea8;background:#f3f7fa;white-space:pre-wrap">{{.}}</blockquote>
{{end}}{{with .Link}}<p><a href="{{.}}" style="display:inline-block;padding:.6em 1.2em;background:#0b6ea8;color:#fff;text-decoration:none;border-radius:4px">{{$.LinkLabel}}</a></p>
{{end}}<p>Trân trọng,<br>{{.Signature}}</p>
<hr style="border:0;border-top:1px solid #ddd">
<p lang="en" style="color:#555;font-size:13px">{{range .English}}{{.}}<br>{{end}}</p>
</body></html>
`))

// render returns the plain text and HTML bodies of l.
func (l letter) render() (text, html string, err error) {
	var t, h strings.Builder
	if err := textLetter.Execute(&t, l); err != nil {
		return "", "", err
	}
	if err := htmlLetter.Execute(&h, l); err != nil {
		return "", "", err
	}
	return t.String(), h.String(), nil
}

// vnTime formats a time the way Vietnamese readers expect, in the city's
// zone (Asia/Ho_Chi_Minh, UTC+7 with no daylight saving).
func vnTime(t time.Time) string {
	return t.In(time.FixedZone("ICT", 7*3600)).Format("15:04 02/01/2006")
}

func greeting(c feedback.Contact) string {
	if c.Name != "" {
		return "Kính gửi Ông/Bà " + c.Name + ","
	}
	return "Kính gửi Ông/Bà,"
}

// ackLetter acknowledges a new report.
func (n *Notifier) ackLetter(r *feedback.Report, link string) letter {
	l := letter{
		Subject:  SubjectTag(r.Code) + " Đã tiếp nhận phản ánh / Report received",
		Greeting: greeting(r.Reporter), Link: link, LinkLabel: "Theo dõi phản ánh / Track your report",
		Signature: n.signature,
		Paragraphs: []string{
			"Chúng tôi đã tiếp nhận phản ánh của Ông/Bà. Mã số phản ánh: " + r.Code + ".",
			"Tình trạng hiện tại: " + r.Status.Label() + n.unitSuffix(r.Unit) + ".",
		},
		English: []string{
			"We have received your report. Tracking code: " + r.Code + ".",
			"Current status: " + r.Status.LabelEN() + ".",
		},
	}
	if !r.DueAt.IsZero() {
		l.Paragraphs = append(l.Paragraphs, "Thời hạn xử lý dự kiến: "+vnTime(r.DueAt)+".")
		l.English = append(l.English, "Expected by: "+vnTime(r.DueAt)+" (Vietnam time).")
	}
	l.Paragraphs = append(l.Paragraphs, "Ông/Bà có thể trả lời thư này để bổ sung thông tin hoặc hình ảnh; "+
		"vui lòng giữ nguyên mã "+SubjectTag(r.Code)+" trong tiêu đề.")
	l.English = append(l.English, "Reply to this e-mail to add information or photos; keep "+SubjectTag(r.Code)+" in the subject.")
	return l
}

// statusLetter tells the citizen about a status change.
func (n *Notifier) statusLetter(r *feedback.Report, e feedback.Event, link string) letter {
	l := letter{
		Subject:  SubjectTag(r.Code) + " Cập nhật: " + e.To.Label() + " / Status: " + e.To.LabelEN(),
		Greeting: greeting(r.Reporter), Quote: e.Text, Link: link, LinkLabel: "Xem chi tiết / View details",
		Signature: n.signature,
		Paragraphs: []string{"Phản ánh " + r.Code + " của Ông/Bà đã được chuyển sang trạng thái: " + e.To.Label() +
			n.unitSuffix(e.Data["unit"]) + "."},
		English: []string{"Your report " + r.Code + " is now: " + e.To.LabelEN() + "."},
	}
	if e.From == e.To && e.Data["unit"] != "" {
		l.Subject = SubjectTag(r.Code) + " Chuyển đơn vị xử lý / Transferred"
		l.Paragraphs = []string{"Phản ánh " + r.Code + " của Ông/Bà đã được chuyển cho đơn vị phù hợp hơn" + n.unitSuffix(e.Data["unit"]) + "."}
		l.English = []string{"Your report " + r.Code + " was transferred to another unit."}
	}
	if e.To == feedback.StatusResolved {
		l.Paragraphs = append(l.Paragraphs, "Nếu vấn đề đã được khắc phục, xin Ông/Bà xác nhận và đánh giá mức độ hài lòng; "+
			"nếu chưa, Ông/Bà có thể yêu cầu xử lý lại tại đường dẫn dưới đây.")
		l.English = append(l.English, "Please confirm and rate the fix, or reopen the report, at the link below.")
	}
	return l
}

// replyLetter carries a public reply from staff.
func (n *Notifier) replyLetter(r *feedback.Report, e feedback.Event, link string) letter {
	return letter{
		Subject:  SubjectTag(r.Code) + " Phản hồi từ cơ quan xử lý / Reply from the city",
		Greeting: greeting(r.Reporter), Quote: e.Text, Link: link, LinkLabel: "Xem chi tiết / View details",
		Signature:  n.signature,
		Paragraphs: []string{"Cơ quan xử lý đã phản hồi phản ánh " + r.Code + " của Ông/Bà:"},
		English:    []string{"The city replied to your report " + r.Code + " (quoted above, in Vietnamese)."},
	}
}

func (n *Notifier) unitSuffix(unit string) string {
	if unit == "" || n.unitName == nil {
		return ""
	}
	if name := n.unitName(unit); name != "" {
		return " (" + name + ")"
	}
	return ""
}
