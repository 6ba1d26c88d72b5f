package classifier

import (
	"context"
	"slices"
	"testing"
	"time"

	"phananh/feedback"
)

func benchTexts(b *testing.B) []string {
	_, held := Split(shippedForTest(b))
	var out []string
	for _, e := range held {
		out = append(out, e.Text)
	}
	return out
}

// BenchmarkClassify measures one classification with the embedded model;
// run with -cpu 1 for texts/s on one core (1e9 / ns/op). It also reports
// the p99 latency.
func BenchmarkClassify(b *testing.B) {
	c, err := NewDefault(TuyHoaWards())
	if err != nil {
		b.Fatal(err)
	}
	texts := benchTexts(b)
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		if _, err := c.Classify(ctx, feedback.ClassifyInput{Text: texts[i%len(texts)]}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "texts/s")
}

// BenchmarkLoadModel measures decoding the embedded model.
func BenchmarkLoadModel(b *testing.B) {
	for b.Loop() {
		if _, err := EmbeddedModel(); err != nil {
			b.Fatal(err)
		}
	}
}
