package classifier

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestHeldOutQuality trains on the shipped training split and checks the
// issue's targets on the held-out split.
func TestHeldOutQuality(t *testing.T) {
	all, err := LoadExamples(os.DirFS("."), "data")
	if err != nil {
		t.Fatal(err)
	}
	train, held := Split(all)
	m, err := Train(train, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := NewLocal(m, TuyHoaWards())
	got, err := Evaluate(context.Background(), c, held)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	got.Write(&sb)
	t.Logf("train %d held-out %d T=%.3f\n%s", len(train), len(held), m.Temperature, sb.String())
	if got.MacroF1 < 0.90 {
		t.Errorf("held-out macro-F1 %.3f, want >= 0.90", got.MacroF1)
	}
	if got.WardAccuracy < 0.95 {
		t.Errorf("ward accuracy %.3f, want >= 0.95", got.WardAccuracy)
	}
	if got.WardFalseRate > 0.03 {
		t.Errorf("ward given to %.3f of texts naming none, want <= 0.03", got.WardFalseRate)
	}
}
