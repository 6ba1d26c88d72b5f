package desk

import (
	"context"
	"fmt"
	"testing"
	"time"

	"phananh/feedback"
)

// attempt performs one action as actor on a fresh report of unit and
// returns the error.
type attempt func(t *testing.T, f *fixture, actor string, unit string) error

var attempts = map[Action]attempt{
	ActView: func(t *testing.T, f *fixture, actor, unit string) error {
		_, err := f.desk.Report(context.Background(), f.as(actor), f.report(t, unit, feedback.StatusAssigned).Code)
		return err
	},
	ActTransition: func(t *testing.T, f *fixture, actor, unit string) error {
		_, err := f.desk.Transition(context.Background(), f.as(actor), f.report(t, unit, feedback.StatusAssigned).Code,
			TransitionInput{To: feedback.StatusInProgress})
		return err
	},
	ActAssign: func(t *testing.T, f *fixture, actor, unit string) error {
		// Officers may only take a report themselves; others give it to an
		// officer of the report's unit.
		to := map[string]string{"ubnd_p1": "officer2", "ubnd_p2": "officer_p2"}[unit]
		if f.users[actor].Role == feedback.RoleOfficer {
			to = actor
		}
		_, err := f.desk.Assign(context.Background(), f.as(actor), f.report(t, unit, feedback.StatusAssigned).Code, f.users[to].ID)
		return err
	},
	ActTransfer: func(t *testing.T, f *fixture, actor, unit string) error {
		_, err := f.desk.Transfer(context.Background(), f.as(actor), f.report(t, unit, feedback.StatusAssigned).Code,
			"moi_truong", "Thuộc thẩm quyền Công ty Môi trường", 0)
		return err
	},
	ActRecategorize: func(t *testing.T, f *fixture, actor, unit string) error {
		_, err := f.desk.Recategorize(context.Background(), f.as(actor), f.report(t, unit, feedback.StatusAssigned).Code, "o_nhiem", "")
		return err
	},
	ActNote: func(t *testing.T, f *fixture, actor, unit string) error {
		_, err := f.desk.Note(context.Background(), f.as(actor), f.report(t, unit, feedback.StatusAssigned).Code, "Đã gọi điện cho tổ dân phố")
		return err
	},
	ActReply: func(t *testing.T, f *fixture, actor, unit string) error {
		_, err := f.desk.Reply(context.Background(), f.as(actor), f.report(t, unit, feedback.StatusAssigned).Code, "Phường đã tiếp nhận")
		return err
	},
	ActPhoto: func(t *testing.T, f *fixture, actor, unit string) error {
		_, err := f.desk.AddPhoto(context.Background(), f.as(actor), f.report(t, unit, feedback.StatusInProgress).Code, pngBytes(t))
		return err
	},
	ActDuplicate: func(t *testing.T, f *fixture, actor, unit string) error {
		orig := f.report(t, unit, feedback.StatusInProgress)
		_, err := f.desk.MarkDuplicate(context.Background(), f.as(actor), f.report(t, unit, feedback.StatusAssigned).Code, orig.Code)
		return err
	},
	ActStats: func(t *testing.T, f *fixture, actor, unit string) error {
		now := f.clock.Now()
		_, err := f.desk.Stats(context.Background(), f.as(actor), feedback.StatsQuery{From: now.Add(-time.Hour), To: now.Add(time.Hour), Group: feedback.StatsByUnit})
		return err
	},
	ActAudit: func(t *testing.T, f *fixture, actor, unit string) error {
		_, err := f.desk.Audit(context.Background(), f.as(actor), feedback.AuditFilter{})
		return err
	},
}

// expected is the policy written out by hand, independently of grants.
func expected(role feedback.Role, act Action, own bool) string {
	reportAction := act != ActStats && act != ActAudit
	switch role {
	case feedback.RoleSupervisor:
		return ""
	case feedback.RoleAdmin:
		if act == ActAudit {
			return ""
		}
		return feedback.EFORBIDDEN
	}
	// Officers and managers.
	switch {
	case reportAction && !own:
		return feedback.ENOTFOUND // another unit's report: existence not revealed
	case !reportAction:
		return feedback.EFORBIDDEN
	case act == ActTransfer && role == feedback.RoleOfficer:
		return feedback.EFORBIDDEN
	}
	return ""
}

