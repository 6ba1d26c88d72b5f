package server

import (
	"strings"
	"time"

	"phananh/feedback"
)

// Directory names the city's categories, wards and units for public views
// and validates list filters. Unknown ids return empty names and ok=false.
type Directory interface {
	CategoryName(code string) (vi, en string, ok bool)
	WardName(id string) (vi, en string, ok bool)
	UnitName(id string) (vi, en string, ok bool)
}

// ReportView is the public view of a report: what anyone holding the
// tracking code may see. It is built field by field from the report, so
// nothing private (contact, tokens, idempotency key, internal notes,
// assignee) can leak by being added to feedback.Report later.
type ReportView struct {
	Code           string      `json:"code"`
	Status         string      `json:"status"`
	StatusLabel    string      `json:"status_label"`
	StatusLabelEN  string      `json:"status_label_en"`
	Category       string      `json:"category,omitempty"`
	CategoryName   string      `json:"category_name,omitempty"`
	CategoryNameEN string      `json:"category_name_en,omitempty"`
	Ward           string      `json:"ward,omitempty"`
	WardName       string      `json:"ward_name,omitempty"`
	WardNameEN     string      `json:"ward_name_en,omitempty"`
	Unit           string      `json:"unit,omitempty"`
	UnitName       string      `json:"unit_name,omitempty"`
	UnitNameEN     string      `json:"unit_name_en,omitempty"`
	Priority       string      `json:"priority"`
	Public         bool        `json:"public"`
	Text           string      `json:"text,omitempty"`
	Address        string      `json:"address,omitempty"`
	Lat            *float64    `json:"lat,omitempty"`
	Lng            *float64    `json:"lng,omitempty"`
	Photos         []PhotoView `json:"photos"`
	Channel        string      `json:"channel"`
	Supporters     int         `json:"supporters"`
	DuplicateOf    string      `json:"duplicate_of,omitempty"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	DueAt          *time.Time  `json:"due_at,omitempty"`
	Overdue        bool        `json:"overdue"`
	ResolvedAt     *time.Time  `json:"resolved_at,omitempty"`
	ClosedAt       *time.Time  `json:"closed_at,omitempty"`
	Timeline       []EventView `json:"timeline,omitempty"`
}

// PhotoView is a photo as the public sees it: a URL, never a storage path.
type PhotoView struct {
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
	Kind        string `json:"kind,omitempty"`
}

// EventView is one entry of a report's public timeline.
type EventView struct {
	Seq           int64             `json:"seq"`
	Type          string            `json:"type"`
	Actor         string            `json:"actor"` // citizen, system or staff
	From          string            `json:"from,omitempty"`
	To            string            `json:"to,omitempty"`
	StatusLabel   string            `json:"status_label,omitempty"`
	StatusLabelEN string            `json:"status_label_en,omitempty"`
	Text          string            `json:"text,omitempty"`
	Data          map[string]string `json:"data,omitempty"`
	At            time.Time         `json:"at"`
}

// publicEventData lists the event details safe to publish: they name
// categories, wards, units, photos and reports, never people.
var publicEventData = map[string]bool{
	"category": true, "old_category": true, "ward": true, "old_ward": true,
	"unit": true, "old_unit": true, "photo": true, "duplicate_of": true,
	"kind": true, "channel": true, "unit_name": true, "due_at": true,
}

// viewer builds public views with the city's names.
type viewer struct {
	dir     Directory
	baseURL string
	now     func() time.Time
}

func (v *viewer) report(r *feedback.Report) ReportView {
	rv := ReportView{
		Code: r.Code, Status: string(r.Status),
		StatusLabel: r.Status.Label(), StatusLabelEN: r.Status.LabelEN(),
		Category: r.Category, Ward: r.Ward, Unit: r.Unit,
		Priority: string(r.Priority), Public: r.Public,
		Address: r.Location.Address, Lat: r.Location.Lat, Lng: r.Location.Lng,
		Photos: []PhotoView{}, Channel: string(r.Channel), Supporters: r.Supporters,
		DuplicateOf: r.DuplicateOf, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Overdue: r.Overdue(v.now()), ResolvedAt: r.ResolvedAt, ClosedAt: r.ClosedAt,
	}
	rv.CategoryName, rv.CategoryNameEN, _ = v.dir.CategoryName(r.Category)
	rv.WardName, rv.WardNameEN, _ = v.dir.WardName(r.Ward)
	rv.UnitName, rv.UnitNameEN, _ = v.dir.UnitName(r.Unit)
	if !r.DueAt.IsZero() {
		due := r.DueAt
		rv.DueAt = &due
	}
	// A citizen who asked not to be published keeps text and photos private:
	// a photo shows as much as a description.
	if r.Public {
		rv.Text = r.Text
		for _, p := range r.Photos {
			rv.Photos = append(rv.Photos, PhotoView{URL: photoURL(v.baseURL, p.ID), ContentType: p.ContentType, Kind: p.Kind})
		}
	}
	return rv
}

// event renders one public event. Text written by the citizen (a reopen
// reason, a message) is withheld when the report is not public.
func (v *viewer) event(e *feedback.Event, reportPublic bool) EventView {
	ev := EventView{Seq: e.Seq, Type: string(e.Type), Actor: publicActor(e.Actor),
		From: string(e.From), To: string(e.To), Text: e.Text, At: e.At}
	if e.To.Valid() {
		ev.StatusLabel, ev.StatusLabelEN = e.To.Label(), e.To.LabelEN()
	}
	if ev.Actor == feedback.ActorCitizen && !reportPublic {
		ev.Text = ""
	}
	for k, val := range e.Data {
		if publicEventData[k] {
			if ev.Data == nil {
				ev.Data = map[string]string{}
			}
			ev.Data[k] = val
		}
	}
	return ev
}

func (v *viewer) events(es []feedback.Event, reportPublic bool) []EventView {
	out := make([]EventView, 0, len(es))
	for i := range es {
		if es[i].Public {
			out = append(out, v.event(&es[i], reportPublic))
		}
	}
	return out
}

// publicActor hides which staff account acted: the public sees "staff".
func publicActor(a string) string {
	switch {
	case a == feedback.ActorCitizen || a == feedback.ActorSystem:
		return a
	case strings.HasPrefix(a, "user:"):
		return "staff"
	}
	return feedback.ActorSystem
}
