package main

import (
	"context"
	"fmt"
	"io"

	"phananh/auth"
	"phananh/city"
	"phananh/feedback"
)

// demoPassword is the password of every demo account. The accounts are
// created only by `serve --demo` into a store without any account, so a
// real deployment never has them.
const demoPassword = "tuyhoa-demo-2026"

// demoAccounts are the staff a newcomer can sign in as at /staff.
var demoAccounts = []struct {
	username, name string
	role           feedback.Role
	unit           string
}{
	{"chanhvanphong", "Nguyễn Thị Hồng Vân", feedback.RoleSupervisor, ""},
	{"quantri", "Trần Quốc Bảo", feedback.RoleAdmin, ""},
	{"canbo.p5", "Lê Văn Tâm", feedback.RoleOfficer, "ubnd_p5"},
	{"truong.p5", "Phạm Minh Đức", feedback.RoleManager, "ubnd_p5"},
	{"canbo.moitruong", "Võ Thị Thu", feedback.RoleOfficer, "moi_truong"},
	{"canbo.qldt", "Huỳnh Ngọc Sơn", feedback.RoleOfficer, "qldt"},
}

// seedDemoStaff creates the demo accounts when the store has none, and
// tells the operator how to sign in.
func seedDemoStaff(ctx context.Context, svc *auth.Service, c *city.City, w io.Writer) error {
	users, err := svc.Users(ctx, operator)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return nil
	}
	for _, d := range demoAccounts {
		if d.unit != "" {
			if _, ok := c.Unit(d.unit); !ok {
				continue // a city file without this unit
			}
		}
		if _, err := svc.AddUser(ctx, operator, auth.NewUser{
			Username: d.username, Name: d.name, Role: d.role, UnitID: d.unit, Password: demoPassword,
		}); err != nil {
			return fmt.Errorf("%s: %w", d.username, err)
		}
	}
	fmt.Fprintf(w, "demo staff accounts (password %q): chanhvanphong (supervisor), quantri (admin), canbo.p5 / truong.p5 (Phường 5), canbo.moitruong, canbo.qldt — sign in at /staff\n", demoPassword)
	return nil
}
