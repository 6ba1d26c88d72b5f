package classifier

import "strings"

// englishStopwords carry no meaning for the category; they are dropped so
// that the few English reports are classified by their content words.
var englishStopwords = setOf(`the a an of in on at to for from by with near into over my our your his her
their its it this that these those there here is are was were be been being has have had do does did
i we you he she they me us them please who what when where why how which and or but so very some any
all just also can could would should will not no every after before about since than then because
while during until`)

// englishGlossary gives the Vietnamese words for the English words that
// name a problem, so that an English report lights up the same features
// as the Vietnamese ones the model learnt from. The English word is kept.
var englishGlossary = buildGlossary(map[string]string{
	"garbage": "rác", "trash": "rác", "rubbish": "rác", "litter": "rác", "waste": "rác thải",
	"dump": "đổ rác", "dumped": "đổ rác", "dumping": "đổ rác", "bins": "thùng rác", "bin": "thùng rác",
	"drain": "cống", "drains": "cống", "drainage": "thoát nước", "sewer": "cống", "sewage": "nước thải",
	"flood": "ngập", "floods": "ngập", "flooded": "ngập", "flooding": "ngập", "blocked": "tắc",
	"clogged": "tắc", "overflowing": "tràn", "broken": "hỏng", "smelly": "mùi hôi", "stinks": "hôi thối", "waterlogged": "ngập", "manhole": "nắp cống",
	"smell": "mùi hôi", "smells": "mùi hôi", "stink": "hôi thối", "smoke": "khói", "dust": "bụi",
	"dusty": "bụi", "pollution": "ô nhiễm", "polluted": "ô nhiễm", "fumes": "khói",
	"noise": "ồn", "noisy": "ồn", "loud": "ồn", "karaoke": "karaoke", "music": "nhạc", "speaker": "loa", "speakers": "loa",
	"sidewalk": "vỉa hè", "pavement": "vỉa hè", "vendors": "bán hàng", "vendor": "bán hàng",
	"encroach": "lấn chiếm", "encroaching": "lấn chiếm", "parking": "đậu xe", "parked": "đậu xe",
	"construction": "xây dựng", "building": "xây dựng", "illegal": "trái phép", "permit": "giấy phép",
	"scaffolding": "giàn giáo", "debris": "xà bần",
	"pothole": "ổ gà", "potholes": "ổ gà", "traffic": "giao thông", "road": "đường", "crossing": "giao lộ",
	"sign": "biển báo", "signs": "biển báo", "accident": "tai nạn", "accidents": "tai nạn",
	"streetlight": "đèn đường", "streetlights": "đèn đường", "light": "đèn", "lights": "đèn",
	"lamp": "đèn", "lamps": "đèn", "dark": "tối", "bulb": "bóng đèn",
	"tree": "cây", "trees": "cây", "branch": "cành cây", "branches": "cành cây", "fallen": "ngã",
	"prune": "cắt tỉa", "pruning": "cắt tỉa", "leaning": "nghiêng",
	"ads": "quảng cáo", "ad": "quảng cáo", "advert": "quảng cáo", "adverts": "quảng cáo",
	"advertising": "quảng cáo", "advertisement": "quảng cáo", "banner": "băng rôn", "banners": "băng rôn",
	"billboard": "biển quảng cáo", "poster": "quảng cáo", "posters": "quảng cáo", "flyers": "tờ rơi", "leaflets": "tờ rơi",
})

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

func buildGlossary(m map[string]string) map[string][]token {
	out := make(map[string][]token, len(m))
	for k, v := range m {
		for _, s := range strings.Fields(v) {
			out[k] = append(out[k], token{acc: s, fold: Fold(s)})
		}
	}
	return out
}
