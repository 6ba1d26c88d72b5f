package sqlite

import (
	"runtime"
	"syscall"
	"testing"
	"time"

	"phananh/feedback"
)

// BenchmarkCreateReport measures durable report inserts (report row plus
// its created event, synchronous=FULL) from 32 concurrent writers, with
// group commit and with one transaction per write, in the same run.
//
//	go test -run '^$' -bench CreateReport -benchtime 5s ./store/sqlite/
func BenchmarkCreateReport(b *testing.B) {
	for _, bc := range []struct {
		name  string
		batch int
	}{
		{"group_commit", defaultMaxBatch},
		{"tx_per_write", 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := MustOpen(b, withMaxBatch(bc.batch))
			b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0))) // 32 writers
			b.ReportAllocs()
			b.ResetTimer()
			start, commits, cpu := time.Now(), s.commits.Load(), cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r := benchReport()
					ev := []feedback.Event{{Type: feedback.EventCreated, ReportID: r.ID, ReportCode: r.Code, Public: true, At: r.CreatedAt}}
					if _, _, _, err := s.CreateReport(b.Context(), r, ev); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reports/s")
			b.ReportMetric(float64(b.N)/float64(max(1, s.commits.Load()-commits)), "writes/tx")
			// CPU per report is steadier than reports/s on a shared machine.
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/report")
		})
	}
}

// cpuTime returns the user plus system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchReport() *feedback.Report {
	r := crashReport()
	lat, lng := 13.0955, 109.3209
	r.Location = feedback.Location{Lat: &lat, Lng: &lng, Address: "12 Trần Hưng Đạo, Phường 1"}
	r.Category, r.Ward, r.Unit, r.Status = "rac_thai", "p1", "moi_truong", feedback.StatusAssigned
	r.DueAt = r.CreatedAt.Add(72 * time.Hour)
	r.Reporter = feedback.Contact{Name: "Nguyễn Văn An", Phone: "0905123456"}
	r.IdempotencyKey = "api:" + r.ID
	return r
}

// BenchmarkReadReport measures reading a report by code and its public
// timeline, the two queries behind GET /api/v1/reports/{code}.
func BenchmarkReadReport(b *testing.B) {
	s := MustOpen(b)
	codes := make([]string, 500)
	for i := range codes {
		r := benchReport()
		ev := []feedback.Event{{Type: feedback.EventCreated, ReportID: r.ID, Public: true, At: r.CreatedAt}}
		if _, _, _, err := s.CreateReport(b.Context(), r, ev); err != nil {
			b.Fatal(err)
		}
		codes[i] = r.Code
	}
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			r, err := s.Report(b.Context(), codes[i%len(codes)])
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := s.Events(b.Context(), feedback.EventFilter{ReportID: r.ID, PublicOnly: true}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reads/s")
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/read")
}
