package classifier

import "slices"

// explain returns the names of the features that pushed most towards
// class c: the largest weights for c among the text's features, one entry
// per distinct name.
func (c *Local) explain(fs *featureSet, class int) []string {
	const candidates = 16
	k := len(c.model.Classes)
	type cand struct {
		f feature
		w float32
	}
	var top [candidates]cand
	n := 0
	for _, f := range fs.feats {
		row := c.model.W[int(f.bucket)*k : int(f.bucket)*k+k]
		w := row[class]
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
