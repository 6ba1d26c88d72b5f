package classifier

import (
	"iter"
	"strings"
)

// Feature kinds. Each kind hashes into the same space with its own seed.
const (
	kindAccent  = 'w' // a syllable with its accents, when it has any
	kindFold    = 'f' // a syllable without accents
	kindBigram  = 'b' // two neighbouring syllables without accents
	kindCharGrm = 'c' // a character n-gram of the folded text
)

// featureVersion changes whenever extract changes what it produces; a
// model trained on other features is refused at load, since its weights
// would be read against the wrong features.
const featureVersion = 6

// Character n-gram sizes over the folded text.
const (
	minGram = 3
	maxGram = 5
)

// feature is one hashed feature occurrence, with enough to name it again
// for an explanation: the token index (a) for syllables, the two token
// indexes (a, n) for bigrams, or the byte offset and length into the
// folded stream for character n-grams.
type feature struct {
	bucket uint32
	kind   byte
	a, n   int32
}

// featureSet is the features of one text and what is needed to name them.
// Classify keeps only the syllable, bigram and concept features in feats:
// the character n-grams, most of a text's features, are walked again
// (see grams) rather than stored.
type featureSet struct {
	toks   tokens
	nfc    string // the NFC text the token spans point into
	stream string // folded syllables joined by spaces, padded with spaces
	feats  []feature
	hits   []int32 // scratch for Model.logits: the score rows of the features
}

// fnv-1a 64-bit constants.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashStart(kind byte) uint64 { return (fnvOffset ^ uint64(kind)) * fnvPrime }

func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// bucketOf maps a hash to a bucket; a mask, not a division, for the usual
// power-of-two dims.
func bucketOf(h uint64, dims uint32) uint32 {
	if dims&(dims-1) == 0 {
		return uint32(h>>17) & (dims - 1)
	}
	return uint32(h>>17) % dims
}

// numberSyllable stands for any number in features, nameSyllable for any
// syllable of a proper name: a house number or a street name says nothing
// about the category.
const (
	numberSyllable = "#"
	nameSyllable   = "@"
)

func (t token) featureFold() string {
	switch {
	case t.num:
		return numberSyllable
	case t.name:
		return nameSyllable
	}
	return t.fold
}

// extract computes every hashed feature of text into fs, reusing its
// buffers: what training reads.
func extract(text string, dims uint32, fs *featureSet) {
	extractWords(text, dims, fs)
	for f := range fs.grams(dims) {
		fs.feats = append(fs.feats, f)
	}
}

// extractWords tokenizes text into fs and computes its syllable, concept
// and bigram features and the folded stream its character n-grams come
// from.
func extractWords(text string, dims uint32, fs *featureSet) {
	fs.toks, fs.nfc = tokenize(text, fs.toks)
	fs.feats = fs.feats[:0]
	var sb strings.Builder
	sb.Grow(len(text) + 2)
	sb.WriteByte(' ')
	prev := -1
	accented := fs.toks.accented()
	for i, t := range fs.toks {
		if t.stop {
			continue
		}
		syl := syllables[t.fold]
		fs.toks[i].function = syl.function
		f := t.featureFold()
		fs.add(hashString(hashStart(kindFold), f), dims, kindFold, i, 0)
		if t.acc != t.fold && !t.name {
			fs.add(hashString(hashStart(kindAccent), t.acc), dims, kindAccent, i, 0)
		}
		fs.toks.conceptsAt(i, syl.terms, accented, func(concept string, n int) {
			fs.add(hashString(hashStart(kindConcept), concept), dims, kindConcept, i, n)
		})
		if prev >= 0 {
			h := hashString(hashStart(kindBigram), fs.toks[prev].featureFold())
			h = hashString((h^' ')*fnvPrime, f)
			fs.add(h, dims, kindBigram, prev, i)
		}
		prev = i
		sb.WriteString(f)
		sb.WriteByte(' ')
	}
	fs.stream = sb.String()
}

// grams yields the character n-grams of the stream in order: at each byte
// offset, the 3-, 4- and 5-gram that start there.
func (fs *featureSet) grams(dims uint32) iter.Seq[feature] {
	return func(yield func(feature) bool) {
		s := fs.stream
		for i := 0; i+minGram <= len(s); i++ {
			h := hashStart(kindCharGrm)
			for j := i; j < len(s) && j-i < maxGram; j++ {
				h = (h ^ uint64(s[j])) * fnvPrime
				n := j - i + 1
				if n >= minGram && !yield(feature{bucket: bucketOf(h, dims), kind: kindCharGrm, a: int32(i), n: int32(n)}) {
					return
				}
			}
		}
	}
}

func (fs *featureSet) add(h uint64, dims uint32, kind byte, a, n int) {
	fs.feats = append(fs.feats, feature{bucket: bucketOf(h, dims), kind: kind, a: int32(a), n: int32(n)})
}

// name returns a readable name of f for explanations: the syllable with
// accents, the bigram, or the quoted character n-gram.
func (fs *featureSet) name(f feature) string {
	switch f.kind {
	case kindAccent:
		return fs.toks[f.a].acc
	case kindFold:
		if t := fs.toks[f.a]; !t.num && !t.name {
			return t.acc
		}
		return fs.toks[f.a].featureFold()
	case kindBigram:
		return fs.toks[f.a].featureFold() + " " + fs.toks[f.n].featureFold()
	case kindConcept:
		var parts []string
		for _, t := range fs.toks[f.a : f.a+f.n] {
			parts = append(parts, t.acc)
		}
		return strings.Join(parts, " ")
	}
	return "«" + strings.TrimSpace(fs.stream[f.a:f.a+f.n]) + "»"
}
