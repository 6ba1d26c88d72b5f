// Package petitiontest is the contract suite every feedback.PetitionStore
// passes, alongside store/storetest and store/stafftest. It also drives
// the petition service over the store for the load scenario of issue 9:
// 32 concurrent clients submit 1,000 signatures (many of them duplicates
// and e-mail variants) and confirm them, and exactly the unique identities
// are counted, with each threshold reached once.
package petitiontest

import (
	"context"
	"testing"
	"time"

	"phananh/feedback"
	"phananh/petition"
)

// Store is a store with every capability the petition service uses.
type Store = petition.Store

// Caps declares what a backend guarantees; a test that needs a missing
// capability is skipped with the reason, never deleted.
type Caps struct {
	// AtomicCounters: concurrent signature writes on one petition
	// serialise, so the counter is exact and each threshold is reached by
	// exactly one of them. FerretDB lacks it (its updates are
	// read-modify-write without isolation and it has no transactions).
	AtomicCounters bool
}

// Run runs the suite against stores made by open, which must return a
// fresh, empty store closed when t ends.
func Run(t *testing.T, open func(t *testing.T) Store, caps Caps) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store, caps Caps)
	}{
		{"CreateGetUpdate", testCreateGetUpdate},
		{"FindOrderAndStatus", testFind},
		{"RequestAndConfirm", testRequestAndConfirm},
		{"ExpiredAndUnknownTokens", testTokens},
		{"DuplicateIdentity", testDuplicateIdentity},
		{"ClosedPetitionRefuses", testClosed},
		{"ThresholdsOnceInOrder", testThresholds},
		{"ThresholdOnceUnderConcurrency", testThresholdConcurrency},
		{"InvalidateInBulk", testInvalidate},
		{"SignaturesListing", testListing},
		{"ServiceLoad", testServiceLoad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t), caps) })
	}
}

// base is a fixed instant all fixtures are built around (a Monday, 09:00
// in Vietnam).
var base = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := feedback.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// due is a stand-in calendar: working days as whole days.
func due(from time.Time, days int) time.Time { return from.AddDate(0, 0, days) }

// newPetition returns an open petition with thresholds at 2 and 3.
func newPetition(status feedback.PetitionStatus) *feedback.Petition {
	return &feedback.Petition{
		ID: feedback.NewID(), Title: "Chống ngập đường Trần Hưng Đạo", Text: "Mỗi mùa mưa đường ngập sâu.",
		Category: "thoat_nuoc", Ward: "p1", Unit: "ubnd_p1", Origin: feedback.OriginCitizen,
		Author:    feedback.Contact{Name: "Nguyễn Văn A", Email: "a@example.vn"},
		CreatedBy: feedback.ActorCitizen, Status: status, CreatedAt: base, UpdatedAt: base,
		PublishedAt: base, ClosesAt: base.AddDate(0, 0, 30),
		Thresholds: []feedback.PetitionThreshold{
			{Signatures: 2, Unit: "ubnd_p1", WorkingDays: 15}, {Signatures: 3, Unit: "van_phong", WorkingDays: 10},
		},
	}
}

func createOpen(t *testing.T, s Store) *feedback.Petition {
	t.Helper()
	p := newPetition(feedback.PetitionOpen)
	_, err := s.CreatePetition(context.Background(), p, []feedback.Event{{Type: feedback.EventPetitionCreated, PetitionID: p.ID}})
	must(t, err)
	return p
}

// newSig returns a signature of the given e-mail identity.
func newSig(p *feedback.Petition, who, domain, ip string, at time.Time) *feedback.Signature {
	return &feedback.Signature{
		ID: feedback.NewID(), PetitionID: p.ID, Method: feedback.SignByEmail, Identity: feedback.HashSecret(who),
		Email: who + "@" + domain, EmailDomain: domain, Name: "Người ký " + who, ShowName: true, IP: ip, CreatedAt: at,
	}
}

// request stores a pending signature and returns its token hash.
func request(t *testing.T, s Store, sig *feedback.Signature, expires time.Time) string {
	t.Helper()
	_, hash := feedback.NewSecret()
	must(t, s.RequestSignature(context.Background(), sig, feedback.SignatureToken{Hash: hash, ExpiresAt: expires}))
	return hash
}

// sign stores and confirms a signature, returning the outcome.
func sign(t *testing.T, s Store, p *feedback.Petition, who string, at time.Time) feedback.SignOutcome {
	t.Helper()
	h := request(t, s, newSig(p, who, "example.vn", "203.0.113.1", at), at.Add(time.Hour))
	out, err := s.ConfirmSignature(context.Background(), h, at.Add(time.Minute), due)
	must(t, err)
	return out
}

func countType(evs []feedback.Event, typ feedback.EventType) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}
