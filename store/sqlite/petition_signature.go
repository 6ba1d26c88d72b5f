package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"phananh/feedback"
)

// tokenMemory is how long an expired confirmation token is kept.
const tokenMemory = 7 * 24 * time.Hour

const signatureColumns = `id, petition_id, identity, method, status, email, email_domain, chat_id, name,
	show_name, language, ip, created_at, confirmed_at`

const insertSignature = `INSERT INTO petition_signatures (` + signatureColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func signatureValues(sig *feedback.Signature) []any {
	return []any{sig.ID, sig.PetitionID, sig.Identity, sig.Method, string(sig.Status), sig.Email, sig.EmailDomain,
		sig.ChatID, sig.Name, sig.ShowName, sig.Language, sig.IP, utc(sig.CreatedAt).UnixNano(), nanos(sig.ConfirmedAt)}
}

func scanSignature(row scanner) (*feedback.Signature, error) {
	var (
		sig       feedback.Signature
		status    string
		created   int64
		confirmed sql.NullInt64
	)
	err := row.Scan(&sig.ID, &sig.PetitionID, &sig.Identity, &sig.Method, &status, &sig.Email, &sig.EmailDomain,
		&sig.ChatID, &sig.Name, &sig.ShowName, &sig.Language, &sig.IP, &created, &confirmed)
	if err != nil {
		return nil, err
	}
	sig.Status, sig.CreatedAt, sig.ConfirmedAt = feedback.SignatureStatus(status), unixNano(created), fromNanos(confirmed)
	return &sig, nil
}

// RequestSignature stores a pending signature and its token, or adds the
// token to the identity's pending signature. Errors: ENOTFOUND, ECONFLICT.
func (s *Store) RequestSignature(ctx context.Context, sig *feedback.Signature, tok feedback.SignatureToken) error {
	if err := sig.Storable(); err != nil {
		return err
	}
	if tok.Hash == "" || tok.ExpiresAt.IsZero() {
		return feedback.FieldError("token", "Thiếu mã xác nhận.", "token hash and expiry are required")
	}
	sig.Status = feedback.SignaturePending
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		p, err := txPetition(ctx, tx, sig.PetitionID)
		if err != nil {
			return err
		}
		if !p.Signable(sig.CreatedAt) {
			return feedback.ErrPetitionNotSignable
		}
		id, status, err := txIdentity(ctx, tx, sig.PetitionID, sig.Identity)
		switch {
		case err == sql.ErrNoRows:
			if _, err := tx.ExecContext(ctx, insertSignature, signatureValues(sig)...); err != nil {
				return wrapInternal(err, "insert signature")
			}
			id = sig.ID
		case err != nil:
			return wrapInternal(err, "read signature")
		case status != string(feedback.SignaturePending):
			return feedback.ErrAlreadySigned
		}
		sig.ID = id
		// Tokens expired for a week are forgotten a few at a time; until
		// then following one says "expired" rather than "unknown".
		if _, err := tx.ExecContext(ctx, `DELETE FROM petition_tokens WHERE rowid IN
			(SELECT rowid FROM petition_tokens WHERE expires_at < ? LIMIT 8)`, sig.CreatedAt.Add(-tokenMemory).UnixNano()); err != nil {
			return wrapInternal(err, "sweep tokens")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO petition_tokens (token_hash, signature_id, expires_at) VALUES (?, ?, ?)`,
			tok.Hash, id, utc(tok.ExpiresAt).UnixNano())
		return wrapInternal(err, "insert token")
	})
}

func txIdentity(ctx context.Context, tx *sql.Tx, petitionID, identity string) (id, status string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT id, status FROM petition_signatures WHERE petition_id = ? AND identity = ?`,
		petitionID, identity).Scan(&id, &status)
	return id, status, err
}

// ConfirmSignature confirms a token's signature and counts it.
// Errors: ENOTFOUND, EINVALID (expired), ECONFLICT.
func (s *Store) ConfirmSignature(ctx context.Context, tokenHash string, at time.Time, due func(time.Time, int) time.Time) (feedback.SignOutcome, error) {
	var out feedback.SignOutcome
	at = utc(at)
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var expires int64
		sig, err := scanSignature(&prefixScanner{row: tx.QueryRowContext(ctx, `SELECT t.expires_at, `+prefixed("s.", signatureColumns)+`
			FROM petition_tokens t JOIN petition_signatures s ON s.id = t.signature_id WHERE t.token_hash = ?`, tokenHash), first: &expires})
		if err != nil {
			return dbError(err, "signature")
		}
		out = feedback.SignOutcome{Signature: sig}
		switch {
		case sig.Status == feedback.SignatureConfirmed:
			out.Already = true
			out.Count, err = txCount(ctx, tx, sig.PetitionID)
			return err
		case sig.Status == feedback.SignatureInvalid:
			return feedback.ErrSignatureInvalidated
		case !at.Before(unixNano(expires)):
			return feedback.ErrTokenExpired
		}
		if _, err := tx.ExecContext(ctx, `UPDATE petition_signatures SET status = ?, confirmed_at = ? WHERE id = ?`,
			string(feedback.SignatureConfirmed), at.UnixNano(), sig.ID); err != nil {
			return wrapInternal(err, "confirm signature")
		}
		sig.Status, sig.ConfirmedAt = feedback.SignatureConfirmed, at
		return s.txCountSignature(ctx, tx, &out, at, due)
	})
	return out, err
}

