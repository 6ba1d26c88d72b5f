package feedback

import "time"

// Channel is how a report reached the city.
type Channel string

// The intake channels.
const (
	ChannelWeb      Channel = "web"
	ChannelAPI      Channel = "api"
	ChannelTelegram Channel = "telegram"
	ChannelEmail    Channel = "email"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	switch c {
	case ChannelWeb, ChannelAPI, ChannelTelegram, ChannelEmail:
		return true
	}
	return false
}

// Priority is how fast a report must be handled.
type Priority string

// The priorities. Urgent categories have an SLA in hours, not working days.
const (
	PriorityNormal Priority = "normal"
	PriorityUrgent Priority = "urgent"
)

// Limits on what a report may carry.
const (
	MinTextLen    = 10
	MaxTextLen    = 5000
	MaxPhotos     = 5
	MaxPhotoBytes = 10 << 20
)

// Location is where the problem is: coordinates, a free-text address, or both.
type Location struct {
	Lat     *float64 `json:"lat,omitempty"`
	Lng     *float64 `json:"lng,omitempty"`
	Address string   `json:"address,omitempty"`
}

// HasPoint reports whether the location has coordinates.
func (l Location) HasPoint() bool { return l.Lat != nil && l.Lng != nil }

// Contact is how to reach a reporter. It is personal data: it never appears
// in public views or logs.
type Contact struct {
	Name           string `json:"name,omitempty"`
	Phone          string `json:"phone,omitempty"`
	Email          string `json:"email,omitempty"`
	TelegramChatID int64  `json:"telegram_chat_id,omitempty"`
	Language       string `json:"language,omitempty"` // "vi" (default) or "en"
}

// Empty reports whether no contact detail is set.
func (c Contact) Empty() bool {
	return c.Name == "" && c.Phone == "" && c.Email == "" && c.TelegramChatID == 0
}

// Photo kinds: what the citizen sent, and what staff show after the fix.
const (
	PhotoBefore = "before"
	PhotoAfter  = "after"
)

// Photo is a stored, metadata-free image. ID is the hex sha256 of its bytes.
type Photo struct {
	ID          string `json:"id"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Kind        string `json:"kind,omitempty"`
}

// Alternative is a runner-up category with its probability.
type Alternative struct {
	Category   string  `json:"category"`
	Confidence float64 `json:"confidence"`
}

// Classification is what a classifier decided and why.
type Classification struct {
	Category     string        `json:"category"`
	Confidence   float64       `json:"confidence"`
	Alternatives []Alternative `json:"alternatives,omitempty"`
	Ward         string        `json:"ward,omitempty"`
	WardSpan     string        `json:"ward_span,omitempty"`   // the text that named the ward
	WardSource   string        `json:"ward_source,omitempty"` // "text", "polygon" or "citizen"
	Features     []string      `json:"features,omitempty"`    // the features that weighed most
	Model        string        `json:"model,omitempty"`       // which model decided: "local:<version>", "llm:<model>", "citizen"
}

// Report is one citizen's complaint and everything the city did about it.
// Its JSON (the stored document of the SQLite store) leaves out zero
// fields, which decode back to the same zero values.
type Report struct {
	ID             string         `json:"id,omitempty"`
	Code           string         `json:"code,omitempty"`
	Text           string         `json:"text"`
	Location       Location       `json:"location,omitzero"`
	Photos         []Photo        `json:"photos,omitempty"`
	Channel        Channel        `json:"channel"`
	Reporter       Contact        `json:"reporter,omitzero"`
	Public         bool           `json:"public"`
	Category       string         `json:"category,omitempty"`
	Ward           string         `json:"ward,omitempty"`
	Unit           string         `json:"unit,omitempty"`
	Classification Classification `json:"classification,omitzero"`
	Status         Status         `json:"status,omitempty"`
	Priority       Priority       `json:"priority,omitempty"`
	DueAt          time.Time      `json:"due_at,omitzero"`
	Supporters     int            `json:"supporters,omitempty"`

	// ReporterTokenHash is the hex sha256 of the secret the citizen got at
	// intake to confirm, reopen or rate; the secret itself is never stored.
	ReporterTokenHash string `json:"-"`
	// IdempotencyKey is unique per channel ("telegram:<chat>:<msg>",
	// "email:<Message-ID>", "web:<form token>"); empty when none was given.
	IdempotencyKey string `json:"-"`

	AssigneeID      string     `json:"assignee_id,omitempty"`
	DuplicateOf     string     `json:"duplicate_of,omitempty"` // code of the original report
	ReopenCount     int        `json:"reopen_count,omitempty"`
	Rating          int        `json:"rating,omitempty"` // 1..5, 0 when not rated
	RatingComment   string     `json:"rating_comment,omitempty"`
	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
	ResolvedAt      *time.Time `json:"resolved_at,omitempty"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	EscalationLevel int        `json:"escalation_level,omitempty"` // 0 none, 1 unit manager, 2 chairman's office

	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

// Overdue reports whether the report is open and past its due time at now.
func (r *Report) Overdue(now time.Time) bool {
	return r.Status.Open() && !r.DueAt.IsZero() && now.After(r.DueAt)
}
