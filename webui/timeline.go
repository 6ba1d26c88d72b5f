package webui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"phananh/feedback"
)

// entry is one line of a report's timeline as a page shows it.
type entry struct {
	Seq     int64
	At      time.Time
	Title   string
	Text    string
	Kind    string // css class: status, reply, note, system
	Actor   string
	Status  feedback.Status
	Private bool // an internal note or a staff-only event
}

// eventTitles name the event types on a timeline.
var eventTitles = map[feedback.EventType][2]string{
	feedback.EventCreated:         {"Đã nhận phản ánh", "Report received"},
	feedback.EventClassified:      {"Hệ thống phân loại", "Classified by the system"},
	feedback.EventPublicReply:     {"Phản hồi của cơ quan xử lý", "Reply from the city"},
	feedback.EventInternalNote:    {"Ghi chú nội bộ", "Internal note"},
	feedback.EventPhotoAdded:      {"Đã thêm ảnh sau khi xử lý", "Photo added after the fix"},
	feedback.EventSupporterAdded:  {"Thêm một người dân cùng phản ánh", "Another citizen has the same problem"},
	feedback.EventAssigned:        {"Giao cho cán bộ", "Assigned to an officer"},
	feedback.EventRecategorized:   {"Điều chỉnh lĩnh vực hoặc địa bàn", "Category or ward corrected"},
	feedback.EventCitizenMessage:  {"Tin nhắn của người phản ánh", "Message from the citizen"},
	feedback.EventRated:           {"Người dân đánh giá", "Rated by the citizen"},
	feedback.EventMarkedDuplicate: {"Gộp vào phản ánh trùng", "Merged into an earlier report"},
	feedback.EventOverdue:         {"Quá hạn xử lý", "Past its due time"},
	feedback.EventEscalated:       {"Báo cáo lên cấp trên", "Escalated"},
}

// entry renders an event. Public timelines (staff=false) hide who acted
// and withhold a private reporter's own words; staff see everything.
func (l *lang) entry(e feedback.Event, reportPublic, staff bool, names map[string]string) entry {
	en := entry{Seq: e.Seq, At: e.At, Kind: "system", Private: !e.Public}
	if t, ok := eventTitles[e.Type]; ok {
		en.Title = l.Msg(t[0], t[1])
	} else {
		en.Title = string(e.Type)
	}
	switch e.Type {
	case feedback.EventStatusChanged:
		en.Kind, en.Status = "status", e.To
		en.Title = l.Status(e.To)
		if unit := e.Data["unit"]; unit != "" && e.To == feedback.StatusAssigned {
			en.Title += ": " + l.Unit(unit)
		}
		if feedback.NeedsReason(e.From, e.To) {
			en.Text = e.Text
		}
	case feedback.EventPublicReply, feedback.EventCitizenMessage:
		en.Kind, en.Text = "reply", e.Text
	case feedback.EventInternalNote:
		en.Kind, en.Text = "note", e.Text
	case feedback.EventMarkedDuplicate:
		en.Text = e.Data["original"]
	case feedback.EventRecategorized:
		en.Text = strings.Trim(l.Cat(e.Data["category"])+" · "+l.Ward(e.Data["ward"]), " ·")
	case feedback.EventRated:
		en.Text = strings.TrimSpace(e.Data["score"] + "/5 " + e.Text)
	case feedback.EventClassified:
		en.Text = strings.Trim(l.Cat(e.Data["category"])+" · "+l.Ward(e.Data["ward"]), " ·")
		if conf, err := strconv.ParseFloat(e.Data["confidence"], 64); err == nil {
			en.Text += fmt.Sprintf(" (%.0f%%, %s)", conf*100, e.Data["model"])
		}
	}
	citizen := e.Actor == feedback.ActorCitizen
	if citizen && !reportPublic && !staff {
		en.Text = ""
	}
	en.Actor = l.actor(e.Actor, staff, names)
	return en
}

// actor names who acted: staff see their colleagues' names (or the start
// of an unknown account's id); the public sees only "officer".
func (l *lang) actor(a string, staff bool, names map[string]string) string {
	id, isUser := strings.CutPrefix(a, "user:")
	switch {
	case a == feedback.ActorCitizen:
		return l.T("actor.citizen")
	case a == feedback.ActorSystem:
		return l.T("actor.system")
	case staff && isUser && names[id] != "":
		return names[id]
	case staff && isUser:
		return l.T("actor.staff") + " " + id[:min(8, len(id))]
	}
	return l.T("actor.staff")
}

// timeline renders events, keeping only public ones unless staff. names
// maps staff account ids to display names.
func (l *lang) timeline(es []feedback.Event, reportPublic, staff bool, names map[string]string) []entry {
	out := make([]entry, 0, len(es))
	for _, e := range es {
		if e.Public || staff {
			out = append(out, l.entry(e, reportPublic, staff, names))
		}
	}
	return out
}
