package classifier

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"phananh/feedback"
)

// This file keeps the classifier's first, straightforward algorithm
// (every feature materialised, IDF applied per occurrence, NFC and
// unicode tables for every rune) as the reference the optimised Classify
// must match field by field: see TestClassifyMatchesReference.

// refClassify is Local.Classify as first written.
func refClassify(c *Local, in feedback.ClassifyInput) feedback.Classification {
	var fs featureSet
	refExtract(in.Text, c.model.Dims, &fs)
	p := softmax(refLogits(c.model, &fs), c.model.Temperature)
	order := top3(p)
	out := feedback.Classification{
		Category:     c.model.Classes[order[0]],
		Confidence:   p[order[0]],
		Model:        c.Name(),
		Features:     refExplain(c.model, &fs, order[0]),
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
	return out
}

// refRow returns the IDF and the class weights of a bucket as stored in
// the model file.
func refRow(m *Model, bucket uint32) (float32, []float32) {
	k := len(m.Classes)
	r := int(m.index[bucket]) * (k + 1)
	return m.rows[r], m.rows[r+1 : r+1+k]
}

func refLogits(m *Model, fs *featureSet) []float64 {
	k := len(m.Classes)
	z := make([]float64, k)
	acc := make([]float32, k)
	var sumSq float32
	for _, f := range fs.feats {
		idf, row := refRow(m, f.bucket)
		if idf == 0 {
			continue
		}
		// float32(...) rounds each product before the sum, as amd64
		// (GOAMD64=v1) always did; it forbids a fused multiply-add.
		sumSq += float32(idf * idf)
		for c, w := range row {
			acc[c] += float32(idf * w)
		}
	}
	s := unitScale(sumSq)
	for c := range z {
		z[c] = float64(m.B[c]) + float64(s*acc[c])
	}
	return z
}

func refExtract(text string, dims uint32, fs *featureSet) {
	fs.toks, fs.nfc = refTokenize(text, fs.toks)
	fs.feats = fs.feats[:0]
	add := func(h uint64, kind byte, a, n int) {
		fs.feats = append(fs.feats, feature{bucket: uint32(h>>17) % dims, kind: kind, a: int32(a), n: int32(n)})
	}
	var sb strings.Builder
	sb.WriteByte(' ')
	prev := -1
	accented := fs.toks.accented()
	for i, t := range fs.toks {
		if englishStopwords[t.acc] {
			continue
		}
		f := t.featureFold()
		add(hashString(hashStart(kindFold), f), kindFold, i, 0)
		if t.acc != t.fold && !t.name {
			add(hashString(hashStart(kindAccent), t.acc), kindAccent, i, 0)
		}
		refConceptsAt(fs.toks, i, accented, func(concept string, n int) {
			add(hashString(hashStart(kindConcept), concept), kindConcept, i, n)
		})
		if prev >= 0 {
			h := hashString(hashStart(kindBigram), fs.toks[prev].featureFold())
			h = hashString((h^' ')*fnvPrime, f)
			add(h, kindBigram, prev, i)
		}
		prev = i
		sb.WriteString(f)
		sb.WriteByte(' ')
	}
	fs.stream = sb.String()
	s := fs.stream
	for i := 0; i+minGram <= len(s); i++ {
		h := hashStart(kindCharGrm)
		for j := i; j < len(s) && j-i < maxGram; j++ {
			h = (h ^ uint64(s[j])) * fnvPrime
			if n := j - i + 1; n >= minGram {
				add(h, kindCharGrm, i, n)
			}
		}
	}
}

func refConceptsAt(ts tokens, i int, accented bool, f func(concept string, n int)) {
	var seen []string
	for _, term := range concepts[ts[i].fold] {
		if i+len(term.syl) > len(ts) || slices.Contains(seen, term.concept) || !term.matches(ts[i:], accented) {
			continue
		}
		if len(seen) < 4 {
			seen = append(seen, term.concept)
		}
		f(term.concept, len(term.syl))
	}
}

func refTokenize(text string, buf tokens) (tokens, string) {
	text = norm.NFC.String(text)
	var low, fold strings.Builder
	type span struct{ la, lb, fa, fb, pos, end int }
	var spans []span
	start, kind, end := -1, 0, 0
	var cur span
	flush := func() {
		if start >= 0 {
			cur.lb, cur.fb, cur.end = low.Len(), fold.Len(), end
			spans = append(spans, cur)
			start = -1
		}
	}
	for i, r := range text {
		k := 0
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			k = 1
		case r >= '0' && r <= '9':
			k = 2
		}
		if k != kind || k == 0 {
			flush()
		}
		kind = k
		if k == 0 {
			continue
		}
		if start < 0 {
			start = i
			cur = span{la: low.Len(), fa: fold.Len(), pos: i}
		}
		end = i + utf8.RuneLen(r)
		r = unicode.ToLower(r)
		low.WriteRune(r)
		if r >= 0x300 && r <= 0x36F {
			continue
		}
		fold.WriteRune(foldRune(r))
	}
	flush()
	ls, fs := low.String(), fold.String()
	out := buf[:0]
	for _, s := range spans {
		t := token{acc: ls[s.la:s.lb], fold: fs[s.fa:s.fb], pos: int32(s.pos), end: int32(s.end)}
		t.num = t.fold[0] >= '0' && t.fold[0] <= '9'
		r, _ := utf8.DecodeRuneInString(text[s.pos:])
		t.upper = unicode.IsUpper(r)
		if exp, ok := abbreviations[t.acc]; ok {
			for _, e := range exp {
				e.pos, e.end, e.abbr = t.pos, t.end, true
				out = append(out, e)
			}
			continue
		}
		out = append(out, t)
		for _, e := range englishGlossary[t.acc] {
			e.pos, e.end, e.abbr = t.pos, t.end, true
			out = append(out, e)
		}
	}
	markNames(out, text)
	return out, text
}

