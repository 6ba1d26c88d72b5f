package mongo

import (
	"time"

	"phananh/feedback"
)

// noDueSort stands in for a missing due time in due_sort, so that an
// ascending sort puts reports without one last.
var noDueSort = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// reportDoc is how a report is stored. Field names are snake_case so that
// operators can read the collection; personal data stays in "reporter".
type reportDoc struct {
	ID             string      `bson:"_id"`
	Code           string      `bson:"code"`
	Text           string      `bson:"text"`
	Location       locationDoc `bson:"location"`
	Photos         []photoRef  `bson:"photos,omitempty"`
	Channel        string      `bson:"channel"`
	Reporter       contactDoc  `bson:"reporter"`
	Public         bool        `bson:"public"`
	Category       string      `bson:"category,omitempty"`
	Ward           string      `bson:"ward,omitempty"`
	Unit           string      `bson:"unit,omitempty"`
	Classification classDoc    `bson:"classification"`
	Status         string      `bson:"status"`
	Priority       string      `bson:"priority"`
	DueAt          time.Time   `bson:"due_at,omitempty"`
	// DueSort is DueAt, or noDueSort when there is none: the key of the
	// "due" order and its cursor.
	DueSort    time.Time `bson:"due_sort"`
	Supporters int       `bson:"supporters"`

	ReporterTokenHash string `bson:"reporter_token_hash,omitempty"`
	// IdempotencyKey is absent, not empty, when unset: its unique index is
	// sparse.
	IdempotencyKey string `bson:"idempotency_key,omitempty"`

	AssigneeID      string     `bson:"assignee_id,omitempty"`
	DuplicateOf     string     `bson:"duplicate_of,omitempty"`
	ReopenCount     int        `bson:"reopen_count"`
	Rating          int        `bson:"rating,omitempty"`
	RatingComment   string     `bson:"rating_comment,omitempty"`
	FirstResponseAt *time.Time `bson:"first_response_at,omitempty"`
	ResolvedAt      *time.Time `bson:"resolved_at,omitempty"`
	ClosedAt        *time.Time `bson:"closed_at,omitempty"`
	EscalationLevel int        `bson:"escalation_level"`

	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
	Version   int64     `bson:"version"`
}

type locationDoc struct {
	Lat     *float64 `bson:"lat,omitempty"`
	Lng     *float64 `bson:"lng,omitempty"`
	Address string   `bson:"address,omitempty"`
}

type photoRef struct {
	ID          string `bson:"id"`
	ContentType string `bson:"content_type"`
	Size        int64  `bson:"size"`
	Kind        string `bson:"kind,omitempty"`
}

type contactDoc struct {
	Name           string `bson:"name,omitempty"`
	Phone          string `bson:"phone,omitempty"`
	Email          string `bson:"email,omitempty"`
	TelegramChatID int64  `bson:"telegram_chat_id,omitempty"`
	Language       string `bson:"language,omitempty"`
}

type classDoc struct {
	Category     string           `bson:"category,omitempty"`
	Confidence   float64          `bson:"confidence"`
	Alternatives []alternativeDoc `bson:"alternatives,omitempty"`
	Ward         string           `bson:"ward,omitempty"`
	WardSpan     string           `bson:"ward_span,omitempty"`
	WardSource   string           `bson:"ward_source,omitempty"`
	Features     []string         `bson:"features,omitempty"`
	Model        string           `bson:"model,omitempty"`
}

type alternativeDoc struct {
	Category   string  `bson:"category"`
	Confidence float64 `bson:"confidence"`
}

