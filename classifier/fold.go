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
