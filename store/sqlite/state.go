package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"phananh/feedback"
)

// State returns the live value under (namespace, key). Errors: ENOTFOUND
// (also for an expired value).
func (s *Store) State(ctx context.Context, namespace, key string) ([]byte, error) {
	var value []byte
	err := s.readRow(ctx, `SELECT value FROM state
		WHERE namespace = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)`,
		namespace, key, s.now().UnixNano()).Scan(&value)
	if err != nil {
		return nil, dbError(err, "state")
	}
	if value == nil {
		value = []byte{}
	}
	return value, nil
}

// PutState stores a value; a zero expiresAt keeps it forever.
func (s *Store) PutState(ctx context.Context, namespace, key string, value []byte, expiresAt time.Time) error {
	value = nonNil(value)
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO state (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
			namespace, key, value, nanos(expiresAt))
		if err != nil {
			return feedback.Internal(fmt.Errorf("put state: %w", err))
		}
		return nil
	})
}

// PutStateIfAbsent stores a value only when no live value exists and
// reports whether it did. The single writer makes the claim atomic.
func (s *Store) PutStateIfAbsent(ctx context.Context, namespace, key string, value []byte, expiresAt time.Time) (bool, error) {
	value = nonNil(value)
	var stored bool
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO state (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
			WHERE state.expires_at IS NOT NULL AND state.expires_at <= ?`,
			namespace, key, value, nanos(expiresAt), s.now().UnixNano())
		if err != nil {
			return feedback.Internal(fmt.Errorf("claim state: %w", err))
		}
		n, err := res.RowsAffected()
		stored = n == 1
		return err
	})
	return stored, err
}

// DeleteState removes a value; removing a missing value is not an error.
func (s *Store) DeleteState(ctx context.Context, namespace, key string) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM state WHERE namespace = ? AND key = ?`, namespace, key)
		if err != nil {
			return feedback.Internal(fmt.Errorf("delete state: %w", err))
		}
		return nil
	})
}

// nonNil keeps an empty value distinguishable from NULL in the NOT NULL
// value column.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
