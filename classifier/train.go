package classifier

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// TrainOptions tune Train. The zero value gives the shipped settings.
type TrainOptions struct {
	Version      string  // model version; default "v1"
	Dims         uint32  // hashed feature space; default 1<<18
	Epochs       int     // passes over the data; default 25
	LearningRate float64 // initial SGD step; default 2
	L2           float64 // weight decay per update; default 1e-4
	MinDocFreq   int     // features in fewer training texts are dropped; default 2
	Folds        int     // folds for fitting the temperature; default 5
	Seed         uint64  // shuffling seed; default 1
}

func (o TrainOptions) withDefaults() TrainOptions {
	if o.Version == "" {
		o.Version = "v1"
	}
	if o.Dims == 0 {
		o.Dims = 1 << 18
	}
	if o.Epochs == 0 {
		o.Epochs = 25
	}
	if o.LearningRate == 0 {
		o.LearningRate = 2
	}
	if o.L2 == 0 {
		o.L2 = 1e-4
	}
	if o.MinDocFreq == 0 {
		o.MinDocFreq = 2
	}
	if o.Folds == 0 {
		o.Folds = 5
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// sample is a training example reduced to its feature buckets and their
// normalised values.
type sample struct {
	buckets []uint32
	vals    []float32
	class   int
	key     uint64 // textKey: an example and its copy without accents share it
}

// Train fits a model on examples deterministically: the same examples in
// any order and the same options give the same model bytes. Its softmax
// temperature is fitted on out-of-fold predictions of the training data,
// so no held-out example is needed to calibrate it. Pass only training
// examples: see Split.
func Train(examples []Example, opts TrainOptions) (*Model, error) {
	o := opts.withDefaults()
	if len(examples) == 0 {
		return nil, errors.New("classifier: no training examples")
	}
	classes := Categories()
	samples, err := prepare(examples, classes, o)
	if err != nil {
		return nil, err
	}
	idf := weigh(samples, o)
	t := fitTemperature(outOfFold(samples, len(classes), o))
	w, b := fit(samples, len(classes), o)
	return newModel(o.Version, classes, o.Dims, t, w, b, idf), nil
}

// weigh computes the IDF of every bucket over the texts (a text and its
// copy without accents count once; 0 for buckets in fewer than MinDocFreq
// texts) and sets each sample's values to its
// unit-length IDF-weighted vector, exactly as Model.logits computes it.
// The temperature folds reuse these IDFs: they are unsupervised, so that
// leaks no label.
func weigh(samples []sample, o TrainOptions) []float32 {
	df := make([]int32, o.Dims)
	last := make([]uint64, o.Dims) // key of the last text counted per bucket
	texts := 0
	for i, s := range samples {
		if i == 0 || s.key != samples[i-1].key {
			texts++
		}
		for _, b := range s.buckets {
			if df[b] == 0 || last[b] != s.key {
				df[b]++
				last[b] = s.key
			}
		}
	}
	idf := make([]float32, o.Dims)
	n := float64(texts)
	for b, d := range df {
		if int(d) >= o.MinDocFreq {
			idf[b] = float32(math.Log((n+1)/float64(d+1)) + 1)
		}
	}
	for i := range samples {
		s := &samples[i]
		s.vals = make([]float32, len(s.buckets))
		var sumSq float32
		for j, b := range s.buckets {
			s.vals[j] = idf[b]
			sumSq += idf[b] * idf[b]
		}
		scale := unitScale(sumSq)
		for j := range s.vals {
			s.vals[j] *= scale
		}
	}
	return idf
}

// prepare adds a copy without accents of every example written with them
// (citizens often type without; the copy teaches the folded features to
// carry the decision alone), extracts features and orders samples by text
// hash, so input order does not matter.
func prepare(examples []Example, classes []string, o TrainOptions) ([]sample, error) {
	ex := slices.Clone(examples)
	for _, e := range examples {
		if f := Fold(e.Text); f != strings.ToLower(e.Text) {
			ex = append(ex, Example{Text: f, Category: e.Category, Ward: e.Ward})
		}
	}
	slices.SortStableFunc(ex, func(a, b Example) int {
		if c := cmp.Compare(textKey(a.Text), textKey(b.Text)); c != 0 {
			return c
		}
		return cmp.Compare(a.Text+a.Category, b.Text+b.Category)
	})
	samples := make([]sample, 0, len(ex))
	var fs featureSet
	for _, e := range ex {
		c := slices.Index(classes, e.Category)
		if c < 0 {
			return nil, fmt.Errorf("classifier: unknown category %q", e.Category)
		}
		extract(e.Text, o.Dims, &fs)
		b := make([]uint32, len(fs.feats))
		for i, f := range fs.feats {
			b[i] = f.bucket
		}
		samples = append(samples, sample{buckets: b, class: c, key: textKey(e.Text)})
	}
	return samples, nil
}

// fit runs SGD on the softmax loss and returns weights and biases.
func fit(samples []sample, k int, o TrainOptions) ([]float32, []float32) {
	w := make([]float32, int(o.Dims)*k)
	b := make([]float32, k)
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	order := make([]int, len(samples))
	for i := range order {
		order[i] = i
	}
	z := make([]float64, k)
	g := make([]float32, k)
	l2 := float32(o.L2)
	for epoch := 0; epoch < o.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		lr := float32(o.LearningRate / (1 + float64(epoch)*0.2))
		for _, i := range order {
			s := &samples[i]
			sampleLogits(w, b, s, z)
			softmax(z, 1)
			for c := range g {
				g[c] = float32(z[c])
			}
			g[s.class]--
			for c := range b {
				b[c] -= float32(lr * g[c] * 0.1)
			}
			for j, u := range s.buckets {
				v := s.vals[j]
				if v == 0 {
					continue
				}
				row := w[int(u)*k : int(u)*k+k]
				for c := range row {
					// The float32 conversions forbid fused multiply-adds, which
					// some CPUs would round differently: training stays
					// bit-for-bit reproducible across machines.
					row[c] -= float32(lr * (float32(v*g[c]) + float32(l2*row[c])))
				}
			}
		}
	}
	return w, b
}

func sampleLogits(w, b []float32, s *sample, z []float64) {
	k := len(b)
	var acc [maxClasses]float32
	for j, u := range s.buckets {
		x := s.vals[j]
		for c, v := range w[int(u)*k : int(u)*k+k] {
			acc[c] += float32(x * v)
		}
	}
	for c := range z {
		z[c] = float64(b[c]) + float64(acc[c])
	}
}

// scored is one out-of-fold prediction: raw logits and the true class.
type scored struct {
	z     []float64
	class int
}

// outOfFold trains on all folds but one and scores the left-out fold,
// for every fold.
func outOfFold(samples []sample, k int, o TrainOptions) []scored {
	out := make([]scored, 0, len(samples))
	for f := 0; f < o.Folds; f++ {
		var tr, te []sample
		for _, s := range samples {
			if int(s.key>>32)%o.Folds == f { // by text, so a copy never validates its original
				te = append(te, s)
			} else {
				tr = append(tr, s)
			}
		}
		w, b := fit(tr, k, o)
		for i := range te {
			z := make([]float64, k)
			sampleLogits(w, b, &te[i], z)
			out = append(out, scored{z: z, class: te[i].class})
		}
	}
	return out
}

// fitTemperature returns the temperature that minimises the negative
// log-likelihood of the scored predictions (golden-section search on
// log T, which is unimodal for this loss).
func fitTemperature(preds []scored) float64 {
	if len(preds) == 0 {
		return 1
	}
	nll := func(logT float64) float64 {
		t := math.Exp(logT)
		var sum float64
		p := make([]float64, len(preds[0].z))
		for _, s := range preds {
			copy(p, s.z)
			softmax(p, t)
			sum -= math.Log(math.Max(p[s.class], 1e-12))
		}
		return sum
	}
	lo, hi := math.Log(0.02), math.Log(20)
	phi := (math.Sqrt(5) - 1) / 2
	for i := 0; i < 60; i++ {
		a, b := hi-phi*(hi-lo), lo+phi*(hi-lo)
		if nll(a) < nll(b) {
			hi = b
		} else {
			lo = a
		}
	}
	return math.Exp((lo + hi) / 2)
}
