package petitiontest

import (
	"context"
	"testing"
	"time"

	"phananh/feedback"
)

func testCreateGetUpdate(t *testing.T, s Store, _ Caps) {
	ctx := context.Background()
	p := newPetition(feedback.PetitionPending)
	p.Photos = []feedback.Photo{{ID: "ab", ContentType: "image/jpeg", Size: 3}}
	evs, err := s.CreatePetition(ctx, p, []feedback.Event{{Type: feedback.EventPetitionCreated, PetitionID: p.ID}})
	must(t, err)
	if len(evs) != 1 || evs[0].Seq == 0 || p.Version != 1 {
		t.Fatalf("CreatePetition events %+v version %d", evs, p.Version)
	}
	_, err = s.CreatePetition(ctx, p, nil)
	wantCode(t, err, feedback.ECONFLICT)
	_, err = s.CreatePetition(ctx, &feedback.Petition{Title: "x"}, nil)
	wantCode(t, err, feedback.EINVALID)

	got, err := s.Petition(ctx, p.ID)
	must(t, err)
	if got.Title != p.Title || got.Author.Email != "a@example.vn" || len(got.Photos) != 1 || len(got.Thresholds) != 2 ||
		!got.ClosesAt.Equal(p.ClosesAt) || !got.CreatedAt.Equal(base) || got.Status != feedback.PetitionPending || got.Version != 1 {
		t.Fatalf("Petition = %+v", got)
	}
	_, err = s.Petition(ctx, "nope")
	wantCode(t, err, feedback.ENOTFOUND)

	got.Status, got.PublishedAt = feedback.PetitionOpen, base.Add(time.Hour)
	got.Signatures = 999 // not the store's to take from here
	_, err = s.UpdatePetition(ctx, got, []feedback.Event{{Type: feedback.EventPetitionApproved, PetitionID: p.ID, Public: true}})
	must(t, err)
	if got.Version != 2 {
		t.Fatalf("version after update = %d, want 2", got.Version)
	}
	stale := *got
	stale.Version = 1
	_, err = s.UpdatePetition(ctx, &stale, nil)
	wantCode(t, err, feedback.ECONFLICT)
	ghost := newPetition(feedback.PetitionOpen)
	_, err = s.UpdatePetition(ctx, ghost, nil)
	wantCode(t, err, feedback.ENOTFOUND)

	again, err := s.Petition(ctx, p.ID)
	must(t, err)
	if again.Status != feedback.PetitionOpen || again.Signatures != 0 || !again.PublishedAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("after update: %+v", again)
	}
	if n, err := s.SignatureCount(ctx, p.ID); err != nil || n != 0 {
		t.Fatalf("SignatureCount = %d, %v", n, err)
	}
	_, err = s.SignatureCount(ctx, "nope")
	wantCode(t, err, feedback.ENOTFOUND)
	pev, err := s.Events(ctx, feedback.EventFilter{PetitionID: p.ID})
	must(t, err)
	if len(pev) != 2 || pev[1].Type != feedback.EventPetitionApproved {
		t.Fatalf("petition events = %+v", pev)
	}
}

func testFind(t *testing.T, s Store, _ Caps) {
	ctx := context.Background()
	var open []*feedback.Petition
	for i := range 3 {
		p := newPetition(feedback.PetitionOpen)
		p.CreatedAt = base.Add(time.Duration(i) * time.Hour)
		_, err := s.CreatePetition(ctx, p, nil)
		must(t, err)
		open = append(open, p)
	}
	_, err := s.CreatePetition(ctx, newPetition(feedback.PetitionPending), nil)
	must(t, err)
	// The oldest gets two signatures, the middle one one.
	sign(t, s, open[0], "a", base)
	sign(t, s, open[0], "b", base)
	sign(t, s, open[1], "c", base)

	published := []feedback.PetitionStatus{feedback.PetitionOpen, feedback.PetitionClosed}
	newest, err := s.FindPetitions(ctx, feedback.PetitionFilter{Status: published})
	must(t, err)
	if len(newest) != 3 || newest[0].ID != open[2].ID || newest[2].ID != open[0].ID {
		t.Fatalf("newest order wrong: %d petitions", len(newest))
	}
	most, err := s.FindPetitions(ctx, feedback.PetitionFilter{Status: published, Order: "signatures"})
	must(t, err)
	if len(most) != 3 || most[0].ID != open[0].ID || most[0].Signatures != 2 || most[1].ID != open[1].ID {
		t.Fatalf("signatures order wrong: %v", ids(most))
	}
	page, err := s.FindPetitions(ctx, feedback.PetitionFilter{Status: published, Order: "signatures", Offset: 1, Limit: 1})
	must(t, err)
	if len(page) != 1 || page[0].ID != open[1].ID {
		t.Fatalf("offset page = %v", ids(page))
	}
	pending, err := s.FindPetitions(ctx, feedback.PetitionFilter{Status: []feedback.PetitionStatus{feedback.PetitionPending}})
	must(t, err)
	if len(pending) != 1 {
		t.Fatalf("%d pending, want 1", len(pending))
	}
}

func ids(ps []*feedback.Petition) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func testClosed(t *testing.T, s Store, _ Caps) {
	ctx := context.Background()
	p := createOpen(t, s)
	h := request(t, s, newSig(p, "late", "example.vn", "", base), base.AddDate(0, 0, 40))
	_, err := s.ConfirmSignature(ctx, h, p.ClosesAt, due)
	wantCode(t, err, feedback.ECONFLICT)
	err = s.RequestSignature(ctx, newSig(p, "later", "example.vn", "", p.ClosesAt.Add(time.Second)),
		feedback.SignatureToken{Hash: feedback.HashSecret("x"), ExpiresAt: p.ClosesAt.Add(time.Hour)})
	wantCode(t, err, feedback.ECONFLICT)
	pending := newPetition(feedback.PetitionPending)
	_, err = s.CreatePetition(ctx, pending, nil)
	must(t, err)
	_, err = s.AddSignature(ctx, &feedback.Signature{ID: feedback.NewID(), PetitionID: pending.ID, Method: feedback.SignByTelegram,
		Identity: "t1", ChatID: 42, CreatedAt: base}, due)
	wantCode(t, err, feedback.ECONFLICT)
	if n, _ := s.SignatureCount(ctx, p.ID); n != 0 {
		t.Fatalf("count %d after refused signatures", n)
	}
}
