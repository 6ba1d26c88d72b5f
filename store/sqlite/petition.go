package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"phananh/feedback"
)

var _ feedback.PetitionStore = (*Store)(nil)

const petitionColumns = `id, status, category, ward, signatures, level, created_at, closes_at, version, doc`

const selectPetition = `SELECT signatures, level, version, doc FROM petitions`

// normalizePetition returns a copy of p with every time in UTC.
func normalizePetition(p *feedback.Petition) *feedback.Petition {
	c := *p
	c.CreatedAt, c.PublishedAt, c.ClosesAt = utc(c.CreatedAt), utc(c.PublishedAt), utc(c.ClosesAt)
	c.ClosedAt, c.UpdatedAt, c.AnswerDueAt = utc(c.ClosedAt), utc(c.UpdatedAt), utc(c.AnswerDueAt)
	if c.Answer != nil {
		a := *c.Answer
		a.At = utc(a.At)
		c.Answer = &a
	}
	return &c
}

func petitionDoc(p *feedback.Petition) ([]byte, error) {
	doc, err := json.Marshal(p)
	if err != nil {
		return nil, feedback.Internal(fmt.Errorf("encode petition: %w", err))
	}
	return doc, nil
}

func scanPetition(row scanner) (*feedback.Petition, error) {
	var (
		p            feedback.Petition
		count, level int
		version      int64
		doc          []byte
	)
	if err := row.Scan(&count, &level, &version, &doc); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(doc, &p); err != nil {
		return nil, feedback.Internal(fmt.Errorf("decode petition: %w", err))
	}
	p.Signatures, p.Level, p.Version = count, level, version
	return &p, nil
}

// preparePetition checks p and encodes, outside the writer, what a create
// or an update stores: the normalised petition at version, its document
// and the event rows.
func (s *Store) preparePetition(p *feedback.Petition, version int64, events []feedback.Event) (*feedback.Petition, []byte, []eventRow, error) {
	if err := p.Storable(); err != nil {
		return nil, nil, nil, err
	}
	n := normalizePetition(p)
	n.Version = version
	doc, err := petitionDoc(n)
	if err != nil {
		return nil, nil, nil, err
	}
	rows, err := s.eventRows(events)
	if err != nil {
		return nil, nil, nil, err
	}
	return n, doc, rows, nil
}

