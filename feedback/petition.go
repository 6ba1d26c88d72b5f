package feedback

import (
	"context"
	"strconv"
	"time"
)

// PetitionStatus is where a petition (kiến nghị) stands.
type PetitionStatus string

// The petition statuses. A petition is created pending moderation, then
// approved (open for signatures) or rejected; an open petition closes when
// its signing window ends. The official answer is not a status: it may
// come while signatures are still being collected.
const (
	PetitionPending  PetitionStatus = "pending"
	PetitionRejected PetitionStatus = "rejected"
	PetitionOpen     PetitionStatus = "open"
	PetitionClosed   PetitionStatus = "closed"
)

// Published reports whether citizens may see a petition in this status.
func (s PetitionStatus) Published() bool { return s == PetitionOpen || s == PetitionClosed }

// Petition origins.
const (
	OriginCitizen = "citizen" // a citizen wrote it
	OriginStaff   = "staff"   // staff promoted a cluster of reports
)

// Petition limits.
const (
	MinPetitionTitleLen = 10
	MaxPetitionTitleLen = 200
	MaxSourceReports    = 200
)

// The petition event types. Public ones reach the petition's live topic.
const (
	EventPetitionCreated       EventType = "petition_created"        // staff-only: awaits moderation
	EventPetitionApproved      EventType = "petition_approved"       // public: open for signatures
	EventPetitionRejected      EventType = "petition_rejected"       // staff-only, Text = reason
	EventSignatureAdded        EventType = "signature_added"         // public, Data supporters = count
	EventSignaturesRemoved     EventType = "signatures_invalidated"  // public, Data supporters = count
	EventThresholdReached      EventType = "threshold_reached"       // public, Data level, supporters, unit
	EventPetitionClosed        EventType = "petition_closed"         // public
	EventPetitionAnswered      EventType = "petition_answered"       // public, Text = the answer
	EventPetitionAnswerOverdue EventType = "petition_answer_overdue" // staff-only
)

// PetitionThreshold is a signature count that obliges an answer: from the
// moment it is reached, Unit must answer within WorkingDays working days.
// A petition keeps the thresholds in force when it was approved.
type PetitionThreshold struct {
	Signatures  int    `json:"signatures"`
	Unit        string `json:"unit"`
	WorkingDays int    `json:"working_days"`
}

// PetitionAnswer is the official answer, published on the petition.
type PetitionAnswer struct {
	Text   string    `json:"text"`
	UnitID string    `json:"unit_id,omitempty"`
	By     string    `json:"by,omitempty"` // staff user id; not shown publicly
	At     time.Time `json:"at"`
}

