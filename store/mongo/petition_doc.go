package mongo

import (
	"time"

	"phananh/feedback"
)

// Petition collection names.
const (
	collPetitions   = "petitions"
	collSignatures  = "petition_signatures"
	collSigTokens   = "petition_tokens"
	collPetitionLvl = "petition_levels"
)

// petitionDoc is how a petition is stored, in snake_case for operators.
// signatures and level are changed only by signature writes ($inc and
// level markers); UpdatePetition never writes them.
type petitionDoc struct {
	ID            string         `bson:"_id"`
	Title         string         `bson:"title"`
	Text          string         `bson:"text"`
	Category      string         `bson:"category"`
	Ward          string         `bson:"ward"`
	Photos        []photoRef     `bson:"photos,omitempty"`
	Origin        string         `bson:"origin"`
	Unit          string         `bson:"unit,omitempty"`
	SourceReports []string       `bson:"source_reports,omitempty"`
	Author        contactDoc     `bson:"author"`
	CreatedBy     string         `bson:"created_by"`
	Status        string         `bson:"status"`
	RejectReason  string         `bson:"reject_reason,omitempty"`
	Thresholds    []thresholdDoc `bson:"thresholds,omitempty"`
	Signatures    int            `bson:"signatures"`
	Level         int            `bson:"level"`
	AnswerUnit    string         `bson:"answer_unit,omitempty"`
	AnswerDueAt   time.Time      `bson:"answer_due_at,omitempty"`
	Answer        *answerDoc     `bson:"answer,omitempty"`
	AnswerOverdue bool           `bson:"answer_overdue,omitempty"`
	CreatedAt     time.Time      `bson:"created_at"`
	PublishedAt   time.Time      `bson:"published_at,omitempty"`
	ClosesAt      time.Time      `bson:"closes_at,omitempty"`
	ClosedAt      time.Time      `bson:"closed_at,omitempty"`
	UpdatedAt     time.Time      `bson:"updated_at"`
	Version       int64          `bson:"version"`
}

type thresholdDoc struct {
	Signatures  int    `bson:"signatures"`
	Unit        string `bson:"unit"`
	WorkingDays int    `bson:"working_days"`
}

type answerDoc struct {
	Text   string    `bson:"text"`
	UnitID string    `bson:"unit_id,omitempty"`
	By     string    `bson:"by,omitempty"`
	At     time.Time `bson:"at"`
}

func toPetitionDoc(p *feedback.Petition) petitionDoc {
	d := petitionDoc{
		ID: p.ID, Title: p.Title, Text: p.Text, Category: p.Category, Ward: p.Ward, Origin: p.Origin, Unit: p.Unit,
		SourceReports: p.SourceReports, Author: contactDoc(p.Author), CreatedBy: p.CreatedBy, Status: string(p.Status),
		RejectReason: p.RejectReason, Signatures: p.Signatures, Level: p.Level, AnswerUnit: p.AnswerUnit,
		AnswerDueAt: msUTC(p.AnswerDueAt), AnswerOverdue: p.AnswerOverdue, CreatedAt: msUTC(p.CreatedAt),
		PublishedAt: msUTC(p.PublishedAt), ClosesAt: msUTC(p.ClosesAt), ClosedAt: msUTC(p.ClosedAt),
		UpdatedAt: msUTC(p.UpdatedAt), Version: p.Version,
	}
	for _, ph := range p.Photos {
		d.Photos = append(d.Photos, photoRef(ph))
	}
	for _, t := range p.Thresholds {
		d.Thresholds = append(d.Thresholds, thresholdDoc(t))
	}
	if a := p.Answer; a != nil {
		d.Answer = &answerDoc{Text: a.Text, UnitID: a.UnitID, By: a.By, At: msUTC(a.At)}
	}
	return d
}

func (d *petitionDoc) petition() *feedback.Petition {
	p := &feedback.Petition{
		ID: d.ID, Title: d.Title, Text: d.Text, Category: d.Category, Ward: d.Ward, Origin: d.Origin, Unit: d.Unit,
		SourceReports: d.SourceReports, Author: feedback.Contact(d.Author), CreatedBy: d.CreatedBy,
		Status: feedback.PetitionStatus(d.Status), RejectReason: d.RejectReason, Signatures: d.Signatures, Level: d.Level,
		AnswerUnit: d.AnswerUnit, AnswerDueAt: utc(d.AnswerDueAt), AnswerOverdue: d.AnswerOverdue,
		CreatedAt: utc(d.CreatedAt), PublishedAt: utc(d.PublishedAt), ClosesAt: utc(d.ClosesAt), ClosedAt: utc(d.ClosedAt),
		UpdatedAt: utc(d.UpdatedAt), Version: d.Version,
	}
	for _, ph := range d.Photos {
		p.Photos = append(p.Photos, feedback.Photo(ph))
	}
	for _, t := range d.Thresholds {
		p.Thresholds = append(p.Thresholds, feedback.PetitionThreshold(t))
	}
	if a := d.Answer; a != nil {
		p.Answer = &feedback.PetitionAnswer{Text: a.Text, UnitID: a.UnitID, By: a.By, At: utc(a.At)}
	}
	return p
}

// signatureDoc is one signature; (petition_id, identity) is unique.
type signatureDoc struct {
	ID          string    `bson:"_id"`
	PetitionID  string    `bson:"petition_id"`
	Identity    string    `bson:"identity"`
	Method      string    `bson:"method"`
	Status      string    `bson:"status"`
	Email       string    `bson:"email,omitempty"`
	EmailDomain string    `bson:"email_domain,omitempty"`
	ChatID      int64     `bson:"chat_id,omitempty"`
	Name        string    `bson:"name,omitempty"`
	ShowName    bool      `bson:"show_name"`
	Language    string    `bson:"language,omitempty"`
	IP          string    `bson:"ip,omitempty"`
	CreatedAt   time.Time `bson:"created_at"`
	ConfirmedAt time.Time `bson:"confirmed_at,omitempty"`
}

func toSignatureDoc(s *feedback.Signature) signatureDoc {
	return signatureDoc{
		ID: s.ID, PetitionID: s.PetitionID, Identity: s.Identity, Method: s.Method, Status: string(s.Status),
		Email: s.Email, EmailDomain: s.EmailDomain, ChatID: s.ChatID, Name: s.Name, ShowName: s.ShowName,
		Language: s.Language, IP: s.IP, CreatedAt: msUTC(s.CreatedAt), ConfirmedAt: msUTC(s.ConfirmedAt),
	}
}

func (d *signatureDoc) signature() *feedback.Signature {
	return &feedback.Signature{
		ID: d.ID, PetitionID: d.PetitionID, Identity: d.Identity, Method: d.Method, Status: feedback.SignatureStatus(d.Status),
		Email: d.Email, EmailDomain: d.EmailDomain, ChatID: d.ChatID, Name: d.Name, ShowName: d.ShowName,
		Language: d.Language, IP: d.IP, CreatedAt: utc(d.CreatedAt), ConfirmedAt: utc(d.ConfirmedAt),
	}
}

// tokenDoc is a confirmation token; the _id is its hash.
type tokenDoc struct {
	Hash        string    `bson:"_id"`
	SignatureID string    `bson:"signature_id"`
	ExpiresAt   time.Time `bson:"expires_at"`
}
