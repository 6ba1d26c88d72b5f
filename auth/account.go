package auth

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"unicode/utf8"

	"phananh/feedback"
)

// Password length limits. Long passphrases are welcome; the upper bound only
// keeps hashing cost predictable.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// NewUser is an account to create.
type NewUser struct {
	Username string
	Name     string
	Role     feedback.Role
	UnitID   string
	Password string
}

// CanonicalUsername returns the stored form of a username: trimmed, lower
// case.
func CanonicalUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validUsername(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == '-') {
			return false
		}
	}
	return true
}

// canManage reports whether by may manage accounts: admins and the local
// operator.
func canManage(by feedback.Actor) bool {
	return by.Local || (by.User != nil && by.User.Role == feedback.RoleAdmin && !by.User.Disabled)
}

// AddUser creates an account. Officers and managers need a unit; other
// roles must not have one. Errors: EFORBIDDEN, EINVALID, ECONFLICT.
func (s *Service) AddUser(ctx context.Context, by feedback.Actor, in NewUser) (*feedback.User, error) {
	if !canManage(by) {
		return nil, feedback.Forbidden()
	}
	u := &feedback.User{
		ID: feedback.NewID(), Username: CanonicalUsername(in.Username), Name: strings.TrimSpace(in.Name),
		Role: in.Role, UnitID: strings.TrimSpace(in.UnitID),
	}
	if err := s.validateUser(u, in.Password); err != nil {
		return nil, err
	}
	hash, err := HashPassword(in.Password, s.cfg.Hash)
	if err != nil {
		return nil, feedback.Internal(err)
	}
	u.PasswordHash = hash
	u.CreatedAt = s.cfg.Now().UTC()
	u.UpdatedAt = u.CreatedAt
	if err := s.store.CreateUser(ctx, u); err != nil {
		if feedback.ErrorCode(err) == feedback.ECONFLICT {
			return nil, feedback.FieldError("username", "Tên đăng nhập đã tồn tại.", "The username is taken.")
		}
		return nil, err
	}
	s.audit(ctx, by, "user.add", u.ID, nil, userSnapshot(u))
	return u, nil
}

func (s *Service) validateUser(u *feedback.User, password string) error {
	switch {
	case !validUsername(u.Username):
		return feedback.FieldError("username", "Tên đăng nhập gồm 2-64 ký tự a-z, 0-9, dấu chấm, gạch dưới hoặc gạch ngang.",
			"A username is 2-64 characters: a-z, 0-9, dot, underscore or dash.")
	case !u.Role.Valid():
		return feedback.FieldError("role", "Vai trò phải là officer, manager, supervisor hoặc admin.",
			"The role must be officer, manager, supervisor or admin.")
	case u.Role.UnitScoped() && u.UnitID == "":
		return feedback.FieldError("unit", "Cán bộ và lãnh đạo đơn vị phải thuộc một đơn vị.", "Officers and managers need a unit.")
	case !u.Role.UnitScoped() && u.UnitID != "":
		return feedback.FieldError("unit", "Vai trò này không gắn với đơn vị.", "This role has no unit.")
	case u.UnitID != "" && s.cfg.UnitExists != nil && !s.cfg.UnitExists(u.UnitID):
		return feedback.FieldError("unit", "Không có đơn vị này.", "No such unit.")
	}
	return validatePassword(password)
}

func validatePassword(password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLen || len(password) > MaxPasswordLen {
		return feedback.FieldError("password", "Mật khẩu phải dài từ 10 đến 256 ký tự.", "The password must be 10 to 256 characters long.")
	}
	return nil
}

// Users lists every account. Errors: EFORBIDDEN.
func (s *Service) Users(ctx context.Context, by feedback.Actor) ([]*feedback.User, error) {
	if !canManage(by) {
		return nil, feedback.Forbidden()
	}
	return s.store.Users(ctx)
}

// DisableUser disables an account and revokes its sessions. Disabling a
// disabled account changes nothing. Errors: EFORBIDDEN, ENOTFOUND.
func (s *Service) DisableUser(ctx context.Context, by feedback.Actor, username string) (*feedback.User, error) {
	if !canManage(by) {
		return nil, feedback.Forbidden()
	}
	u, err := s.store.UserByUsername(ctx, CanonicalUsername(username))
	if err != nil {
		return nil, err
	}
	if by.User != nil && by.User.ID == u.ID {
		return nil, feedback.FieldError("username", "Không thể tự khoá tài khoản của mình.", "You cannot disable your own account.")
	}
	if !u.Disabled {
		before := userSnapshot(u)
		u.Disabled = true
		u.UpdatedAt = s.cfg.Now().UTC()
		if err := s.store.UpdateUser(ctx, u); err != nil {
			return nil, err
		}
		s.audit(ctx, by, "user.disable", u.ID, before, userSnapshot(u))
	}
	if err := s.store.DeleteUserSessions(ctx, u.ID); err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword replaces an account's password and revokes its sessions.
// Errors: EFORBIDDEN, ENOTFOUND, EINVALID.
func (s *Service) SetPassword(ctx context.Context, by feedback.Actor, username, password string) (*feedback.User, error) {
	if !canManage(by) {
		return nil, feedback.Forbidden()
	}
	u, err := s.store.UserByUsername(ctx, CanonicalUsername(username))
	if err != nil {
		return nil, err
	}
	if err := validatePassword(password); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password, s.cfg.Hash)
	if err != nil {
		return nil, feedback.Internal(err)
	}
	u.PasswordHash, u.UpdatedAt = hash, s.cfg.Now().UTC()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	if err := s.store.DeleteUserSessions(ctx, u.ID); err != nil {
		return nil, err
	}
	s.audit(ctx, by, "user.password", u.ID, nil, nil)
	return u, nil
}

// userSnapshot is the audit view of an account: never the password hash.
func userSnapshot(u *feedback.User) json.RawMessage {
	b, _ := json.Marshal(u) // PasswordHash is json:"-"
	return b
}

// audit appends an audit entry. The action already happened, so a failure
// to record it is logged loudly rather than undoing it.
func (s *Service) audit(ctx context.Context, by feedback.Actor, action, subject string, before, after json.RawMessage) {
	if err := s.store.AppendAudit(ctx, by.Entry(s.cfg.Now(), action, subject, before, after)); err != nil {
		s.cfg.Log.LogAttrs(ctx, slog.LevelError, "audit append failed",
			slog.String("action", action), slog.String("subject", subject), slog.String("error", err.Error()))
	}
}