func refExplain(m *Model, fs *featureSet, class int) []string {
	words := refShortlist(m, fs, class, false)
	out := make([]string, 0, topFeatures)
	for _, t := range words {
		if name := fs.name(t.f); !slices.Contains(out, name) && len(out) < topFeatures {
			out = append(out, name)
		}
	}
	if len(out) == topFeatures {
		return out
	}
	grams := refShortlist(m, fs, class, true)
	var folded []string
	for _, w := range out {
		folded = append(folded, Fold(w))
	}
	for _, t := range grams {
		gram := strings.TrimSpace(fs.stream[t.f.a : t.f.a+t.f.n])
		covered := slices.ContainsFunc(folded, func(w string) bool { return strings.Contains(w, gram) })
		if !covered && len(out) < topFeatures {
			out = append(out, fs.name(t.f))
			folded = append(folded, gram)
		}
	}
	return out
}

// refShortlist returns the 16 heaviest candidates, heaviest first, earlier
// occurrences first among equals.
func refShortlist(m *Model, fs *featureSet, class int, grams bool) []candidate {
	var all []candidate
	k := float32(len(m.Classes))
	for _, f := range fs.feats {
		if (f.kind == kindCharGrm) != grams || refPlaceholder(fs.toks, f) {
			continue
		}
		idf, row := refRow(m, f.bucket)
		if idf == 0 {
			continue
		}
		var sum float32
		for _, v := range row {
			sum += v
		}
		if w := idf * (row[class] - sum/k); w > 0 {
			all = append(all, candidate{f, w})
		}
	}
	slices.SortStableFunc(all, func(a, b candidate) int {
		switch {
		case a.w > b.w:
			return -1
		case a.w < b.w:
			return 1
		}
		return 0
	})
	return all[:min(len(all), 16)]
}

func refPlaceholder(ts tokens, f feature) bool {
	switch f.kind {
	case kindFold, kindAccent:
		t := ts[f.a]
		return t.num || t.name || functionWords[t.fold]
	case kindBigram:
		a, b := ts[f.a], ts[f.n]
		return a.num || a.name || b.num || b.name
	}
	return false
}