// CreatePetition stores a new petition with its events. Errors: EINVALID,
// ECONFLICT (id taken).
func (s *Store) CreatePetition(ctx context.Context, p *feedback.Petition, events []feedback.Event) ([]feedback.Event, error) {
	n, doc, rows, err := s.preparePetition(p, 1, events)
	if err != nil {
		return nil, err
	}
	var out []feedback.Event
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO petitions (`+petitionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.ID, string(n.Status), n.Category, n.Ward, n.Signatures, n.Level, n.CreatedAt.UnixNano(), nanos(n.ClosesAt), 1, doc)
		if isUnique(err) {
			return feedback.Conflict("Mã kiến nghị đã tồn tại.", "Petition id already in use.")
		}
		if err != nil {
			return feedback.Internal(fmt.Errorf("insert petition: %w", err))
		}
		out, err = s.insertEvents(ctx, tx, rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	p.Version = 1
	return out, nil
}

// Petition returns a petition by id. Errors: ENOTFOUND.
func (s *Store) Petition(ctx context.Context, id string) (*feedback.Petition, error) {
	p, err := scanPetition(s.readRow(ctx, selectPetition+` WHERE id = ?`, id))
	if err != nil {
		return nil, dbError(err, "petition")
	}
	return p, nil
}

// FindPetitions returns petitions matching f, newest or most signed first.
func (s *Store) FindPetitions(ctx context.Context, f feedback.PetitionFilter) ([]*feedback.Petition, error) {
	var where []string
	var args []any
	if len(f.Status) > 0 {
		where = append(where, "status IN ("+placeholders(len(f.Status))+")")
		for _, st := range f.Status {
			args = append(args, string(st))
		}
	}
	if f.Category != "" {
		where, args = append(where, "category = ?"), append(args, f.Category)
	}
	if f.Ward != "" {
		where, args = append(where, "ward = ?"), append(args, f.Ward)
	}
	q := selectPetition
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Order == "signatures" {
		q += " ORDER BY signatures DESC, created_at DESC, id"
	} else {
		q += " ORDER BY created_at DESC, id"
	}
	q += " LIMIT ? OFFSET ?"
	args = append(args, clampLimit(f.Limit, 100, 20), max(f.Offset, 0))
	return readAll(ctx, s, "petition", scanPetition, q, args...)
}

// clampLimit returns n within 1..max, def when n is not positive.
func clampLimit(n, max, def int) int {
	switch {
	case n <= 0:
		return def
	case n > max:
		return max
	}
	return n
}

func dbErrorOrNil(err error, what string) error {
	if err == nil {
		return nil
	}
	return dbError(err, what)
}

// UpdatePetition stores p if its version still matches, leaving the
// signature count and level alone. Errors: ENOTFOUND, ECONFLICT.
func (s *Store) UpdatePetition(ctx context.Context, p *feedback.Petition, events []feedback.Event) ([]feedback.Event, error) {
	n, doc, rows, err := s.preparePetition(p, p.Version+1, events)
	if err != nil {
		return nil, err
	}
	var out []feedback.Event
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE petitions SET status = ?, category = ?, ward = ?, closes_at = ?,
			version = ?, doc = ? WHERE id = ? AND version = ?`,
			string(n.Status), n.Category, n.Ward, nanos(n.ClosesAt), n.Version, doc, n.ID, p.Version)
		if err != nil {
			return feedback.Internal(fmt.Errorf("update petition: %w", err))
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return petitionMissingOrMoved(ctx, tx, n.ID)
		}
		out, err = s.insertEvents(ctx, tx, rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	p.Version = n.Version
	return out, nil
}

func petitionMissingOrMoved(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM petitions WHERE id = ?`, id).Scan(&one)
	if err == sql.ErrNoRows {
		return feedback.NotFound("petition")
	}
	if err != nil {
		return feedback.Internal(err)
	}
	return feedback.Conflict("Kiến nghị vừa được người khác thay đổi, vui lòng thử lại.", "The petition was changed by someone else; please retry.")
}

// SignatureCount returns the confirmed count from the counter column.
// Errors: ENOTFOUND.
func (s *Store) SignatureCount(ctx context.Context, petitionID string) (int, error) {
	var n int
	if err := s.readRow(ctx, `SELECT signatures FROM petitions WHERE id = ?`, petitionID).Scan(&n); err != nil {
		return 0, dbError(err, "petition")
	}
	return n, nil
}

// txPetition reads a petition inside a write.
func txPetition(ctx context.Context, tx *sql.Tx, id string) (*feedback.Petition, error) {
	p, err := scanPetition(tx.QueryRowContext(ctx, selectPetition+` WHERE id = ?`, id))
	if err != nil {
		return nil, dbError(err, "petition")
	}
	return p, nil
}

// txSaveCount writes the count, level and (when a threshold was reached,
// which changes the document) the document with a new version.
func txSaveCount(ctx context.Context, tx *sql.Tx, p *feedback.Petition, docChanged bool) error {
	if !docChanged {
		_, err := tx.ExecContext(ctx, `UPDATE petitions SET signatures = ? WHERE id = ?`, p.Signatures, p.ID)
		return wrapInternal(err, "update petition count")
	}
	p.Version++
	doc, err := petitionDoc(normalizePetition(p))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE petitions SET signatures = ?, level = ?, version = ?, doc = ? WHERE id = ?`,
		p.Signatures, p.Level, p.Version, doc, p.ID)
	return wrapInternal(err, "update petition level")
}

func wrapInternal(err error, what string) error {
	if err == nil {
		return nil
	}
	return feedback.Internal(fmt.Errorf("%s: %w", what, err))
}
