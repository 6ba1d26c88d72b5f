package classifier

import (
	"os"
	"testing"
)

func shippedForTest(t testing.TB) []Example {
	t.Helper()
	ex, err := LoadExamples(os.DirFS("."), "data")
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) == 0 {
		t.Fatal("no shipped examples in data/")
	}
	return ex
}

// TestHeldOutNeverTrained fails if any held-out text, or a copy of it that
// differs only in case, accents or spacing, is in the training split.
func TestHeldOutNeverTrained(t *testing.T) {
	all := shippedForTest(t)
	train, held := Split(all)
	if len(train)+len(held) != len(all) {
		t.Fatalf("split lost examples: %d + %d != %d", len(train), len(held), len(all))
	}
	seen := map[uint64]bool{}
	for _, e := range train {
		if HeldOut(e.Text) {
			t.Errorf("held-out text in training split: %q", e.Text)
		}
		seen[textKey(e.Text)] = true
	}
	for _, e := range held {
		if seen[textKey(e.Text)] {
			t.Errorf("held-out text also trained on: %q", e.Text)
		}
	}
	if share := float64(len(held)) / float64(len(all)); share < 0.15 || share > 0.25 {
		t.Errorf("held-out share %.3f, want about 0.20", share)
	}
}

// TestSplitIsFixed pins the split: it depends only on the folded text, so
// near-copies go to the same side and adding data moves nothing.
func TestSplitIsFixed(t *testing.T) {
	a := "Rác ở đầu hẻm 12 Lê Lợi, phường 5 để cả tuần không ai thu gom"
	b := "rac o dau hem 12 le loi,   PHUONG 5 de ca tuan khong ai thu gom"
	if HeldOut(a) != HeldOut(b) {
		t.Fatal("near-copies landed on different sides of the split")
	}
	if got := textKey("abc"); got != 0xba7816bf8f01cfea {
		t.Errorf("textKey(abc) = %#x: the split hash changed, the held-out set would move", got)
	}
}
