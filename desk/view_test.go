package desk

import (
	"context"
	"testing"
	"time"

	"phananh/feedback"
)

// TestViewAuditedOncePerWindow: re-reading an open report (live refreshes)
// adds no audit entry within the window; another account, another report
// or the next window does.
func TestViewAuditedOncePerWindow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.report(t, "ubnd_p1", feedback.StatusAssigned)
	views := func() int {
		es, err := f.store.Audit(ctx, feedback.AuditFilter{Action: string(ActView)})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	for range 5 {
		if _, err := f.desk.Report(ctx, f.as("officer"), r.Code); err != nil {
			t.Fatal(err)
		}
		f.clock.Add(30 * time.Second)
	}
	if n := views(); n != 1 {
		t.Fatalf("5 reads in 2.5 minutes wrote %d view entries, want 1", n)
	}
	if _, err := f.desk.Report(ctx, f.as("manager"), r.Code); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(viewWindow)
	if _, err := f.desk.Report(ctx, f.as("officer"), r.Code); err != nil {
		t.Fatal(err)
	}
	if n := views(); n != 3 {
		t.Fatalf("view entries = %d, want 3 (officer, manager, officer in the next window)", n)
	}
	// A refused read is not remembered as a view.
	if _, err := f.desk.Report(ctx, f.as("officer_p2"), r.Code); feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Fatalf("other unit's read = %v", err)
	}
}