func TestAuthorizationMatrix(t *testing.T) {
	f := newFixture(t)
	actors := map[feedback.Role]string{
		feedback.RoleOfficer: "officer", feedback.RoleManager: "manager",
		feedback.RoleSupervisor: "supervisor", feedback.RoleAdmin: "admin",
	}
	if len(attempts) != len(Actions) {
		t.Fatalf("the matrix covers %d of %d actions", len(attempts), len(Actions))
	}
	for _, role := range feedback.Roles {
		for _, act := range Actions {
			for _, own := range []bool{true, false} {
				unit := "ubnd_p1" // the officer's and manager's unit
				if !own {
					unit = "ubnd_p2"
				}
				t.Run(fmt.Sprintf("%s/%s/own=%v", role, act, own), func(t *testing.T) {
					err := attempts[act](t, f, actors[role], unit)
					if got, want := feedback.ErrorCode(err), expected(role, act, own); got != want {
						t.Fatalf("code %q (%v), want %q", got, err, want)
					}
				})
			}
		}
	}
}

func TestSignedOutAndDisabled(t *testing.T) {
	f := newFixture(t)
	r := f.report(t, "ubnd_p1", feedback.StatusAssigned)
	_, err := f.desk.Report(context.Background(), feedback.Actor{}, r.Code)
	wantCode(t, err, feedback.EUNAUTHORIZED)
	gone := *f.users["officer"]
	gone.Disabled = true
	_, err = f.desk.Report(context.Background(), feedback.Actor{User: &gone}, r.Code)
	wantCode(t, err, feedback.EUNAUTHORIZED)
}

func TestQueueIsUnitScoped(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	own := f.report(t, "ubnd_p1", feedback.StatusAssigned)
	f.clock.Add(time.Hour)
	f.report(t, "ubnd_p2", feedback.StatusAssigned)
	// Asking for another unit does not widen an officer's queue.
	page, err := f.desk.Queue(ctx, f.as("officer"), QueueFilter{Unit: "ubnd_p2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Reports) != 1 || page.Reports[0].ID != own.ID {
		t.Fatalf("officer queue = %d reports, want only the own unit's", len(page.Reports))
	}
	all, err := f.desk.Queue(ctx, f.as("supervisor"), QueueFilter{})
	if err != nil || len(all.Reports) != 2 {
		t.Fatalf("supervisor queue = %d, %v; want 2", len(all.Reports), err)
	}
	if !all.Reports[0].DueAt.Before(all.Reports[1].DueAt) {
		t.Error("queue not sorted by due date")
	}
	_, err = f.desk.Queue(ctx, f.as("admin"), QueueFilter{})
	wantCode(t, err, feedback.EFORBIDDEN)
	f.clock.Add(10 * 24 * time.Hour)
	over, err := f.desk.Queue(ctx, f.as("manager"), QueueFilter{Overdue: true})
	if err != nil || len(over.Reports) != 1 {
		t.Fatalf("overdue queue = %v, %v", over.Reports, err)
	}
}

func TestQueueFiltersAndCursor(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var codes []string
	for i := range 5 {
		st := feedback.StatusAssigned
		if i%2 == 1 {
			st = feedback.StatusInProgress
		}
		codes = append(codes, f.report(t, "ubnd_p1", st).Code)
		f.clock.Add(time.Hour)
	}
	seen := map[string]bool{}
	cursor := ""
	for page := 0; ; page++ {
		p, err := f.desk.Queue(ctx, f.as("manager"), QueueFilter{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Reports {
			if seen[r.Code] {
				t.Fatalf("%s on two pages", r.Code)
			}
			seen[r.Code] = true
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
		if page > 5 {
			t.Fatal("cursor never ends")
		}
	}
	if len(seen) != 5 {
		t.Fatalf("pages held %d reports, want 5", len(seen))
	}
	inProgress, err := f.desk.Queue(ctx, f.as("manager"), QueueFilter{Status: []feedback.Status{feedback.StatusInProgress}})
	if err != nil || len(inProgress.Reports) != 2 {
		t.Fatalf("status filter: %d, %v", len(inProgress.Reports), err)
	}
	byText, err := f.desk.Queue(ctx, f.as("manager"), QueueFilter{Text: "ĐỔ TRỘM", Category: "rac_thai"})
	if err != nil || len(byText.Reports) != 5 {
		t.Fatalf("text filter: %d, %v", len(byText.Reports), err)
	}
	_, err = f.desk.Queue(ctx, f.as("manager"), QueueFilter{Status: []feedback.Status{"sai"}})
	wantCode(t, err, feedback.EINVALID)
}
