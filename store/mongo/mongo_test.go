package mongo

import (
	"testing"

	"phananh/feedback"
	"phananh/store/storetest"
)

// TestContract runs the shared store contract suite. On FerretDB (no
// PHANANH_TEST_MONGO_URI) the tests that need atomic single-document
// compare-and-set under concurrency skip with their reason: FerretDB updates
// are not atomic under concurrency.
func TestContract(t *testing.T) {
	probe := MustOpen(t)
	ferretDB := isFerret(t, probe)
	if ferretDB {
		t.Log("running on embedded FerretDB: FerretDB updates are not atomic under concurrency, so the concurrent transition and claim tests skip; set " + envTestURI + " to run them on MongoDB")
	}
	caps := storetest.Caps{
		AtomicConcurrentUpdates: !ferretDB,
		AtomicStateClaims:       !ferretDB,
	}
	storetest.Run(t, func(t *testing.T) feedback.Store { return MustOpen(t) }, caps)
}
