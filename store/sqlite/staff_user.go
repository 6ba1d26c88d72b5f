package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"phananh/feedback"
)

var _ feedback.StaffStore = (*Store)(nil)

const userColumns = `id, username, name, role, unit, password_hash, disabled, created_at, updated_at`

// CreateUser stores a new account. Errors: EINVALID, ECONFLICT.
func (s *Store) CreateUser(ctx context.Context, u *feedback.User) error {
	if u.ID == "" || u.Username == "" || !u.Role.Valid() || u.PasswordHash == "" {
		return feedback.FieldError("user", "Thiếu thông tin tài khoản.", "id, username, role and password hash are required")
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Username, u.Name, string(u.Role), u.UnitID, u.PasswordHash, u.Disabled,
			u.CreatedAt.UnixNano(), u.UpdatedAt.UnixNano())
		if isUnique(err) {
			return feedback.Conflict("Tên đăng nhập đã tồn tại.", "The username is taken.")
		} else if err != nil {
			return feedback.Internal(fmt.Errorf("insert user: %w", err))
		}
		return nil
	})
}

// User returns the account with the given id. Errors: ENOTFOUND.
func (s *Store) User(ctx context.Context, id string) (*feedback.User, error) {
	u, err := scanUser(s.rdb.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, dbError(err, "user")
	}
	return u, nil
}

// UserByUsername returns the account with the given username.
// Errors: ENOTFOUND.
func (s *Store) UserByUsername(ctx context.Context, username string) (*feedback.User, error) {
	u, err := scanUser(s.rdb.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
	if err != nil {
		return nil, dbError(err, "user")
	}
	return u, nil
}

// Users returns every account ordered by username.
func (s *Store) Users(ctx context.Context) ([]*feedback.User, error) {
	return readAll(ctx, s, "user", scanUser, `SELECT `+userColumns+` FROM users ORDER BY username`)
}

// UpdateUser replaces the mutable fields of an account. Errors: ENOTFOUND,
// EINVALID.
func (s *Store) UpdateUser(ctx context.Context, u *feedback.User) error {
	if !u.Role.Valid() || u.PasswordHash == "" {
		return feedback.FieldError("user", "Thông tin tài khoản không hợp lệ.", "role and password hash are required")
	}
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, role = ?, unit = ?, password_hash = ?,
			disabled = ?, updated_at = ? WHERE id = ?`,
			u.Name, string(u.Role), u.UnitID, u.PasswordHash, u.Disabled, u.UpdatedAt.UnixNano(), u.ID)
		if err != nil {
			return feedback.Internal(fmt.Errorf("update user: %w", err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return feedback.NotFound("user")
		}
		return nil
	})
}

func scanUser(row scanner) (*feedback.User, error) {
	var (
		u                feedback.User
		role             string
		created, updated int64
	)
	if err := row.Scan(&u.ID, &u.Username, &u.Name, &role, &u.UnitID, &u.PasswordHash, &u.Disabled, &created, &updated); err != nil {
		return nil, err
	}
	u.Role = feedback.Role(role)
	u.CreatedAt = fromNanos(sql.NullInt64{Int64: created, Valid: true})
	u.UpdatedAt = fromNanos(sql.NullInt64{Int64: updated, Valid: true})
	return &u, nil
}
