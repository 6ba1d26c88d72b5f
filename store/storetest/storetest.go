// Package storetest is the one contract suite every feedback.Store passes.
//
// A store's test calls Run with a function that opens a fresh, empty store
// for each subtest (and registers its Close with t.Cleanup). The suite pins
// down behaviour the interface comments leave open:
//
//   - CreateReport stores the report with Version 1 and returns it; every
//     time comes back in UTC with at least millisecond precision. It
//     returns EINVALID when the report has no ID or Code, or an event has
//     no Type, and writes nothing then.
//   - UpdateReport finds the report by ID and sets r.UpdatedAt to the
//     store's clock.
//   - FindReports pages never repeat or skip a report; ties on the sort key
//     are broken by the store in any stable way. A page is empty only when
//     the whole result is, and the last page has NextCursor "".
//   - AppendEvents is all-or-nothing: one invalid event appends none.
//   - PutPhoto rejects empty data with EINVALID; OpenPhoto answers
//     ENOTFOUND for any id that is not a stored photo, including ids that
//     are not 64 hex characters.
package storetest

import (
	"testing"

	"phananh/feedback"
)

// Caps declares what a backend can guarantee. A test that needs a missing
// capability is skipped with the reason, never deleted, so the gap stays
// visible in every run.
type Caps struct {
	// AtomicConcurrentUpdates: concurrent compare-and-set updates of one
	// report serialise, so exactly one of N racing transitions wins.
	// FerretDB lacks it.
	AtomicConcurrentUpdates bool
	// AtomicStateClaims: PutStateIfAbsent racing on one key lets exactly
	// one caller claim it.
	AtomicStateClaims bool
}

// suite carries the capabilities into the individual tests.
type suite struct {
	caps Caps
}

type storeTest struct {
	name string
	fn   func(t *testing.T, s feedback.Store)
}

// Run runs the whole contract against stores made by open. open must return
// a fresh, empty store and arrange for it to be closed when t ends.
func Run(t *testing.T, open func(t *testing.T) feedback.Store, caps Caps) {
	st := suite{caps: caps}
	var tests []storeTest
	tests = append(tests, st.reportTests()...)
	tests = append(tests, st.findTests()...)
	tests = append(tests, st.eventTests()...)
	tests = append(tests, st.stateTests()...)
	tests = append(tests, st.photoTests()...)
	tests = append(tests, storeTest{"Ping", testPing})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t))
		})
	}
}

func testPing(t *testing.T, s feedback.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// wantCode fails the test unless err carries the domain error code code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := feedback.ErrorCode(err); got != code {
		t.Fatalf("%s: error code %q (err %v), want %q", what, got, err, code)
	}
}

// must fails the test on a non-nil error.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
