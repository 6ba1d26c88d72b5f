package classifier

import "slices"

// spelling is what the word lists say about a syllable as written (lower
// case, with its accents): tokenize looks it up once rather than in the
// abbreviation, glossary and stopword maps in turn.
type spelling struct {
	abbreviation bool
	expansion    []token // the syllables an abbreviation stands for
	glossary     []token // the Vietnamese words for an English word
	stop         bool    // an English stopword
}

// spellings indexes abbreviations, englishGlossary and englishStopwords
// by syllable. The tokens they add carry their own stop flag.
var spellings = buildSpellings()

func buildSpellings() map[string]spelling {
	out := map[string]spelling{}
	withStops := func(ts []token) []token {
		ts = slices.Clone(ts)
		for i := range ts {
			ts[i].stop = englishStopwords[ts[i].acc]
		}
		return ts
	}
	for k, ts := range abbreviations {
		update(out, k, func(s *spelling) { s.abbreviation, s.expansion = true, withStops(ts) })
	}
	for k, ts := range englishGlossary {
		update(out, k, func(s *spelling) { s.glossary = withStops(ts) })
	}
	for k := range englishStopwords {
		update(out, k, func(s *spelling) { s.stop = true })
	}
	return out
}

// syllable is what the word lists say about a folded syllable: the
// concept terms that start with it, longest first, and whether it is a
// function word. extractWords looks it up once per token.
type syllable struct {
	terms    []conceptTerm
	function bool
}

// syllables indexes concepts and functionWords by folded syllable.
var syllables = buildSyllables()

func buildSyllables() map[string]syllable {
	out := map[string]syllable{}
	for k, terms := range concepts {
		update(out, k, func(s *syllable) { s.terms = terms })
	}
	for k := range functionWords {
		update(out, k, func(s *syllable) { s.function = true })
	}
	return out
}

// update applies set to m's entry for k, the zero value if there is none.
func update[T any](m map[string]T, k string, set func(*T)) {
	v := m[k]
	set(&v)
	m[k] = v
}
