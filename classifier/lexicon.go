package classifier

import (
	"slices"
	"strings"
)

// kindConcept is a feature for "the text uses one of the words for this
// kind of problem". The model learns its weight like any other feature;
// what it adds is that a word the training data never used ("ổ voi"
// where the data only said "ổ gà") still counts.
const kindConcept = 'k'

// concepts lists, per problem, the words citizens use for it (syllables
// with accents; ";" between terms). A term matches a text written with
// accents by its accents ("hỏi" is not "hôi") and a text written without
// by its folded form. They are features, not rules: a term may well appear
// in other categories' reports.
var concepts = buildConcepts(map[string]string{
	"rac": "rác;rác thải;thu gom;xe rác;bãi rác;đổ rác;vứt rác;thùng rác;bỏ rác;dọn rác;quét rác;" +
		"túi ni lông;ni lông;chất thải rắn;phế thải;xác động vật;rác sinh hoạt;bừa bãi;ruồi nhặng",
	"nuoc": "cống;ngập;ngập úng;ngập lụt;thoát nước;nắp cống;hố ga;mương;tắc nghẽn;nước đọng;" +
		"trào;ống thoát;kênh;lênh láng;bùn;nghẹt;tràn;vũng nước;cống ngầm;rãnh thoát",
	"o_nhiem": "ô nhiễm;mùi hôi;hôi thối;khói;bụi;nước thải;xả thải;tanh;khí thải;hóa chất;khét;" +
		"đốt;thối;ngột ngạt;mùi;khói đen;sặc;đổ thải;bay mùi;hôi",
	"on": "ồn;ồn ào;tiếng ồn;karaoke;loa;hát;nhạc;âm thanh;inh ỏi;mất ngủ;" +
		"rền;nổ;nẹt pô;rú ga;đinh tai;xập xình;loa kéo;khuya;nửa đêm",
	"lan_chiem": "lấn chiếm;chiếm dụng;vỉa hè;lề đường;lòng đường;buôn bán;bán hàng;hàng rong;" +
		"đậu xe;đỗ xe;bày bán;mái che;chợ tạm;chợ cóc;quán nước;bàn ghế;chiếm;giữ xe;lấn ra",
	"xay": "xây dựng;xây;trái phép;sai phép;giấy phép;công trình;cơi nới;san lấp;phân lô;" +
		"giàn giáo;che chắn;vật liệu;đào móng;lấn ranh;tầng;nhà trọ;xây lấn;cấp phép",
	"duong_sa": "ổ gà;ổ voi;mặt đường;sụt lún;lún;nứt;đèn tín hiệu;đèn giao thông;biển báo;" +
		"giao lộ;ngã tư;ngã ba;vạch sơn;tốc độ;tai nạn;kẹt xe;ùn tắc;giảm tốc;hố sâu;bong tróc;" +
		"sạt lở;lan can;gương cầu;nguy hiểm;té xe;va chạm",
	"den": "đèn đường;chiếu sáng;bóng đèn;cột đèn;tối;không sáng;đèn tắt;tắt đèn;mất đèn;" +
		"tối thui;chập chờn;nhấp nháy;đèn hư;đèn hỏng;tối om;sáng cả ngày",
	"cay": "cây;cây xanh;ngã;gãy;cành;cắt tỉa;chặt cây;gốc cây;rễ cây;sâu bệnh;nghiêng;" +
		"cây khô;cây chết;đổ cây;lá cây;tỉa cành;cây cổ thụ;trồng cây",
	"quang_cao": "quảng cáo;băng rôn;tờ rơi;biển hiệu;dán;treo;khoan cắt bê tông;rao vặt;" +
		"tờ bướm;biển quảng cáo;pano;dán giấy;số điện thoại;phát tờ rơi;xe loa",
	"hoi": "hỏi;thủ tục;giấy tờ;cảm ơn;góp ý;thái độ;cán bộ;xin hỏi;hướng dẫn;làm sao;" +
		"ở đâu;bao lâu;chính sách;trợ cấp;lừa đảo;chó;mèo;an ninh",
})

// conceptTerm is one term of a concept: its syllables with accents and
// their folded forms.
type conceptTerm struct {
	syl, fold []string
	concept   string
}

// buildConcepts indexes the terms by their first syllable, longest first.
func buildConcepts(m map[string]string) map[string][]conceptTerm {
	out := map[string][]conceptTerm{}
	for concept, list := range m {
		for _, term := range strings.Split(list, ";") {
			syl := strings.Fields(term)
			fold := strings.Fields(Fold(term))
			out[fold[0]] = append(out[fold[0]], conceptTerm{syl: syl, fold: fold, concept: concept})
		}
	}
	for k, ts := range out {
		for i := 1; i < len(ts); i++ { // insertion sort: longest, then name
			for j := i; j > 0 && less(ts[j], ts[j-1]); j-- {
				ts[j], ts[j-1] = ts[j-1], ts[j]
			}
		}
		out[k] = ts
	}
	return out
}

func less(a, b conceptTerm) bool {
	if len(a.syl) != len(b.syl) {
		return len(a.syl) > len(b.syl)
	}
	return strings.Join(a.syl, " ")+a.concept < strings.Join(b.syl, " ")+b.concept
}

// conceptsAt calls f with each concept that has a term starting at token
// i (once per concept, its longest term) and the term's length; terms are
// the concept terms of the token's folded syllable (see syllables).
func (ts tokens) conceptsAt(i int, terms []conceptTerm, accented bool, f func(concept string, n int)) {
	var seen [4]string
	n := 0
	for _, term := range terms {
		if i+len(term.syl) > len(ts) || slices.Contains(seen[:n], term.concept) || !term.matches(ts[i:], accented) {
			continue
		}
		if n < len(seen) {
			seen[n] = term.concept
			n++
		}
		f(term.concept, len(term.syl))
	}
}

// matches reports whether the term starts ts: same folded syllables, not
// inside a proper name, and, in a text written with accents, the same
// accents (wherever the tone mark sits).
func (term conceptTerm) matches(ts tokens, accented bool) bool {
	for k, s := range term.fold {
		t := ts[k]
		if t.fold != s || t.name {
			return false
		}
		if accented && t.acc != term.syl[k] && !sameAccents(t.acc, term.syl[k]) {
			return false
		}
	}
	return true
}
