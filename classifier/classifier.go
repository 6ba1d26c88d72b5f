// Package classifier decides a report's category and ward from its
// Vietnamese text, offline: text normalisation (NFC, case, diacritic
// folding, chat abbreviations), a hashed-feature logistic regression with
// a calibrated softmax, and a ward gazetteer that never guesses.
package classifier

import (
	"context"
	"strings"
	"sync"

	"phananh/feedback"
)

// topFeatures is how many features an explanation lists.
const topFeatures = 5

// Local is the offline classifier: the embedded (or a trained) model plus
// the ward gazetteer. Safe for concurrent use.
type Local struct {
	model *Model
	gaz   *Gazetteer
	name  string    // see Name; built once, not per Classify
	pool  sync.Pool // *featureSet buffers
}

var _ feedback.Classifier = (*Local)(nil)

// NewLocal returns a classifier using model m and the given wards.
func NewLocal(m *Model, wards []Ward) *Local {
	return &Local{model: m, gaz: NewGazetteer(wards), name: "local:" + m.Version}
}

// NewDefault returns a classifier using the embedded model.
func NewDefault(wards []Ward) (*Local, error) {
	m, err := EmbeddedModel()
	if err != nil {
		return nil, err
	}
	return NewLocal(m, wards), nil
}

// Model returns the model the classifier uses.
func (c *Local) Model() *Model { return c.model }

// Gazetteer returns the ward gazetteer the classifier uses.
func (c *Local) Gazetteer() *Gazetteer { return c.gaz }

// Name is what Classification.Model says when this classifier decided.
func (c *Local) Name() string { return c.name }

// Classify returns the category with its calibrated probability, the two
// runners-up, the ward (point in polygon first, then text) and the
// features that weighed most. Errors: EINVALID for empty text.
func (c *Local) Classify(_ context.Context, in feedback.ClassifyInput) (feedback.Classification, error) {
	if strings.TrimSpace(in.Text) == "" {
		return feedback.Classification{}, feedback.FieldError("text",
			"Nội dung phản ánh đang trống.", "The report text is empty.")
	}
	fs, _ := c.pool.Get().(*featureSet)
	if fs == nil {
		fs = &featureSet{}
	}
	defer c.pool.Put(fs)
	extractWords(in.Text, c.model.Dims, fs)
	var buf [maxClasses]float64
	p := c.model.scores(fs, buf[:0])
	order := top3(p)
	out := feedback.Classification{
		Category:     c.model.Classes[order[0]],
		Confidence:   p[order[0]],
		Model:        c.Name(),
		Features:     c.explain(fs, order[0]),
		Alternatives: make([]feedback.Alternative, len(order)),
	}
	for j, i := range order {
		out.Alternatives[j] = feedback.Alternative{Category: c.model.Classes[i], Confidence: p[i]}
	}
	w, ok := c.gaz.findPoint(in.Lat, in.Lng)
	if !ok {
		w = c.gaz.findText(fs.toks, fs.nfc)
	}
	out.Ward, out.WardSpan, out.WardSource = w.Ward, w.Span, w.Source
	return out, nil
}
