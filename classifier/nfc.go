package classifier

import "golang.org/x/text/unicode/norm"

// nfcStableLimit bounds the runes nfcStable describes: Latin, Vietnamese,
// general punctuation; anything above goes through norm's own check.
const nfcStableLimit = 0x2000

// nfcStable marks the runes below nfcStableLimit that are NFC on their own
// and never combine with a rune before them (canonical combining class 0,
// NFC quick check Yes). A text made of them only is NFC, as Unicode's quick
// check has it; intake has normalised most reports so already, and this is
// a cheaper test of it than norm's.
var nfcStable = buildNFCStable()

func buildNFCStable() []bool {
	t := make([]bool, nfcStableLimit)
	for r := range rune(nfcStableLimit) {
		s := string(r)
		p := norm.NFC.PropertiesString(s)
		t[r] = p.BoundaryBefore() && p.CCC() == 0 && norm.NFC.IsNormalString(s)
	}
	return t
}

// toNFC returns s in Unicode normalisation form C.
func toNFC(s string) string {
	for _, r := range s {
		if r >= nfcStableLimit || !nfcStable[r] {
			return norm.NFC.String(s)
		}
	}
	return s
}
