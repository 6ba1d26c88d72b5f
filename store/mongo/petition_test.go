package mongo

import (
	"testing"

	"phananh/store/petitiontest"
)

// TestPetitionContract runs the petition contract suite. On FerretDB the
// counter cannot be exact under concurrency (its updates are
// read-modify-write without isolation, and it has no transactions), so the
// suite skips the counter and threshold checks of its concurrent tests
// there; the unique (petition_id, identity) index is checked everywhere.
func TestPetitionContract(t *testing.T) {
	atomic := !isFerret(t, MustOpen(t))
	petitiontest.Run(t, func(t *testing.T) petitiontest.Store { return MustOpen(t) },
		petitiontest.Caps{AtomicCounters: atomic})
}
