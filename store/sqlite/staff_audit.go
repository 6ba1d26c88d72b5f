package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"phananh/feedback"
)

// AppendAudit stores an audit entry and sets its Seq. The table refuses
// updates and deletes (triggers in 0101_audit_log.sql). Errors: EINVALID.
func (s *Store) AppendAudit(ctx context.Context, e *feedback.AuditEntry) error {
	if err := validateAudit(e); err != nil {
		return err
	}
	var seq int64
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) (err error) {
		seq, err = insertAudit(ctx, tx, e)
		return err
	})
	if err == nil {
		e.Seq = seq
	}
	return err
}

// validateAudit refuses an entry without action, actor or time.
func validateAudit(e *feedback.AuditEntry) error {
	if e.Action == "" || e.ActorID == "" || e.At.IsZero() {
		return feedback.FieldError("audit", "Thiếu thông tin nhật ký.", "action, actor and time are required")
	}
	return nil
}

// insertAudit appends e inside a write and returns its sequence number.
func insertAudit(ctx context.Context, tx *sql.Tx, e *feedback.AuditEntry) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, actor_name, actor_role, ip, action,
		subject, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At.UnixNano(), e.ActorID, e.ActorName, string(e.ActorRole), e.IP, e.Action, e.Subject,
		rawOrNull(e.Before), rawOrNull(e.After))
	if err != nil {
		return 0, feedback.Internal(fmt.Errorf("insert audit: %w", err))
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return 0, feedback.Internal(fmt.Errorf("audit seq: %w", err))
	}
	return seq, nil
}

func rawOrNull(b []byte) sql.NullString {
	return sql.NullString{String: string(b), Valid: len(b) > 0}
}

// Audit returns entries matching f, newest first.
func (s *Store) Audit(ctx context.Context, f feedback.AuditFilter) ([]feedback.AuditEntry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
	if f.ActorID != "" {
		add("actor_id = ?", f.ActorID)
	}
	if f.Subject != "" {
		add("subject = ?", f.Subject)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if !f.Since.IsZero() {
		add("at >= ?", f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		add("at < ?", f.Until.UnixNano())
	}
	if f.BeforeSeq > 0 {
		add("seq < ?", f.BeforeSeq)
	}
	q := `SELECT seq, at, actor_id, actor_name, actor_role, ip, action, subject, before, after FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq DESC LIMIT ?"
	rows, err := s.rdb.QueryContext(ctx, q, append(args, auditLimit(f.Limit))...)
	if err != nil {
		return nil, dbError(err, "audit")
	}
	defer rows.Close()
	out := []feedback.AuditEntry{}
	for rows.Next() {
		var (
			e             feedback.AuditEntry
			at            int64
			role          string
			before, after sql.NullString
		)
		if err := rows.Scan(&e.Seq, &at, &e.ActorID, &e.ActorName, &role, &e.IP, &e.Action, &e.Subject, &before, &after); err != nil {
			return nil, dbError(err, "audit")
		}
		e.At, e.ActorRole = unixNano(at), feedback.Role(role)
		if before.Valid {
			e.Before = []byte(before.String)
		}
		if after.Valid {
			e.After = []byte(after.String)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err, "audit")
	}
	return out, nil
}

// auditLimit bounds a page of the audit log: 1..500, default 100.
func auditLimit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 500:
		return 500
	}
	return n
}
