package live

import (
	"encoding/json"
	"strings"
	"time"

	"phananh/feedback"
)

// Message is one event encoded for the wire, shared by every subscriber of
// the same view so that a fan-out encodes each event at most twice.
type Message struct {
	Seq  int64
	Data []byte // JSON of the event (public or staff view)
}

// publicDataKeys are the Data keys a citizen may see; everything else in
// Data stays on staff streams. A whitelist, so that a new key carrying
// personal data never leaks by default.
var publicDataKeys = map[string]bool{
	"category": true, "ward": true, "unit": true,
	"old_category": true, "old_ward": true, "old_unit": true,
	"photo": true, "photo_id": true, "kind": true,
	"duplicate_of": true, "rating": true, "supporters": true, "level": true,
}

// privateText are public events whose Text is still staff-only: the
// reason a supervisor gives for invalidating signatures may name the
// addresses or domains that were struck out.
var privateText = map[feedback.EventType]bool{feedback.EventSignaturesRemoved: true}

// publicEvent is the citizen view of an event: no internal ids, no staff
// account ids, no internal notes, no personal data.
type publicEvent struct {
	Seq        int64              `json:"seq"`
	Type       feedback.EventType `json:"type"`
	ReportCode string             `json:"report_code,omitempty"`
	PetitionID string             `json:"petition_id,omitempty"`
	UnitID     string             `json:"unit_id,omitempty"`
	Public     bool               `json:"public"`
	Actor      string             `json:"actor"`
	From       feedback.Status    `json:"from,omitempty"`
	To         feedback.Status    `json:"to,omitempty"`
	Text       string             `json:"text,omitempty"`
	Data       map[string]string  `json:"data,omitempty"`
	At         time.Time          `json:"at"`
}

// PublicView returns the citizen view of e; it is what public topics send.
// A supervisor's reason for invalidating signatures is left out, and so is
// text a citizen wrote (a reopen reason): the report may be one
// its author asked not to publish, which the hub does not know, and the
// tracking page shows that text itself when the report is public.
func PublicView(e feedback.Event) any {
	p := publicEvent{
		Seq: e.Seq, Type: e.Type, ReportCode: e.ReportCode, PetitionID: e.PetitionID,
		UnitID: e.UnitID, Public: e.Public, Actor: publicActor(e.Actor),
		From: e.From, To: e.To, At: e.At,
	}
	if e.Public && e.Actor != feedback.ActorCitizen && !privateText[e.Type] {
		p.Text = e.Text
	}
	for k, v := range e.Data {
		if publicDataKeys[k] {
			if p.Data == nil {
				p.Data = map[string]string{}
			}
			p.Data[k] = v
		}
	}
	return p
}

// publicActor hides which staff account acted: citizens see "staff".
func publicActor(actor string) string {
	switch {
	case actor == feedback.ActorCitizen, actor == feedback.ActorSystem:
		return actor
	case strings.HasPrefix(actor, "user:"):
		return "staff"
	}
	return feedback.ActorSystem
}

// encode returns the wire message of e for a public or a staff view.
func encode(e feedback.Event, public bool) (*Message, error) {
	var v any = e
	if public {
		v = PublicView(e)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &Message{Seq: e.Seq, Data: b}, nil
}
