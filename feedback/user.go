package feedback

import (
	"context"
	"time"
)

// Role is what a staff account may do. Authorization is decided in the
// staff service (desk), not in the UI.
type Role string

// The staff roles.
const (
	// RoleOfficer handles the reports of one unit.
	RoleOfficer Role = "officer"
	// RoleManager heads one unit: assigns within it, transfers out of it and
	// receives its escalations.
	RoleManager Role = "manager"
	// RoleSupervisor is the chairman's office: reads every unit's reports,
	// reassigns across units and sees statistics.
	RoleSupervisor Role = "supervisor"
	// RoleAdmin manages accounts and the city configuration; it handles no
	// reports.
	RoleAdmin Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleOfficer, RoleManager, RoleSupervisor, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleOfficer, RoleManager, RoleSupervisor, RoleAdmin:
		return true
	}
	return false
}

// UnitScoped reports whether accounts of role r see only their own unit.
func (r Role) UnitScoped() bool { return r == RoleOfficer || r == RoleManager }

// User is a staff account. PasswordHash is an encoded argon2id hash; it is
// never rendered.
type User struct {
	ID           string    `json:"id"`
	Username     string    `json:"username"`
	Name         string    `json:"name,omitempty"`
	Role         Role      `json:"role"`
	UnitID       string    `json:"unit_id,omitempty"` // officers and managers only
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// UserStore keeps staff accounts. Usernames are unique and stored in the
// canonical lower-case form the auth package gives them.
type UserStore interface {
	// CreateUser stores a new account. Errors: EINVALID, ECONFLICT (the
	// username or id is taken).
	CreateUser(ctx context.Context, u *User) error

	// User returns the account with the given id. Errors: ENOTFOUND.
	User(ctx context.Context, id string) (*User, error)

	// UserByUsername returns the account with the given username.
	// Errors: ENOTFOUND.
	UserByUsername(ctx context.Context, username string) (*User, error)

	// Users returns every account ordered by username.
	Users(ctx context.Context) ([]*User, error)

	// UpdateUser replaces the name, role, unit, password hash, disabled flag
	// and UpdatedAt of the account with u.ID. Errors: ENOTFOUND, EINVALID.
	UpdateUser(ctx context.Context, u *User) error
}

// Actor is who performs a staff action and from where; the audit log
// records both. Local marks the operator at the server's command line
// (phananh user ...), who has no account; User is nil then.
type Actor struct {
	User  *User
	IP    string
	Local bool
}

// ID returns the audit id of the actor: the user id, "cli" for the local
// operator, "" when nobody is signed in.
func (a Actor) ID() string {
	switch {
	case a.User != nil:
		return a.User.ID
	case a.Local:
		return "cli"
	}
	return ""
}

// Forbidden returns the EFORBIDDEN error for a signed-in user who may not
// do what they asked.
func Forbidden() *Error {
	return Errorf(EFORBIDDEN, "Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this.")
}
