package sqlite

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"phananh/feedback"
)

// BenchmarkPetitionSign measures a durable e-mail signature (request, then
// confirmation with the count and threshold step) from parallel clients
// on one petition: the hot path of a viral petition.
func BenchmarkPetitionSign(b *testing.B) {
	s := MustOpen(b)
	ctx := context.Background()
	now := time.Now().UTC()
	p := &feedback.Petition{ID: feedback.NewID(), Title: "Bench", Status: feedback.PetitionOpen, CreatedAt: now,
		ClosesAt: now.Add(time.Hour), Thresholds: []feedback.PetitionThreshold{{Signatures: 200, Unit: "u", WorkingDays: 15}}}
	if _, err := s.CreatePetition(ctx, p, nil); err != nil {
		b.Fatal(err)
	}
	due := func(t time.Time, d int) time.Time { return t.AddDate(0, 0, d) }
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := strconv.FormatInt(n.Add(1), 10)
			sig := &feedback.Signature{ID: feedback.NewID(), PetitionID: p.ID, Method: feedback.SignByEmail,
				Identity: feedback.HashSecret(i), Email: i + "@example.vn", EmailDomain: "example.vn", CreatedAt: now}
			_, hash := feedback.NewSecret()
			if err := s.RequestSignature(ctx, sig, feedback.SignatureToken{Hash: hash, ExpiresAt: now.Add(time.Hour)}); err != nil {
				b.Fatal(err)
			}
			if _, err := s.ConfirmSignature(ctx, hash, now, due); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.StopTimer()
	if c, _ := s.SignatureCount(ctx, p.ID); int64(c) != n.Load() {
		b.Fatalf("count %d after %d signatures", c, n.Load())
	}
}