// AddSignature stores a signature confirmed at once and counts it.
// Errors: ENOTFOUND, ECONFLICT.
func (s *Store) AddSignature(ctx context.Context, sig *feedback.Signature, due func(time.Time, int) time.Time) (feedback.SignOutcome, error) {
	if err := sig.Storable(); err != nil {
		return feedback.SignOutcome{}, err
	}
	var out feedback.SignOutcome
	at := utc(sig.CreatedAt)
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		c := *sig
		c.Status, c.ConfirmedAt = feedback.SignatureConfirmed, at
		_, err := tx.ExecContext(ctx, insertSignature, signatureValues(&c)...)
		if isUnique(err) {
			return feedback.ErrAlreadySigned
		}
		if err != nil {
			return wrapInternal(err, "insert signature")
		}
		out = feedback.SignOutcome{Signature: &c}
		return s.txCountSignature(ctx, tx, &out, at, due)
	})
	if err == nil {
		*sig = *out.Signature
	}
	return out, err
}

// txCountSignature counts one confirmed signature of an open petition and
// appends the events, in the caller's transaction: the single writer makes
// the read-increment-write and the threshold check one atomic step.
func (s *Store) txCountSignature(ctx context.Context, tx *sql.Tx, out *feedback.SignOutcome, at time.Time, due func(time.Time, int) time.Time) error {
	p, err := txPetition(ctx, tx, out.Signature.PetitionID)
	if err != nil {
		return err
	}
	if !p.Signable(at) {
		return feedback.ErrPetitionNotSignable
	}
	level := p.Level
	evs := p.AddSignatures(1, at, due)
	if err := txSaveCount(ctx, tx, p, p.Level != level); err != nil {
		return err
	}
	rows, err := s.eventRows(evs)
	if err != nil {
		return err
	}
	out.Count = p.Signatures
	out.Events, err = s.insertEvents(ctx, tx, rows)
	return err
}

func txCount(ctx context.Context, tx *sql.Tx, petitionID string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT signatures FROM petitions WHERE id = ?`, petitionID).Scan(&n)
	return n, dbErrorOrNil(err, "petition")
}

// InvalidateSignatures invalidates the selected signatures and uncounts the
// confirmed ones. Errors: EINVALID, ENOTFOUND.
func (s *Store) InvalidateSignatures(ctx context.Context, petitionID string, sel feedback.SignatureSelector, at time.Time) (int, int, []feedback.Event, error) {
	if sel.Empty() {
		return 0, 0, nil, feedback.FieldError("selector", "Cần chọn tên miền, địa chỉ IP hoặc khoảng thời gian.", "Choose a domain, an IP address or a time window.")
	}
	where, args := selectorWhere(petitionID, sel)
	var removed, count int
	var out []feedback.Event
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		p, err := txPetition(ctx, tx, petitionID)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM petition_signatures WHERE status = 'confirmed' AND `+where,
			args...).Scan(&removed); err != nil {
			return wrapInternal(err, "count invalidated")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE petition_signatures SET status = 'invalid' WHERE status <> 'invalid' AND `+where,
			args...); err != nil {
			return wrapInternal(err, "invalidate signatures")
		}
		count = p.Signatures
		if removed == 0 {
			return nil
		}
		e := p.RemoveSignatures(removed, utc(at))
		count = p.Signatures
		if err := txSaveCount(ctx, tx, p, false); err != nil {
			return err
		}
		rows, err := s.eventRows([]feedback.Event{e})
		if err != nil {
			return err
		}
		out, err = s.insertEvents(ctx, tx, rows)
		return err
	})
	return removed, count, out, err
}

func selectorWhere(petitionID string, sel feedback.SignatureSelector) (string, []any) {
	where, args := []string{"petition_id = ?"}, []any{petitionID}
	if sel.EmailDomain != "" {
		where, args = append(where, "email_domain = ?"), append(args, sel.EmailDomain)
	}
	if sel.IP != "" {
		where, args = append(where, "ip = ?"), append(args, sel.IP)
	}
	if !sel.From.IsZero() {
		where, args = append(where, "created_at >= ?"), append(args, sel.From.UnixNano())
	}
	if !sel.Until.IsZero() {
		where, args = append(where, "created_at < ?"), append(args, sel.Until.UnixNano())
	}
	return strings.Join(where, " AND "), args
}

// Signatures lists a petition's signatures in id order.
func (s *Store) Signatures(ctx context.Context, f feedback.SignatureFilter) ([]*feedback.Signature, error) {
	q := `SELECT ` + signatureColumns + ` FROM petition_signatures WHERE petition_id = ? AND id > ?`
	args := []any{f.PetitionID, f.AfterID}
	if f.Status != "" {
		q, args = q+` AND status = ?`, append(args, string(f.Status))
	}
	return readAll(ctx, s, "signature", scanSignature, q+` ORDER BY id LIMIT ?`, append(args, clampLimit(f.Limit, 1000, 100))...)
}

// prefixScanner scans a row whose first column goes to first and the rest
// to the destinations the wrapped scan function gives.
type prefixScanner struct {
	row   *sql.Row
	first any
}

func (p *prefixScanner) Scan(dest ...any) error {
	return p.row.Scan(append([]any{p.first}, dest...)...)
}

// prefixed qualifies every column of a column list with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