// toReportDoc converts a report for storage. Times must already be at
// millisecond precision (see msUTC) for round trips to be exact.
func toReportDoc(r *feedback.Report) reportDoc {
	d := reportDoc{
		ID: r.ID, Code: r.Code, Text: r.Text,
		Location: locationDoc{Lat: r.Location.Lat, Lng: r.Location.Lng, Address: r.Location.Address},
		Channel:  string(r.Channel),
		Reporter: contactDoc(r.Reporter),
		Public:   r.Public, Category: r.Category, Ward: r.Ward, Unit: r.Unit,
		Classification: toClassDoc(r.Classification),
		Status:         string(r.Status), Priority: string(r.Priority),
		DueAt: r.DueAt, DueSort: r.DueAt, Supporters: r.Supporters,
		ReporterTokenHash: r.ReporterTokenHash, IdempotencyKey: r.IdempotencyKey,
		AssigneeID: r.AssigneeID, DuplicateOf: r.DuplicateOf, ReopenCount: r.ReopenCount,
		Rating: r.Rating, RatingComment: r.RatingComment,
		FirstResponseAt: r.FirstResponseAt, ResolvedAt: r.ResolvedAt, ClosedAt: r.ClosedAt,
		EscalationLevel: r.EscalationLevel,
		CreatedAt:       r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version,
	}
	if d.DueSort.IsZero() {
		d.DueSort = noDueSort
	}
	for _, p := range r.Photos {
		d.Photos = append(d.Photos, photoRef(p))
	}
	return d
}

func toClassDoc(c feedback.Classification) classDoc {
	d := classDoc{
		Category: c.Category, Confidence: c.Confidence, Ward: c.Ward,
		WardSpan: c.WardSpan, WardSource: c.WardSource, Features: c.Features, Model: c.Model,
	}
	for _, a := range c.Alternatives {
		d.Alternatives = append(d.Alternatives, alternativeDoc(a))
	}
	return d
}

// report converts a stored document back to the domain type.
func (d *reportDoc) report() *feedback.Report {
	r := &feedback.Report{
		ID: d.ID, Code: d.Code, Text: d.Text,
		Location: feedback.Location{Lat: d.Location.Lat, Lng: d.Location.Lng, Address: d.Location.Address},
		Channel:  feedback.Channel(d.Channel),
		Reporter: feedback.Contact(d.Reporter),
		Public:   d.Public, Category: d.Category, Ward: d.Ward, Unit: d.Unit,
		Classification: d.Classification.classification(),
		Status:         feedback.Status(d.Status), Priority: feedback.Priority(d.Priority),
		DueAt: utc(d.DueAt), Supporters: d.Supporters,
		ReporterTokenHash: d.ReporterTokenHash, IdempotencyKey: d.IdempotencyKey,
		AssigneeID: d.AssigneeID, DuplicateOf: d.DuplicateOf, ReopenCount: d.ReopenCount,
		Rating: d.Rating, RatingComment: d.RatingComment,
		FirstResponseAt: utcPtr(d.FirstResponseAt), ResolvedAt: utcPtr(d.ResolvedAt),
		ClosedAt: utcPtr(d.ClosedAt), EscalationLevel: d.EscalationLevel,
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt), Version: d.Version,
	}
	for _, p := range d.Photos {
		r.Photos = append(r.Photos, feedback.Photo(p))
	}
	return r
}

func (d *classDoc) classification() feedback.Classification {
	c := feedback.Classification{
		Category: d.Category, Confidence: d.Confidence, Ward: d.Ward,
		WardSpan: d.WardSpan, WardSource: d.WardSource, Features: d.Features, Model: d.Model,
	}
	for _, a := range d.Alternatives {
		c.Alternatives = append(c.Alternatives, feedback.Alternative(a))
	}
	return c
}

// normalizeTimes brings every time of r to the stored precision, so that
// the report a write returns equals the one a later read returns.
func normalizeTimes(r *feedback.Report) {
	r.DueAt = msUTC(r.DueAt)
	r.CreatedAt = msUTC(r.CreatedAt)
	r.UpdatedAt = msUTC(r.UpdatedAt)
	for _, p := range []**time.Time{&r.FirstResponseAt, &r.ResolvedAt, &r.ClosedAt} {
		if *p != nil {
			t := msUTC(**p)
			*p = &t
		}
	}
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
