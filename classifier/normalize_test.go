package classifier

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func folds(ts tokens) string {
	var out []string
	for _, t := range ts {
		out = append(out, t.fold)
	}
	return strings.Join(out, " ")
}

func accents(ts tokens) string {
	var out []string
	for _, t := range ts {
		out = append(out, t.acc)
	}
	return strings.Join(out, " ")
}

func TestFoldRemovesVietnameseMarks(t *testing.T) {
	for in, want := range map[string]string{
		"Rác thải ĐƯỜNG Phú Đông":  "rac thai duong phu dong",
		"Hòa Kiến / Hoà Kiến":      "hoa kien / hoa kien",
		"ngập úng, ổ gà, đèn hỏng": "ngap ung, o ga, den hong",
		"already plain":            "already plain",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenizeNFDEqualsNFC(t *testing.T) {
	text := "Đèn đường ở Phường Phú Lâm bị hỏng"
	a, _ := tokenize(norm.NFC.String(text), nil)
	b, _ := tokenize(norm.NFD.String(text), nil)
	if accents(a) != accents(b) || folds(a) != folds(b) {
		t.Fatalf("NFC %q / %q differs from NFD %q / %q", accents(a), folds(a), accents(b), folds(b))
	}
	if got := accents(a); got != "đèn đường ở phường phú lâm bị hỏng" {
		t.Fatalf("accented tokens %q", got)
	}
}

func TestTokenizeExpandsChatSpelling(t *testing.T) {
	for in, want := range map[string]string{
		"rac ko ai don":          "rac không ai don",
		"đc 3 ngày r":            "được 3 ngày rồi",
		"P.5 tp Tuy Hòa":         "phường 5 thành phố tuy hòa",
		"F5 ntn vậy":             "phường 5 như thế nào vậy",
		"đèn hỏng, den hong":     "đèn hỏng den hong", // "hong" may be hỏng: kept
		"ubnd p7":                "ủy ban nhân dân phường 7",
		"đường Lê Lợi số 12A":    "đường lê lợi số 12 a",
		"xe rac 5h sang moi toi": "xe rac 5 giờ sang moi toi",
	} {
		got, _ := tokenize(in, nil)
		if accents(got) != want {
			t.Errorf("tokenize(%q) = %q, want %q", in, accents(got), want)
		}
	}
}

func TestTokenSpansPointIntoText(t *testing.T) {
	toks, nfc := tokenize("Ở  P.5, đường Lê Lợi", nil)
	var spans []string
	for _, tk := range toks {
		spans = append(spans, nfc[tk.pos:tk.end])
	}
	if got := strings.Join(spans, "|"); got != "Ở|P|5|đường|Lê|Lợi" {
		t.Fatalf("spans %q", got)
	}
}

func TestExtractFeaturesAreNamed(t *testing.T) {
	var fs featureSet
	extract("Đèn đường hỏng", 1<<18, &fs)
	names := map[string]bool{}
	for _, f := range fs.feats {
		names[fs.name(f)] = true
	}
	for _, want := range []string{"đèn", "hỏng", "den duong", "«hong»"} {
		if !names[want] {
			t.Errorf("feature %q missing from %v", want, names)
		}
	}
}

func TestProperNamesAreMasked(t *testing.T) {
	toks, _ := tokenize("Ổ gà trên đường Nguyễn Văn Linh, Trần Phú. Đèn ở chợ Tuy Hòa tắt. Lê Lợi cũng vậy", nil)
	var names []string
	for _, tk := range toks {
		if tk.name {
			names = append(names, tk.acc)
		}
	}
	if got := strings.Join(names, " "); got != "nguyễn văn linh trần phú tuy hòa" {
		t.Fatalf("names %q, want the street and the market (a sentence-initial name is kept)", got)
	}
	toks, _ = tokenize("xin báo cho Phường 5", nil)
	if toks[2].name || toks[3].name {
		t.Fatal(`"cho" (for) taken for "chợ" (market)`)
	}
}

func TestEnglishGetsVietnameseWords(t *testing.T) {
	var fs featureSet
	extract("The drain is blocked and the street floods", 1<<18, &fs)
	names := map[string]bool{}
	for _, f := range fs.feats {
		names[fs.name(f)] = true
	}
	if !names["cống"] || !names["ngập"] || names["the"] || names["is"] {
		t.Fatalf("features %v: want cống and ngập, no stopwords", names)
	}
}

func TestSameAccentsIgnoresTonePlacement(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"hoà", "hòa", true}, {"thuỷ", "thủy", true}, {"đông", "đông", true},
		{"hôi", "hỏi", false}, {"đổng", "đông", false}, {"dong", "đong", false}, {"phú", "phù", false},
	} {
		if got := sameAccents(c.a, c.b); got != c.same {
			t.Errorf("sameAccents(%q, %q) = %v", c.a, c.b, got)
		}
	}
}
