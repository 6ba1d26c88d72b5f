package classifier

import (
	"slices"
	"strings"
)

// candidate is a feature occurrence and how much it pushed towards a class.
type candidate struct {
	f feature
	w float32
}

// shortlist keeps the few heaviest candidates, heaviest first.
type shortlist struct {
	top [16]candidate
	n   int
}

func (s *shortlist) offer(c candidate) {
	if s.n == len(s.top) && c.w <= s.top[s.n-1].w {
		return
	}
	if s.n < len(s.top) {
		s.n++
	}
	i := s.n - 1
	for i > 0 && s.top[i-1].w < c.w {
		s.top[i] = s.top[i-1]
		i--
	}
	s.top[i] = c
}

// explain returns the names of the features that pushed most towards
// class: syllables and syllable pairs first (an officer reads "ngập" or
// "đèn đường" more easily than a character n-gram), then character
// n-grams not already covered, each by how much more it weighs for class
// than on average.
func (c *Local) explain(fs *featureSet, class int) []string {
	words := c.shortlist(fs, class, false)
	out := make([]string, 0, topFeatures)
	for _, t := range words.top[:words.n] {
		if len(out) == topFeatures {
			break
		}
		if name := fs.name(t.f); !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	if len(out) == topFeatures {
		return out // the usual case: character n-grams need not be weighed
	}
	grams := c.shortlist(fs, class, true)
	folded := make([]string, len(out))
	for i, w := range out {
		folded[i] = Fold(w)
	}
	for _, t := range grams.top[:grams.n] {
		if len(out) == topFeatures {
			break
		}
		gram := strings.TrimSpace(fs.stream[t.f.a : t.f.a+t.f.n])
		covered := slices.ContainsFunc(folded, func(w string) bool { return strings.Contains(w, gram) })
		if !covered {
			out = append(out, fs.name(t.f))
			folded = append(folded, gram)
		}
	}
	return out
}

// shortlist weighs the character n-grams (grams) or the other features
// of fs for class.
func (c *Local) shortlist(fs *featureSet, class int, grams bool) shortlist {
	var s shortlist
	if grams {
		for f := range fs.grams(c.model.Dims) {
			c.offer(&s, f, class)
		}
		return s
	}
	for _, f := range fs.feats {
		if !fs.toks.placeholder(f) {
			c.offer(&s, f, class)
		}
	}
	return s
}

// offer puts f on s by how much more it weighs for class than on average.
func (c *Local) offer(s *shortlist, f feature, class int) {
	if w := c.model.table.lift(f.bucket, class); w > 0 {
		s.offer(candidate{f, w})
	}
}

// placeholder reports whether a syllable feature stands for a number, a
// proper name or a function word, which explain nothing to an officer
// (the model still weighs them).
func (ts tokens) placeholder(f feature) bool {
	switch f.kind {
	case kindFold, kindAccent:
		t := ts[f.a]
		return t.num || t.name || t.function
	case kindBigram:
		a, b := ts[f.a], ts[f.n]
		return a.num || a.name || b.num || b.name
	}
	return false
}

// functionWords are common Vietnamese words that carry no topic, folded.
var functionWords = setOf(`o va cua la co khong duoc cho cac nhung nay do da roi thi ma voi tai tu den
trong tren duoi ra vao len xuong nen vi neu con cung rat qua nhieu it moi mot hai ba bi se dang
toi chung em anh chi ong ba ho minh ai gi sao nao day kia ay nha nguoi xin de nghi kinh gui ngay
luc khi gio hom nay mai suot lam di`)
