package live

import (
	"net/http"

	"phananh/feedback"
)

// Viewer is the staff member watching the staff stream.
type Viewer struct {
	UserID string
	Role   feedback.Role
	UnitID string
}

// Authenticator identifies the staff member behind a websocket request
// (session cookie or bearer token). Errors: EUNAUTHORIZED.
type Authenticator interface {
	Authenticate(r *http.Request) (Viewer, error)
}

// StaffTopic returns the topic a viewer may watch: officers and managers
// their unit, supervisors and admins the whole city. Errors: EFORBIDDEN.
func StaffTopic(v Viewer) (Topic, error) {
	switch {
	case v.Role == feedback.RoleSupervisor || v.Role == feedback.RoleAdmin:
		return CityTopic(), nil
	case v.Role.UnitScoped() && v.UnitID != "":
		return UnitTopic(v.UnitID), nil
	}
	return Topic{}, feedback.Errorf(feedback.EFORBIDDEN,
		"Tài khoản của bạn không có quyền theo dõi các cập nhật này.", "This account may not watch this stream.")
}
