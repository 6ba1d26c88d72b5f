package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"phananh/feedback"
)

var _ feedback.StaffStore = (*Store)(nil)

// userDoc is how a staff account is stored.
type userDoc struct {
	ID           string    `bson:"_id"`
	Username     string    `bson:"username"`
	Name         string    `bson:"name"`
	Role         string    `bson:"role"`
	UnitID       string    `bson:"unit_id"`
	PasswordHash string    `bson:"password_hash"`
	Disabled     bool      `bson:"disabled"`
	CreatedAt    time.Time `bson:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at"`
}

func (d *userDoc) user() *feedback.User {
	return &feedback.User{
		ID: d.ID, Username: d.Username, Name: d.Name, Role: feedback.Role(d.Role), UnitID: d.UnitID,
		PasswordHash: d.PasswordHash, Disabled: d.Disabled, CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt),
	}
}

// CreateUser stores a new account. Errors: EINVALID, ECONFLICT (username
// or id taken).
func (s *Store) CreateUser(ctx context.Context, u *feedback.User) error {
	if u.ID == "" || u.Username == "" || !u.Role.Valid() || u.PasswordHash == "" {
		return feedback.FieldError("user", "Thiếu thông tin tài khoản.", "id, username, role and password hash are required")
	}
	d := userDoc{
		ID: u.ID, Username: u.Username, Name: u.Name, Role: string(u.Role), UnitID: u.UnitID,
		PasswordHash: u.PasswordHash, Disabled: u.Disabled, CreatedAt: msUTC(u.CreatedAt), UpdatedAt: msUTC(u.UpdatedAt),
	}
	_, err := s.users.InsertOne(ctx, d)
	if mongo.IsDuplicateKeyError(err) {
		return feedback.Conflict("Tên đăng nhập đã tồn tại.", "The username is taken.")
	}
	return wrap(err)
}

// User returns the account with the given id. Errors: ENOTFOUND.
func (s *Store) User(ctx context.Context, id string) (*feedback.User, error) {
	return s.userBy(ctx, "_id", id)
}

// UserByUsername returns the account with the given username.
// Errors: ENOTFOUND.
func (s *Store) UserByUsername(ctx context.Context, username string) (*feedback.User, error) {
	return s.userBy(ctx, "username", username)
}

func (s *Store) userBy(ctx context.Context, field, value string) (*feedback.User, error) {
	var d userDoc
	err := s.users.FindOne(ctx, bson.D{{Key: field, Value: value}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, feedback.NotFound("user")
	}
	if err != nil {
		return nil, wrap(err)
	}
	return d.user(), nil
}

// Users returns every account ordered by username.
func (s *Store) Users(ctx context.Context) ([]*feedback.User, error) {
	return findAll(ctx, s.users, bson.D{}, options.Find().SetSort(bson.D{{Key: "username", Value: 1}}), (*userDoc).user)
}

// UpdateUser replaces the name, role, unit, password hash, disabled flag and
// UpdatedAt of the account with u.ID. Errors: ENOTFOUND, EINVALID.
func (s *Store) UpdateUser(ctx context.Context, u *feedback.User) error {
	if !u.Role.Valid() || u.PasswordHash == "" {
		return feedback.FieldError("user", "Thông tin tài khoản không hợp lệ.", "role and password hash are required")
	}
	set := bson.D{
		{Key: "name", Value: u.Name}, {Key: "role", Value: string(u.Role)}, {Key: "unit_id", Value: u.UnitID},
		{Key: "password_hash", Value: u.PasswordHash}, {Key: "disabled", Value: u.Disabled},
		{Key: "updated_at", Value: msUTC(u.UpdatedAt)},
	}
	res, err := s.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: u.ID}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return wrap(err)
	}
	if res.MatchedCount == 0 {
		return feedback.NotFound("user")
	}
	return nil
}
