package mongo

import (
	"testing"

	"phananh/sla"
	"phananh/store/slatest"
)

// The store is asserted here rather than in escalation.go so that the
// adapter itself depends on the domain only, as store/sqlite does.
var _ sla.CandidateLister = (*Store)(nil)

func TestSLAWorkLists(t *testing.T) {
	slatest.Run(t, func(t *testing.T) slatest.Store { return MustOpen(t) })
}
