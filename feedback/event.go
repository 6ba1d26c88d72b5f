package feedback

import "time"

// EventType says what happened.
type EventType string

// The event types. Notifications, websockets, timelines and statistics are
// all derived from events.
const (
	EventCreated         EventType = "created"
	EventClassified      EventType = "classified"
	EventRouted          EventType = "routed"
	EventStatusChanged   EventType = "status_changed"
	EventPublicReply     EventType = "public_reply"
	EventInternalNote    EventType = "internal_note"
	EventPhotoAdded      EventType = "photo_added"
	EventSupporterAdded  EventType = "supporter_added"
	EventAssigned        EventType = "assigned"        // to an officer within the unit
	EventRecategorized   EventType = "recategorized"   // staff corrected category or ward
	EventCitizenMessage  EventType = "citizen_message" // e.g. an e-mail reply threaded in
	EventRated           EventType = "rated"
	EventMarkedDuplicate EventType = "marked_duplicate"
	EventOverdue         EventType = "overdue"
	EventEscalated       EventType = "escalated"
	EventQuarantined     EventType = "quarantined" // an inbound message that could not be parsed
)

// Event is one change, stored in the same atomic step as the change itself.
// Seq is store-wide and strictly increasing in commit order.
type Event struct {
	Seq        int64     `json:"seq"`
	Type       EventType `json:"type"`
	ReportID   string    `json:"report_id,omitempty"`
	ReportCode string    `json:"report_code,omitempty"`
	PetitionID string    `json:"petition_id,omitempty"`
	// UnitID is the unit responsible for the subject after the change; it
	// selects the staff topic the event is delivered to.
	UnitID string `json:"unit_id,omitempty"`
	// Public events appear on the citizen's timeline; others are staff-only.
	Public bool   `json:"public"`
	Actor  string `json:"actor"` // "citizen", "system", "user:<id>"
	From   Status `json:"from,omitempty"`
	To     Status `json:"to,omitempty"`
	// Text is a public reply, a note or a reason, as the event type says.
	Text string `json:"text,omitempty"`
	// Data carries small type-specific details (category, ward, photo id...).
	Data map[string]string `json:"data,omitempty"`
	At   time.Time         `json:"at"`
}

// Actors that are not staff accounts.
const (
	ActorCitizen = "citizen"
	ActorSystem  = "system"
)

// UserActor returns the actor string for a staff account.
func UserActor(userID string) string { return "user:" + userID }
