package classifier

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"

	"phananh/feedback"
)

// ClassMetrics is precision and recall of one category.
type ClassMetrics struct {
	Category  string
	Precision float64
	Recall    float64
	F1        float64
	Support   int // examples whose true category it is
}

// Metrics is how well a classifier did on labelled examples.
type Metrics struct {
	N        int
	Accuracy float64
	MacroF1  float64
	PerClass []ClassMetrics
	// Confusion[i][j] counts examples of Classes[i] predicted as Classes[j].
	Classes   []string
	Confusion [][]int
	// WardNamed counts examples that name a ward; WardAccuracy is the share
	// of those given the right ward.
	WardNamed    int
	WardAccuracy float64
	// WardUnnamed counts examples naming no ward; WardFalseRate is the share
	// of those given a ward anyway.
	WardUnnamed   int
	WardFalseRate float64
	// ECE is the expected calibration error of the confidence (10 bins).
	ECE float64
}

// Evaluate classifies every example and scores the answers.
func Evaluate(ctx context.Context, c feedback.Classifier, examples []Example) (Metrics, error) {
	classes := Categories()
	m := Metrics{N: len(examples), Classes: classes, Confusion: make([][]int, len(classes))}
	for i := range m.Confusion {
		m.Confusion[i] = make([]int, len(classes))
	}
	var correct, wardOK, wardFalse int
	cal := newCalibration(10)
	for _, e := range examples {
		got, err := c.Classify(ctx, feedback.ClassifyInput{Text: e.Text})
		if err != nil {
			return Metrics{}, err
		}
		ti, pi := slices.Index(classes, e.Category), slices.Index(classes, got.Category)
		if ti >= 0 && pi >= 0 {
			m.Confusion[ti][pi]++
		}
		ok := got.Category == e.Category
		if ok {
			correct++
		}
		cal.add(got.Confidence, ok)
		switch {
		case e.Ward != "":
			m.WardNamed++
			if got.Ward == e.Ward {
				wardOK++
			}
		case got.Ward != "":
			wardFalse++
		}
	}
	m.WardUnnamed = m.N - m.WardNamed
	m.Accuracy = ratio(correct, m.N)
	m.WardAccuracy = ratio(wardOK, m.WardNamed)
	m.WardFalseRate = ratio(wardFalse, m.WardUnnamed)
	m.ECE = cal.ece()
	m.PerClass, m.MacroF1 = perClass(classes, m.Confusion)
	return m, nil
}

func perClass(classes []string, conf [][]int) ([]ClassMetrics, float64) {
	out := make([]ClassMetrics, len(classes))
	var sumF1 float64
	present := 0
	for i, c := range classes {
		tp, predicted, actual := conf[i][i], 0, 0
		for j := range classes {
			predicted += conf[j][i]
			actual += conf[i][j]
		}
		cm := ClassMetrics{Category: c, Support: actual, Precision: ratio(tp, predicted), Recall: ratio(tp, actual)}
		if cm.Precision+cm.Recall > 0 {
			cm.F1 = 2 * cm.Precision * cm.Recall / (cm.Precision + cm.Recall)
		}
		if actual > 0 || predicted > 0 {
			sumF1 += cm.F1
			present++
		}
		out[i] = cm
	}
	return out, ratioF(sumF1, present)
}

func ratio(a, b int) float64 { return ratioF(float64(a), b) }

func ratioF(a float64, b int) float64 {
	if b == 0 {
		return 0
	}
	return a / float64(b)
}

// calibration bins confidences to measure expected calibration error.
type calibration struct {
	count []int
	conf  []float64
	hits  []float64
	n     int
}

func newCalibration(bins int) *calibration {
	return &calibration{count: make([]int, bins), conf: make([]float64, bins), hits: make([]float64, bins)}
}

func (c *calibration) add(conf float64, correct bool) {
	b := min(int(conf*float64(len(c.count))), len(c.count)-1)
	c.count[b]++
	c.conf[b] += conf
	if correct {
		c.hits[b]++
	}
	c.n++
}

// ece is the count-weighted mean gap between confidence and accuracy.
func (c *calibration) ece() float64 {
	var e float64
	for b, n := range c.count {
		if n > 0 {
			e += float64(n) / float64(c.n) * math.Abs(c.conf[b]/float64(n)-c.hits[b]/float64(n))
		}
	}
	return e
}

// Write prints the metrics as a readable report.
func (m Metrics) Write(w io.Writer) {
	fmt.Fprintf(w, "examples %d  accuracy %.3f  macro-F1 %.3f  ECE %.3f\n", m.N, m.Accuracy, m.MacroF1, m.ECE)
	fmt.Fprintf(w, "ward accuracy %.3f (%d texts name a ward)  ward given without one %.3f (%d texts)\n",
		m.WardAccuracy, m.WardNamed, m.WardFalseRate, m.WardUnnamed)
	fmt.Fprintf(w, "%-11s %9s %7s %6s %7s\n", "category", "precision", "recall", "F1", "support")
	for _, c := range m.PerClass {
		fmt.Fprintf(w, "%-11s %9.3f %7.3f %6.3f %7d\n", c.Category, c.Precision, c.Recall, c.F1, c.Support)
	}
	fmt.Fprintf(w, "confusion (rows true, columns predicted):\n%-11s", "")
	for i := range m.Classes {
		fmt.Fprintf(w, " %4d", i)
	}
	fmt.Fprintln(w)
	for i, row := range m.Confusion {
		fmt.Fprintf(w, "%2d %-8.8s", i, m.Classes[i])
		for _, n := range row {
			fmt.Fprintf(w, " %4d", n)
		}
		fmt.Fprintln(w)
	}
}