// Petition is a demand that citizens co-sign. Author is personal data: it
// never appears in public views or logs.
type Petition struct {
	ID       string  `json:"id"`
	Title    string  `json:"title"`
	Text     string  `json:"text"`
	Category string  `json:"category"`
	Ward     string  `json:"ward,omitempty"` // "" is city-wide
	Photos   []Photo `json:"photos,omitempty"`
	Origin   string  `json:"origin"`
	// Unit is the unit the category and ward route to; it answers unless a
	// threshold names another.
	Unit          string              `json:"unit,omitempty"`
	SourceReports []string            `json:"source_reports,omitempty"` // codes, staff promotion
	Author        Contact             `json:"author"`
	CreatedBy     string              `json:"created_by"` // "citizen" or "user:<id>"
	Status        PetitionStatus      `json:"status"`
	RejectReason  string              `json:"reject_reason,omitempty"`
	Thresholds    []PetitionThreshold `json:"thresholds,omitempty"`

	// Signatures is the count of confirmed, valid signatures and Level the
	// number of thresholds reached. Only the signature writes of a
	// PetitionStore change them, in the same atomic step as the signature.
	Signatures int `json:"signatures"`
	Level      int `json:"level"`
	// AnswerUnit and AnswerDueAt are set when a threshold is reached.
	AnswerUnit  string          `json:"answer_unit,omitempty"`
	AnswerDueAt time.Time       `json:"answer_due_at,omitempty"`
	Answer      *PetitionAnswer `json:"answer,omitempty"`
	// AnswerOverdue is set once the overdue event was written.
	AnswerOverdue bool `json:"answer_overdue,omitempty"`

	CreatedAt   time.Time `json:"created_at"`
	PublishedAt time.Time `json:"published_at,omitempty"`
	ClosesAt    time.Time `json:"closes_at,omitempty"`
	ClosedAt    time.Time `json:"closed_at,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Version increases with every UpdatePetition and every threshold
	// reached; UpdatePetition is compare-and-set on it.
	Version int64 `json:"version"`
}

// Storable checks what every store needs of a petition. Errors: EINVALID.
func (p *Petition) Storable() error {
	if p.ID == "" || p.Status == "" || p.CreatedAt.IsZero() {
		return FieldError("petition", "Kiến nghị thiếu thông tin.", "id, status and creation time are required")
	}
	return nil
}

// Signable reports whether the petition accepts signatures at now.
func (p *Petition) Signable(now time.Time) bool {
	return p.Status == PetitionOpen && now.Before(p.ClosesAt)
}

// AddSignatures counts n new confirmed signatures at time at and returns
// the events that say so: one signature_added, and one threshold_reached
// per threshold the count passes for the first time (Level never goes
// down, so a threshold is announced once). due computes the answer's due
// time from at (the city's working calendar). Stores call it inside the
// atomic step that stores the signature.
func (p *Petition) AddSignatures(n int, at time.Time, due func(from time.Time, workingDays int) time.Time) []Event {
	p.Signatures += n
	evs := []Event{p.event(EventSignatureAdded, at, map[string]string{"supporters": strconv.Itoa(p.Signatures)})}
	for p.Level < len(p.Thresholds) && p.Signatures >= p.Thresholds[p.Level].Signatures {
		th := p.Thresholds[p.Level]
		p.Level++
		p.AnswerUnit = th.Unit
		if due != nil {
			p.AnswerDueAt = due(at, th.WorkingDays).UTC()
		}
		p.AnswerOverdue = false
		e := p.event(EventThresholdReached, at, map[string]string{
			"level": strconv.Itoa(p.Level), "supporters": strconv.Itoa(th.Signatures), "unit": th.Unit,
			"due_at": p.AnswerDueAt.Format(time.RFC3339),
		})
		e.UnitID = th.Unit
		e.Text = "Kiến nghị đã đạt " + strconv.Itoa(th.Signatures) + " chữ ký: cơ quan có thẩm quyền phải trả lời trong " +
			strconv.Itoa(th.WorkingDays) + " ngày làm việc."
		evs = append(evs, e)
	}
	return evs
}

// RemoveSignatures uncounts n invalidated signatures and returns the public
// event. The supervisor's reason can name addresses or domains, so it goes
// to the audit log only, never into this event.
func (p *Petition) RemoveSignatures(n int, at time.Time) Event {
	p.Signatures = max(0, p.Signatures-n)
	e := p.event(EventSignaturesRemoved, at, map[string]string{"supporters": strconv.Itoa(p.Signatures), "removed": strconv.Itoa(n)})
	e.Text = "Một số chữ ký không hợp lệ đã bị hủy; số chữ ký đã được tính lại."
	return e
}

func (p *Petition) event(t EventType, at time.Time, data map[string]string) Event {
	return Event{Type: t, PetitionID: p.ID, UnitID: p.Unit, Public: true, Actor: ActorSystem, Data: data, At: at}
}

// SignatureStatus is where a signature stands.
type SignatureStatus string

// The signature statuses: pending e-mail confirmation, confirmed (counted)
// and invalidated by a supervisor (no longer counted; the identity cannot
// sign that petition again).
const (
	SignaturePending   SignatureStatus = "pending"
	SignatureConfirmed SignatureStatus = "confirmed"
	SignatureInvalid   SignatureStatus = "invalid"
)

// Signature methods: how the identity was verified.
const (
	SignByEmail    = "email"
	SignByTelegram = "telegram"
)

// Signature is one identity's support for a petition. Email and ChatID are
// personal data: never shown or logged. Identity is what makes a signature
// unique within a petition: HashSecret of the normalised e-mail address or
// of the Telegram chat id.
type Signature struct {
	ID          string          `json:"id"`
	PetitionID  string          `json:"petition_id"`
	Method      string          `json:"method"`
	Identity    string          `json:"-"`
	Email       string          `json:"-"` // as normalised
	EmailDomain string          `json:"-"` // normalised domain, for bulk invalidation
	ChatID      int64           `json:"-"`
	Name        string          `json:"name,omitempty"`
	ShowName    bool            `json:"show_name"`
	Language    string          `json:"-"`
	IP          string          `json:"-"`
	Status      SignatureStatus `json:"status"`
	CreatedAt   time.Time       `json:"created_at"`
	ConfirmedAt time.Time       `json:"confirmed_at,omitempty"`
}

// Storable checks what every store needs of a signature. Errors: EINVALID.
func (s *Signature) Storable() error {
	if s.ID == "" || s.PetitionID == "" || s.Identity == "" || s.CreatedAt.IsZero() {
		return FieldError("signature", "Chữ ký thiếu thông tin.", "id, petition, identity and time are required")
	}
	return nil
}

// PublicName returns the name to show, "" when the signer did not agree.
func (s *Signature) PublicName() string {
	if !s.ShowName {
		return ""
	}
	return s.Name
}

// SignatureToken is a one-time e-mail confirmation token, stored hashed.
type SignatureToken struct {
	Hash      string
	ExpiresAt time.Time
}

// SignOutcome is what a signature write did.
type SignOutcome struct {
	Signature *Signature
	// Count is the petition's confirmed count after the write.
	Count int
	// Already reports that the token had been used before: nothing changed.
	Already bool
	// Events are the events appended (signature_added, threshold_reached).
	Events []Event
}

// SignatureSelector picks signatures of one petition to invalidate; at
// least one field must be set, and all set fields must match.
type SignatureSelector struct {
	EmailDomain string
	IP          string
	From, Until time.Time // created at or after From, before Until
}

// Empty reports whether the selector selects nothing in particular.
func (s SignatureSelector) Empty() bool {
	return s.EmailDomain == "" && s.IP == "" && s.From.IsZero() && s.Until.IsZero()
}

// SignatureFilter lists signatures of a petition in id order.
type SignatureFilter struct {
	PetitionID string
	Status     SignatureStatus // "" is any
	AfterID    string
	Limit      int // stores clamp it to 1..1000, default 100
}

// PetitionFilter selects petitions. Zero fields do not filter.
type PetitionFilter struct {
	Status   []PetitionStatus
	Category string
	Ward     string
	// Order is "newest" (created_at desc, the default) or "signatures"
	// (count desc).
	Order  string
	Offset int
	Limit  int // stores clamp it to 1..100, default 20
}

// PetitionStore keeps petitions and their signatures. Signature writes
// change the counter and reach thresholds in the same atomic step as the
// signature, so that counts stay exact and a threshold is reached once.
type PetitionStore interface {
	// CreatePetition stores a new petition with its events.
	// Errors: EINVALID, ECONFLICT (id taken).
	CreatePetition(ctx context.Context, p *Petition, events []Event) ([]Event, error)

	// Petition returns a petition by id. Errors: ENOTFOUND.
	Petition(ctx context.Context, id string) (*Petition, error)

	// FindPetitions returns petitions matching f.
	FindPetitions(ctx context.Context, f PetitionFilter) ([]*Petition, error)

	// UpdatePetition stores p if its stored version still equals p.Version,
	// with Version+1, and appends events, atomically. Signatures and Level
	// are not written (signature writes own them). Errors: ENOTFOUND,
	// ECONFLICT (version moved on).
	UpdatePetition(ctx context.Context, p *Petition, events []Event) ([]Event, error)

	// SignatureCount returns the confirmed count from the counter.
	// Errors: ENOTFOUND.
	SignatureCount(ctx context.Context, petitionID string) (int, error)

	// RequestSignature stores sig as pending with a confirmation token;
	// when the identity already has a pending signature the token is added
	// to it (sig.ID is then set to it). Errors: ENOTFOUND (petition),
	// ECONFLICT (the identity already signed, or the petition does not
	// accept signatures at sig.CreatedAt).
	RequestSignature(ctx context.Context, sig *Signature, tok SignatureToken) error

	// ConfirmSignature confirms the signature of a token at time at, counts
	// it and reaches thresholds (Petition.AddSignatures with due).
	// Following a used token again changes nothing (Already).
	// Errors: ENOTFOUND (unknown token), EINVALID field "token" (expired),
	// ECONFLICT (invalidated, or the petition closed).
	ConfirmSignature(ctx context.Context, tokenHash string, at time.Time, due func(time.Time, int) time.Time) (SignOutcome, error)

	// AddSignature stores a signature confirmed at once (Telegram), counts
	// it and reaches thresholds like ConfirmSignature. Errors: ENOTFOUND
	// (petition), ECONFLICT (the identity already signed, petition closed).
	AddSignature(ctx context.Context, sig *Signature, due func(time.Time, int) time.Time) (SignOutcome, error)

	// InvalidateSignatures marks the pending and confirmed signatures of a
	// petition that sel selects invalid, uncounts the confirmed ones and
	// appends Petition.RemoveSignatures' event (when any was counted). It
	// returns how many confirmed signatures were invalidated, the new count
	// and the events. Errors: EINVALID (empty selector), ENOTFOUND.
	InvalidateSignatures(ctx context.Context, petitionID string, sel SignatureSelector, at time.Time) (removed, count int, events []Event, err error)

	// Signatures lists signatures in id order, with their contact details
	// (for delivering the answer); callers show only PublicName.
	Signatures(ctx context.Context, f SignatureFilter) ([]*Signature, error)
}

// Errors the petition stores and service share.
var (
	// ErrPetitionNotSignable is returned for a petition that is not open.
	ErrPetitionNotSignable = Errorf(ECONFLICT, "Kiến nghị không còn nhận chữ ký.", "The petition is not open for signatures.")
	// ErrAlreadySigned is returned when the identity already signed.
	ErrAlreadySigned = &Error{Code: ECONFLICT, Field: "email", Message: "Bạn đã ký kiến nghị này rồi.", MessageEN: "You have already signed this petition."}
	// ErrTokenExpired is returned for an expired confirmation link.
	ErrTokenExpired = &Error{Code: EINVALID, Field: "token", Message: "Liên kết xác nhận đã hết hạn. Vui lòng ký lại để nhận liên kết mới.", MessageEN: "The confirmation link has expired. Please sign again to get a new one."}
	// ErrSignatureInvalidated is returned when confirming an invalidated signature.
	ErrSignatureInvalidated = Errorf(ECONFLICT, "Chữ ký này đã bị hủy.", "This signature was invalidated.")
)
