package intake

import (
	"context"
	"testing"
)

// BenchmarkSubmit measures the whole pipeline on the durable SQLite store,
// with concurrent submitters so that the store's group commit is exercised.
func BenchmarkSubmit(b *testing.B) {
	e := mustEnv(b, nil)
	sub := submission("Rác thải sinh hoạt đổ bừa bãi ở đầu hẻm 12 đường Trần Phú, phường 5.")
	sub.Category = "rac_thai"
	sub.Lat, sub.Lng = ptr(13.093), ptr(109.306)
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.svc.Submit(context.Background(), sub); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
