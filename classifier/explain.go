package classifier

import (
	"slices"
	"strings"
)

// explain returns the names of the features that pushed most towards
// class c: syllables and syllable pairs first (an officer reads "ngập" or
// "đèn đường" more easily than a character n-gram), then character
// n-grams, each by how much more it weighs for c than on average.
func (c *Local) explain(fs *featureSet, class int) []string {
	words := c.topFeatures(fs, class, func(k byte) bool { return k != kindCharGrm })
	if len(words) >= topFeatures {
		return words
	}
	for _, n := range c.topFeatures(fs, class, func(k byte) bool { return k == kindCharGrm }) {
		if len(words) == topFeatures {
			break
		}
		if !slices.ContainsFunc(words, func(w string) bool { return strings.Contains(Fold(w), strings.Trim(n, "«» ")) }) {
			words = append(words, n)
		}
	}
	return words
}

// topFeatures returns up to topFeatures distinct names of the features of
// the kinds keep accepts, by descending margin for class.
func (c *Local) topFeatures(fs *featureSet, class int, keep func(byte) bool) []string {
	const candidates = 16
	k := len(c.model.Classes)
	type cand struct {
		f feature
		w float32
	}
	var top [candidates]cand
	n := 0
	for _, f := range fs.feats {
		if !keep(f.kind) {
			continue
		}
		row := c.model.W[int(f.bucket)*k : int(f.bucket)*k+k]
		var sum float32
		for _, v := range row {
			sum += v
		}
		w := row[class] - sum/float32(k)
		if w <= 0 || (n == candidates && w <= top[n-1].w) {
			continue
		}
		if n < candidates {
			n++
		}
		i := n - 1
		for i > 0 && top[i-1].w < w {
			top[i] = top[i-1]
			i--
		}
		top[i] = cand{f, w}
	}
	out := make([]string, 0, topFeatures)
	for _, t := range top[:n] {
		if name := fs.name(t.f); !slices.Contains(out, name) {
			out = append(out, name)
			if len(out) == topFeatures {
				break
			}
		}
	}
	return out
}
