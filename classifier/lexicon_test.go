package classifier

import (
	"slices"
	"testing"
)

func conceptsOf(text string) []string {
	toks, _ := tokenize(text, nil)
	var out []string
	for i := range toks {
		toks.conceptsAt(i, syllables[toks[i].fold].terms, toks.accented(), func(c string, _ int) { out = append(out, c) })
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestConceptsRespectAccents(t *testing.T) {
	for text, want := range map[string][]string{
		"Đường có ổ voi rất to":             {"duong_sa"},
		"duong co o voi rat to":             {"duong_sa"},
		"Cho tôi hỏi thủ tục":               {"hoi"},
		"Cống bốc mùi hôi":                  {"nuoc", "o_nhiem"},
		"Hoá chất đổ ra sông":               {"o_nhiem"}, // old-style tone placement
		"Đường Lê Lợi":                      nil,         // "đường" alone is no problem
		"Tối qua đèn đường tắt ở Phú Lâm":   {"den"},
		"quán nhậu hát karaoke tới nửa đêm": {"on"},
	} {
		if got := conceptsOf(text); !slices.Equal(got, want) {
			t.Errorf("concepts of %q = %v, want %v", text, got, want)
		}
	}
}
