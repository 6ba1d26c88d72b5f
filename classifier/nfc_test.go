package classifier

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

// TestToNFCAgreesWithNorm checks the stable-rune shortcut against norm on
// every pair of Latin and Vietnamese runes, and on combining sequences
// the shortcut must hand over to norm.
func TestToNFCAgreesWithNorm(t *testing.T) {
	var runes []rune
	for r := rune(0); r < 0x250; r++ {
		runes = append(runes, r)
	}
	for r := rune(0x300); r < 0x370; r++ {
		runes = append(runes, r)
	}
	for r := rune(0x1E00); r < 0x1F00; r++ {
		runes = append(runes, r)
	}
	for _, a := range runes {
		for _, b := range runes {
			if s := string([]rune{a, b}); toNFC(s) != norm.NFC.String(s) {
				t.Fatalf("toNFC(%+q) = %+q, want %+q", s, toNFC(s), norm.NFC.String(s))
			}
		}
	}
	for _, s := range []string{"Phu\u031bo\u031b\u0300ng", "e\u0302\u0323", "\u2126", "\xff", "ổ gà 🔥"} {
		if toNFC(s) != norm.NFC.String(s) {
			t.Errorf("toNFC(%+q) = %+q, want %+q", s, toNFC(s), norm.NFC.String(s))
		}
	}
}
