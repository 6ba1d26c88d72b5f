package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/time/rate"

	"phananh/city"
	"phananh/classifier"
	"phananh/intake"
	"phananh/store/sqlite"
)

// BenchmarkCreateReportJSON measures POST /api/v1/reports in process (no
// sockets): middleware, JSON, classification, routing and a durable SQLite
// write with group commit. `phananh bench intake` measures the same over
// loopback HTTP against a bare handler.
func BenchmarkCreateReportJSON(b *testing.B) {
	st, err := sqlite.Open(b.Context(), b.TempDir(), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	m, err := classifier.EmbeddedModel()
	if err != nil {
		b.Fatal(err)
	}
	c := city.Demo()
	srv, err := New(Deps{Store: st, City: CityDirectory(c), PostRate: rate.Inf,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Intake: intake.New(intake.Deps{Store: st, City: c, Classifier: classifier.NewLocal(m, classifier.TuyHoaWards())})})
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.SetParallelism(16) // concurrent requests are what group commit batches
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Sprintf(`{"text":"Rác thải đổ thành đống ở đầu hẻm %d Trần Hưng Đạo, phường 1, bốc mùi hôi thối."}`, n.Add(1))
			req := httptest.NewRequest("POST", "/api/v1/reports", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			if w.Code != 201 {
				b.Errorf("status %d: %s", w.Code, w.Body.String())
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}
