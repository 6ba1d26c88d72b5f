package sqlite

import (
	"context"
	"testing"

	"phananh/store/stafftest"
)

func TestStaffContract(t *testing.T) {
	stafftest.Run(t, func(t *testing.T) stafftest.Store { return MustOpen(t) })
}

// TestAuditLogIsAppendOnly checks the triggers: even SQL that bypasses the
// store's methods cannot change or delete an audit entry.
func TestAuditLogIsAppendOnly(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	for _, q := range []string{`UPDATE audit_log SET action = 'x'`, `DELETE FROM audit_log`} {
		if _, err := s.wdb.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, action) VALUES (1, 'u', 'a')`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.wdb.ExecContext(ctx, q); err == nil {
			t.Errorf("%s succeeded on the append-only audit log", q)
		}
	}
}
