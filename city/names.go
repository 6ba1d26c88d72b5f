package city

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold returns the matching key of a name: lower case, without Vietnamese
// diacritics (đ becomes d), with every character that is not a letter or a
// digit removed. "Phường Phú Lâm", "phuong phu lam" and "PHUONG-PHU-LAM" all
// fold to "phuongphulam"; "P.5" and "p5" both fold to "p5". It accepts NFC and
// NFD input alike.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// WardByName returns the ward whose id, name or one of whose aliases matches
// name, ignoring case, diacritics, spaces and punctuation. After the 2025
// merger an old ward's name is an alias of the new ward, so resolving it
// gives the new ward.
func (c *City) WardByName(name string) (Ward, bool) {
	id, ok := c.wardNames[Fold(name)]
	if !ok {
		return Ward{}, false
	}
	return c.Ward(id)
}
