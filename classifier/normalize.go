package classifier

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one syllable or number of a report, in lower case with its
// accents (acc) and without them (fold). Expanded abbreviations carry the
// expansion, so "ko" reads as "không".
type token struct {
	acc, fold string
	num       bool
	upper     bool  // written with a capital first letter
	name      bool  // part of a proper name (a street, a person): see markNames
	abbr      bool  // expanded from an abbreviation
	stop      bool  // an English stopword, which makes no features
	function  bool  // a function word (set by extractWords): see placeholder
	pos, end  int32 // byte span in the NFC text
}

// tokens is a normalised text: its syllables in order.
type tokens []token

// tokenize normalises text (NFC, lower case), splits it into syllables and
// numbers (a letter-digit change splits too, so "p5" is "p" "5"), folds
// diacritics and expands common abbreviations and chat spellings. It
// returns the tokens and the NFC text their spans point into.
func tokenize(text string, buf tokens) (tokens, string) {
	text = toNFC(text)
	var low, fold strings.Builder
	low.Grow(len(text))
	fold.Grow(len(text))
	type span struct{ la, lb, fa, fb, pos, end int }
	var spanBuf [64]span // enough for most reports, without a heap allocation
	spans := spanBuf[:0]
	start, kind, end := -1, 0, 0 // kind: 1 letter, 2 digit
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
		case unicode.IsLetter(r) || r >= 0x300 && unicode.Is(unicode.Mn, r): // no mark below U+0300
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
		if r >= 0x300 && r <= 0x36F { // a combining mark NFC could not compose
			continue
		}
		f := foldRune(r)
		if f < utf8.RuneSelf {
			fold.WriteByte(byte(f))
		} else {
			fold.WriteRune(f)
		}
	}
	flush()
	ls, fs := low.String(), fold.String()
	out := buf[:0]
	for _, s := range spans {
		t := token{acc: ls[s.la:s.lb], fold: fs[s.fa:s.fb], pos: int32(s.pos), end: int32(s.end)}
		t.num = t.fold[0] >= '0' && t.fold[0] <= '9'
		r, _ := utf8.DecodeRuneInString(text[s.pos:])
		t.upper = unicode.IsUpper(r)
		sp := spellings[t.acc]
		if sp.abbreviation {
			for _, e := range sp.expansion {
				e.pos, e.end, e.abbr = t.pos, t.end, true
				out = append(out, e)
			}
			continue
		}
		t.stop = sp.stop
		out = append(out, t)
		for _, e := range sp.glossary {
			e.pos, e.end, e.abbr = t.pos, t.end, true
			out = append(out, e)
		}
	}
	markNames(out, text)
	return out, text
}

// placeWords are followed by a proper name: "đường Nguyễn Huệ", "cầu Hùng
// Vương", "chợ Tuy Hòa".
var placeWords = wordSet("đường phố hẻm kiệt ngõ cầu chợ trường lộ street road bridge st")

// words is a set of syllables matched by their accents when the text is
// written with accents ("chợ" is not "cho"), and by their folded form
// when it is written without.
type words struct{ acc, fold map[string]bool }

func wordSet(s string) words {
	w := words{acc: map[string]bool{}, fold: map[string]bool{}}
	for _, f := range strings.Fields(s) {
		w.acc[f] = true
		w.fold[Fold(f)] = true
	}
	return w
}

// has reports whether t is one of the words; accented says whether the
// text it comes from uses accents at all.
func (w words) has(t token, accented bool) bool {
	if accented {
		return w.acc[t.acc]
	}
	return w.fold[t.fold]
}

// accented reports whether the text is written with Vietnamese marks:
// at least a quarter of its syllables carry one (fully accented
// Vietnamese has well over half; a chat message typed without marks but
// for one word has few).
func (ts tokens) accented() bool {
	marked, syllables := 0, 0
	for _, t := range ts {
		if t.num || t.abbr {
			continue
		}
		syllables++
		if t.acc != t.fold {
			marked++
		}
	}
	return syllables > 0 && 4*marked >= syllables
}

// markNames flags proper names, so that street and person names (which
// say nothing about the problem, and which the judged reports will not
// share with the training data) do not become features: capitalised
// syllables right after a place word, and runs of two or more
// capitalised syllables inside a sentence.
func markNames(ts tokens, text string) {
	accented := ts.accented()
	for i := 0; i < len(ts); i++ {
		if !ts[i].upper || ts[i].abbr {
			continue
		}
		j := i
		for j < len(ts) && ts[j].upper && !ts[j].abbr && (j == i || !sentenceBreak(ts, j, text)) {
			j++
		}
		afterPlace := i > 0 && placeWords.has(ts[i-1], accented) && !sentenceBreak(ts, i, text)
		if afterPlace || (j-i >= 2 && !sentenceBreak(ts, i, text)) {
			for k := i; k < j; k++ {
				ts[k].name = true
			}
		}
		i = j - 1
	}
}

// sentenceBreak reports whether token i starts the text or a sentence.
func sentenceBreak(ts tokens, i int, text string) bool {
	if i == 0 {
		return true
	}
	return strings.ContainsAny(text[ts[i-1].end:ts[i].pos], ".!?:;\n")
}

// abbreviations maps a lower-case chat spelling or abbreviation to the
// syllables it stands for. Keys are exact accented forms: "hong" without
// marks is left alone because it is as often "hỏng" (broken) as "không".
var abbreviations = buildAbbreviations(map[string]string{
	"ko": "không", "k": "không", "kh": "không", "hok": "không", "hk": "không",
	"khg": "không", "kg": "không", "kô": "không", "hông": "không", "khum": "không", "hum": "không",
	"dc": "được", "đc": "được", "dk": "được", "đk": "được", "duoc": "được",
	"p": "phường", "ph": "phường", "phg": "phường", "f": "phường", "tp": "thành phố", "tx": "thị xã",
	"ubnd": "ủy ban nhân dân", "ub": "ủy ban", "kp": "khu phố", "tdp": "tổ dân phố",
	"đg": "đường", "dg": "đường", "ql": "quốc lộ", "hxh": "hẻm xe hơi",
	"vs": "với", "j": "gì", "r": "rồi", "ng": "người", "nc": "nước", "mn": "mọi người",
	"bt": "bình thường", "ntn": "như thế nào", "sd": "sử dụng", "cx": "cũng", "cg": "cũng",
	"đt": "điện thoại", "dt": "điện thoại", "lm": "làm", "wa": "quá", "wá": "quá", "qa": "quá",
	"bn": "bao nhiêu", "nhg": "nhưng", "trc": "trước", "nhìu": "nhiều", "nhiu": "nhiều",
	"bít": "biết", "ngta": "người ta", "mik": "mình", "mk": "mình", "dzậy": "vậy",
	"zậy": "vậy", "z": "vậy", "v": "vậy", "rùi": "rồi", "ròi": "rồi", "hem": "không",
	"cty": "công ty", "xd": "xây dựng", "cv": "công viên", "bv": "bệnh viện",
	"ae": "anh em", "mng": "mọi người", "x": "xã",
	"thik": "thích", "bik": "biết", "bjo": "bây giờ", "bh": "bây giờ", "h": "giờ",
	"cs": "cảnh sát", "csgt": "cảnh sát giao thông", "hcm": "hồ chí minh",
})

func buildAbbreviations(m map[string]string) map[string][]token {
	out := make(map[string][]token, len(m))
	for k, v := range m {
		var ts []token
		for _, s := range strings.Fields(v) {
			ts = append(ts, token{acc: s, fold: Fold(s)})
		}
		out[k] = ts
	}
	return out
}
