package classifier

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"phananh/feedback"
)

// identityTexts are the shipped examples, the unseen test reports and
// variants of each that take other paths: NFD input, upper case, and the
// first two words alone (too few syllables, so explain falls back to
// character n-grams).
func identityTexts(t *testing.T) []string {
	var out []string
	for _, e := range append(shippedForTest(t), unseenForTest(t)...) {
		words := strings.Fields(e.Text)
		out = append(out, e.Text, norm.NFD.String(e.Text), strings.ToUpper(e.Text),
			strings.Join(words[:min(2, len(words))], " "))
	}
	return append(out, "x", "5", "?? ok", "Phường 5 có đèn", "Ô nhiễm!!! khói 🔥 đen", "ngã ba\tcầu\nđổ cây")
}

// TestClassifyMatchesReference pins Classify to the first, straightforward
// algorithm (reference_test.go): same category, the same confidences to
// the bit, same alternatives, ward and explanation for every text.
func TestClassifyMatchesReference(t *testing.T) {
	c, err := NewDefault(TuyHoaWards())
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range identityTexts(t) {
		got, err := c.Classify(context.Background(), feedback.ClassifyInput{Text: text})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		want := refClassify(c, feedback.ClassifyInput{Text: text})
		if !sameClassification(got, want) {
			t.Errorf("%q:\n got %+v\nwant %+v", text, got, want)
		}
	}
}

func sameClassification(a, b feedback.Classification) bool {
	sameAlt := func(x, y feedback.Alternative) bool {
		return x.Category == y.Category && math.Float64bits(x.Confidence) == math.Float64bits(y.Confidence)
	}
	return a.Category == b.Category && math.Float64bits(a.Confidence) == math.Float64bits(b.Confidence) &&
		a.Model == b.Model && a.Ward == b.Ward && a.WardSpan == b.WardSpan && a.WardSource == b.WardSource &&
		slices.Equal(a.Features, b.Features) && slices.EqualFunc(a.Alternatives, b.Alternatives, sameAlt)
}
