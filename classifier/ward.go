package classifier

import (
	"slices"
	"strconv"
	"strings"
)

// Ward is a ward or commune the gazetteer can find in text. The city
// configuration supplies them; the classifier does not import it.
type Ward struct {
	ID      string
	Name    string   // "Phường 5", "Xã Bình Kiến"
	Aliases []string // other spellings: "P5", "Binh Kien"...
	// Polygon is the ward boundary as rings of (lng, lat) points, tested
	// with the even-odd rule: an outline and its holes, or every ring of
	// every polygon of a MultiPolygon (city.City.WardPolygons flattened).
	// Nil when the config has none.
	Polygon [][][2]float64
}

// WardMatch is the ward a text or point names.
type WardMatch struct {
	Ward   string // ward id, "" when none is named
	Span   string // the text that named it
	Source string // "text" or "polygon"
}

// Sources of a ward.
const (
	SourceText    = "text"
	SourcePolygon = "polygon"
)

// Gazetteer finds the ward a report names. It never guesses: a text that
// names no ward gets none. Safe for concurrent use.
type Gazetteer struct {
	wards    []Ward
	numbered map[int]string // "Phường 5" -> 5 -> ward id
	names    []namePattern
}

// namePattern is a ward name without its "phường"/"xã" prefix.
type namePattern struct {
	fold []string // folded syllables
	acc  []string // with accents, to reject "Phù Đổng" for "Phú Đông"
	ward string
}

// wardPrefixes introduce a ward name (after abbreviation expansion, so
// "p", "f" and "ph" arrive as "phuong").
var wardPrefixes = map[string]bool{"phuong": true, "xa": true, "ward": true, "commune": true}

// streetWords before a name make it a street, school or bridge, not a ward.
var streetWords = wordSet("đường phố hẻm kiệt ngõ ngách lộ cầu trường street road st avenue")

// NewGazetteer indexes wards by name and aliases. A name or alias that is
// "Phường <n>" (or "P<n>") is matched by number, so "Phường 1" never
// matches "Phường 10".
func NewGazetteer(wards []Ward) *Gazetteer {
	g := &Gazetteer{wards: slices.Clone(wards), numbered: map[int]string{}}
	for _, w := range wards {
		for _, n := range append([]string{w.Name}, w.Aliases...) {
			g.index(w.ID, n)
		}
	}
	// Longer names first, so "Phú Thạnh Đông" would beat "Phú Thạnh".
	slices.SortStableFunc(g.names, func(a, b namePattern) int { return len(b.fold) - len(a.fold) })
	return g
}

func (g *Gazetteer) index(id, name string) {
	toks, _ := tokenize(name, nil)
	if len(toks) > 0 && wardPrefixes[toks[0].fold] {
		toks = toks[1:]
	}
	if len(toks) == 0 {
		return
	}
	if len(toks) == 1 && toks[0].num {
		if n, err := strconv.Atoi(toks[0].fold); err == nil {
			g.numbered[n] = id
		}
		return
	}
	p := namePattern{ward: id}
	for _, t := range toks {
		p.fold = append(p.fold, t.fold)
		p.acc = append(p.acc, t.acc)
	}
	g.names = append(g.names, p)
}

// Find returns the ward at the point when polygons are configured and one
// contains it, otherwise the ward the text names, otherwise none.
func (g *Gazetteer) Find(text string, lat, lng *float64) WardMatch {
	if m, ok := g.findPoint(lat, lng); ok {
		return m
	}
	toks, nfc := tokenize(text, nil)
	return g.findText(toks, nfc)
}

// findPoint returns the ward whose polygon contains the point, if any.
func (g *Gazetteer) findPoint(lat, lng *float64) (WardMatch, bool) {
	if lat == nil || lng == nil {
		return WardMatch{}, false
	}
	for _, w := range g.wards {
		if len(w.Polygon) > 0 && inPolygon(w.Polygon, *lng, *lat) {
			return WardMatch{Ward: w.ID, Source: SourcePolygon}, true
		}
	}
	return WardMatch{}, false
}

// findText returns the first ward introduced by a prefix ("phường 5",
// "xã Bình Kiến"), else the first bare ward name that is not part of a
// street name.
func (g *Gazetteer) findText(toks tokens, nfc string) WardMatch {
	var bare WardMatch
	accented := toks.accented()
	for i := range toks {
		if id, j, ok := g.numberAt(toks, i); ok {
			return WardMatch{Ward: id, Span: nfc[toks[i].pos:toks[j].end], Source: SourceText}
		}
		p, ok := g.nameAt(toks, i)
		if !ok {
			continue
		}
		j := i + len(p.fold) - 1
		if i > 0 && wardPrefixes[toks[i-1].fold] && !afterNumber(toks, i-1) {
			return WardMatch{Ward: p.ward, Span: nfc[toks[i-1].pos:toks[j].end], Source: SourceText}
		}
		if bare.Ward == "" && !afterStreetWord(toks, i, accented) && !insideName(toks, i, nfc) {
			bare = WardMatch{Ward: p.ward, Span: nfc[toks[i].pos:toks[j].end], Source: SourceText}
		}
	}
	return bare
}

// numberAt matches "phường [số] <n>" at i and returns the ward and the
// index of the number token.
func (g *Gazetteer) numberAt(toks tokens, i int) (string, int, bool) {
	if toks[i].fold != "phuong" && toks[i].fold != "ward" || afterNumber(toks, i) {
		return "", 0, false
	}
	j := i + 1
	if j < len(toks) && toks[j].fold == "so" {
		j++
	}
	if j >= len(toks) || !toks[j].num {
		return "", 0, false
	}
	n, err := strconv.Atoi(toks[j].fold)
	if err != nil {
		return "", 0, false
	}
	id, ok := g.numbered[n]
	return id, j, ok
}

// insideName reports whether token i continues a capitalised name that
// started before it, as "Phú Thạnh" in "Nguyễn Phú Thạnh": a person, not
// the ward.
func insideName(toks tokens, i int, nfc string) bool {
	if i == 0 || !toks[i].upper || !toks[i-1].upper || toks[i-1].num {
		return false
	}
	return strings.TrimSpace(nfc[toks[i-1].end:toks[i].pos]) == ""
}

// afterNumber reports whether the abbreviation at i follows a number, as
// in "10p" (ten minutes), where "p" is not "phường".
func afterNumber(toks tokens, i int) bool {
	return toks[i].abbr && i > 0 && toks[i-1].num && toks[i-1].end == toks[i].pos
}

func afterStreetWord(toks tokens, i int, accented bool) bool {
	if i == 0 || !streetWords.has(toks[i-1], accented) {
		return false
	}
	// "lộ" is a road only in "quốc lộ" / "tỉnh lộ"; "loang lổ" is not.
	return toks[i-1].fold != "lo" || (i > 1 && (toks[i-2].fold == "quoc" || toks[i-2].fold == "tinh"))
}

// nameAt returns the longest ward name starting at token i. Syllables
// written with accents must carry the name's accents; syllables written
// without any match by their folded form.
func (g *Gazetteer) nameAt(toks tokens, i int) (namePattern, bool) {
next:
	for _, p := range g.names {
		if i+len(p.fold) > len(toks) {
			continue
		}
		for k, f := range p.fold {
			t := toks[i+k]
			// A name written without accents (an alias like "Phuong Phu Lam")
			// accepts any; written with them, the text's must agree.
			if t.fold != f || (t.acc != t.fold && p.acc[k] != f && !sameAccents(t.acc, p.acc[k])) {
				continue next
			}
		}
		return p, true
	}
	return namePattern{}, false
}
