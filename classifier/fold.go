package classifier

import (
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldTableLo and foldTableHi bound the runes folded through the table:
// Latin-1 Supplement to Latin Extended Additional, which holds every
// Vietnamese letter.
const (
	foldTableLo = 0x00C0
	foldTableHi = 0x1EFF
)

// foldTable maps a lower-case Vietnamese letter to its base letter without
// tone or vowel marks. It is pure data computed once from NFD.
var foldTable = buildFoldTable()

// markTable holds, for each letter in the table's range, the combining
// marks NFD gives it (at most two for Vietnamese: a vowel mark and a tone),
// with đ counted as a mark of its own.
var markTable = buildMarkTable()

func buildMarkTable() [][2]rune {
	t := make([][2]rune, foldTableHi-foldTableLo+1)
	for r := rune(foldTableLo); r <= foldTableHi; r++ {
		d := []rune(norm.NFD.String(string(r)))
		for i := 1; i < len(d) && i <= 2; i++ {
			t[r-foldTableLo][i-1] = d[i]
		}
	}
	t['đ'-foldTableLo] = [2]rune{'đ'}
	t['Đ'-foldTableLo] = [2]rune{'đ'}
	return t
}

// sameAccents reports whether two NFC syllables with the same folded form
// carry the same marks, wherever the tone sits: "hoà" and "hòa" do, "hôi"
// and "hỏi" do not. It does not allocate.
func sameAccents(a, b string) bool {
	var ma, mb [8]rune
	return sortedMarks(a, &ma) == sortedMarks(b, &mb)
}

// sortedMarks collects the marks of s into buf, sorted, and returns them as
// a comparable array.
func sortedMarks(s string, buf *[8]rune) [8]rune {
	n := 0
	for _, r := range s {
		if r < foldTableLo || r > foldTableHi {
			continue
		}
		for _, m := range markTable[r-foldTableLo] {
			if m != 0 && n < len(buf) {
				i := n
				for i > 0 && buf[i-1] > m {
					buf[i] = buf[i-1]
					i--
				}
				buf[i] = m
				n++
			}
		}
	}
	return *buf
}

func buildFoldTable() []rune {
	t := make([]rune, foldTableHi-foldTableLo+1)
	for r := rune(foldTableLo); r <= foldTableHi; r++ {
		t[r-foldTableLo] = r
		d := []rune(norm.NFD.String(string(r)))
		if len(d) > 1 && d[0] < 0x80 {
			t[r-foldTableLo] = d[0]
		}
	}
	t['đ'-foldTableLo] = 'd'
	t['Đ'-foldTableLo] = 'D'
	return t
}

// foldRune removes Vietnamese tone and vowel marks from r and maps đ to d.
func foldRune(r rune) rune {
	if r >= foldTableLo && r <= foldTableHi {
		return foldTable[r-foldTableLo]
	}
	return r
}

// Fold returns s in lower case without diacritics ("Phường Phú Đông" ->
// "phuong phu dong"). It normalises to NFC first, so NFD input folds the
// same way.
func Fold(s string) string {
	s = norm.NFC.String(s)
	out := make([]rune, 0, len(s))
	for _, r := range s {
		out = append(out, foldRune(unicode.ToLower(r)))
	}
	return string(out)
}
