package classifier

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestShippedModelIsTrainedOnShippedData fails when data/*.jsonl changed
// and `phananh train` was not run: the embedded model must be the one
// the numbers below describe.
func TestShippedModelIsTrainedOnShippedData(t *testing.T) {
	train, _ := Split(shippedForTest(t))
	m, err := EmbeddedModel()
	if err != nil {
		t.Fatal(err)
	}
	if want := DataVersion(train); m.Version != want {
		t.Fatalf("embedded model %s, training data is %s: run `go run ./cmd/phananh train`", m.Version, want)
	}
}

// TestHeldOutQuality checks the targets for the shipped model on
// the held-out split it never saw.
func TestHeldOutQuality(t *testing.T) {
	_, held := Split(shippedForTest(t))
	c, err := NewDefault(TuyHoaWards())
	if err != nil {
		t.Fatal(err)
	}
	got, err := Evaluate(context.Background(), c, held)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	got.Write(&sb)
	t.Logf("held-out %d, temperature %.3f\n%s", len(held), c.Model().Temperature, sb.String())
	if got.MacroF1 < 0.90 {
		t.Errorf("held-out macro-F1 %.3f, want >= 0.90", got.MacroF1)
	}
	if got.WardAccuracy < 0.95 {
		t.Errorf("ward accuracy %.3f, want >= 0.95", got.WardAccuracy)
	}
	if got.WardFalseRate > 0.03 {
		t.Errorf("ward given to %.3f of texts naming none, want <= 0.03", got.WardFalseRate)
	}
	if got.ECE > 0.08 {
		t.Errorf("expected calibration error %.3f, want <= 0.08", got.ECE)
	}
}

// TestUnseenReports scores the shipped model on reports written apart
// from the training data (testdata/unseen.jsonl), in other words and
// styles, to catch a model that only learnt its own examples.
func TestUnseenReports(t *testing.T) {
	ex := unseenForTest(t)
	c, err := NewDefault(TuyHoaWards())
	if err != nil {
		t.Fatal(err)
	}
	got, err := Evaluate(context.Background(), c, ex)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("unseen: accuracy %.3f macro-F1 %.3f ward accuracy %.3f ward false rate %.3f",
		got.Accuracy, got.MacroF1, got.WardAccuracy, got.WardFalseRate)
	if got.Accuracy < 0.85 || got.WardAccuracy < 0.95 || got.WardFalseRate > 0 {
		t.Errorf("unseen reports: accuracy %.3f (want >= 0.85), ward accuracy %.3f (want >= 0.95), ward false rate %.3f (want 0)",
			got.Accuracy, got.WardAccuracy, got.WardFalseRate)
	}
}

// unseenForTest returns the reports of testdata/unseen.jsonl.
func unseenForTest(t testing.TB) []Example {
	b, err := os.ReadFile("testdata/unseen.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := ReadExamples(b, "unseen.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return ex
}
