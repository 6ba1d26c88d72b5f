package city

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestDemoLoads(t *testing.T) {
	c := Demo()
	if got := len(c.Wards()); got != 16 {
		t.Errorf("wards = %d, want 16", got)
	}
	for _, w := range c.Wards() {
		if _, ok := c.Unit("ubnd_" + w.ID); !ok {
			t.Errorf("ward %s has no People's Committee unit", w.ID)
		}
	}
	for _, code := range []string{"rac_thai", "thoat_nuoc", "o_nhiem", "tieng_on", "lan_chiem", "xay_dung", "giao_thong", "chieu_sang", "cay_xanh", "quang_cao", "khac"} {
		if _, ok := c.Category(code); !ok {
			t.Errorf("category %s missing", code)
		}
	}
	if c.Fallback() != "van_phong" || c.AutoCloseDays != 7 || c.Petitions.SigningDays != 30 || len(c.Petitions.Thresholds) != 2 {
		t.Errorf("settings: fallback %s, auto close %d, petitions %+v", c.Fallback(), c.AutoCloseDays, c.Petitions)
	}
}

func TestRoute(t *testing.T) {
	c := Demo()
	tests := []struct {
		category, ward string
		unit           string
		matched        bool
	}{
		{"rac_thai", "binh_ngoc", "ubnd_binh_ngoc", true}, // ward rule before the city-wide one
		{"rac_thai", "p1", "moi_truong", true},
		{"rac_thai", "", "moi_truong", true},
		{"lan_chiem", "p5", "ubnd_p5", true},
		{"lan_chiem", "", "van_phong", false}, // "ubnd_{ward}" needs a ward
		{"tieng_on", "phu_dong", "ubnd_phu_dong", true},
		{"tieng_on", "", "cong_an", true},
		{"xay_dung", "", "qldt", true},
		{"chieu_sang", "hoa_kien", "qldt", true},
		{"khac", "p1", "van_phong", true},
		{"no_such", "p1", "van_phong", false},
		{"lan_chiem", "no_such_ward", "van_phong", false},
	}
	for _, tt := range tests {
		unit, matched := c.Route(tt.category, tt.ward)
		if unit != tt.unit || matched != tt.matched {
			t.Errorf("Route(%q, %q) = %s, %v; want %s, %v", tt.category, tt.ward, unit, matched, tt.unit, tt.matched)
		}
	}
}

func TestWardAt(t *testing.T) {
	c := Demo()
	tests := []struct {
		lat, lng float64
		want     string
	}{
		{13.093, 109.306, "p1"},
		{13.095, 109.320, "p2"},
		{13.105, 109.305, "p7"},
		{13.055, 109.310, "phu_lam"},
		{13.080, 109.270, "binh_ngoc"},
		{13.093, 109.400, ""}, // at sea
		{109.306, 13.093, ""}, // lat/lng swapped
	}
	for _, tt := range tests {
		got, ok := c.WardAt(tt.lat, tt.lng)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("WardAt(%g, %g) = %q, %v; want %q", tt.lat, tt.lng, got, ok, tt.want)
		}
	}
}

func TestWardAtHolesAndMultiPolygons(t *testing.T) {
	doc := minimal(`
  - id: donut
    name: Donut
    polygon:
      type: MultiPolygon
      coordinates:
        - [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]]
        - [[[20, 20], [21, 20], [21, 21], [20, 20]]]
`)
	c, err := Load(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lat, lng float64
		in       bool
	}{{1, 1, true}, {5, 5, false}, {20.2, 20.8, true}, {20.8, 20.2, false}, {15, 15, false}} {
		if _, ok := c.WardAt(tt.lat, tt.lng); ok != tt.in {
			t.Errorf("WardAt(%g, %g) = %v, want %v", tt.lat, tt.lng, ok, tt.in)
		}
	}
}

func TestWardByName(t *testing.T) {
	c := Demo()
	tests := map[string]string{
		"phu_lam":                         "phu_lam",
		"Phường Phú Lâm":                  "phu_lam",
		"PHUONG PHU LAM":                  "phu_lam",
		norm.NFD.String("Phường Phú Lâm"): "phu_lam",
		"phú lâm":                         "phu_lam",
		"P.5":                             "p5",
		"f5":                              "p5",
		"Phuong 5":                        "p5",
		"xã bình ngọc":                    "binh_ngoc",
		"Phú Đông":                        "phu_dong",
		"phu dong":                        "phu_dong",
		"Phường 10":                       "",
		"":                                "",
	}
	for name, want := range tests {
		w, ok := c.WardByName(name)
		if w.ID != want || ok != (want != "") {
			t.Errorf("WardByName(%q) = %q, %v; want %q", name, w.ID, ok, want)
		}
	}
}

// minimal returns a valid city document with the given wards section.
func minimal(wards string) string {
	return `name: Test
calendar: {timezone: Asia/Ho_Chi_Minh, working_days: [mon], hours: ["08:00-12:00"]}
auto_close_days: 7
default_sla_days: 5
urgent_hours: 24
petitions: {signing_days: 30}
units: [{id: desk, name: Desk, kind: office}]
categories: [{code: khac, name: Khác, name_en: Other, group: khac, priority: normal, sla_days: 5}]
routing: {fallback: desk}
wards:` + wards
}

func TestLoadReportsEveryError(t *testing.T) {
	doc := `name: Broken
calendar: {timezone: Asia/Ho_Chi_Minh, working_days: [mon], hours: ["17:00-08:00"]}
auto_close_days: 0
default_sla_days: 5
urgent_hours: 24
petitions:
  signing_days: 30
  thresholds: [{signatures: 100, answer_by: nobody, working_days: 15}]
wards:
  - {id: a, name: Phường A, aliases: [Alpha]}
  - {id: a, name: Phường A bis}
  - {id: b, name: Phường B, aliases: [ALPHA]}
  - id: c
    name: Open ring
    polygon: {type: Polygon, coordinates: [[[109.1, 13.1], [109.2, 13.1], [109.2, 13.2], [109.1, 13.25]]]}
  - id: d
    name: Too few
    polygon: {type: Polygon, coordinates: [[[109.1, 13.1], [109.2, 13.1], [109.1, 13.1]]]}
  - id: e
    name: Swapped
    polygon: {type: Polygon, coordinates: [[[13.1, 109.1], [13.2, 109.1], [13.2, 109.2], [13.1, 109.1]]]}
units:
  - {id: desk, name: Desk, kind: office, email: not-an-email}
  - {id: desk, name: Desk again, kind: office}
categories:
  - {code: rac_thai, name: Rác, name_en: Garbage, group: mt, priority: urgent, sla_days: 3}
  - {code: rac_thai, name: Rác, name_en: Garbage, group: mt, priority: normal, sla_days: 3}
routing:
  rules:
    - {category: rac_thai, unit: ghost_unit}
    - {category: ghost_category, unit: desk}
    - {category: rac_thai, ward: ghost_ward, unit: desk}
    - {category: rac_thai, unit: "ubnd_{ward}"}
`
	_, err := Load(strings.NewReader(doc))
	if err == nil {
		t.Fatal("Load accepted a broken city")
	}
	for _, want := range []string{
		`duplicate ward id "a"`, `"ALPHA" is already used by ward a`, "ring is not closed",
		"at least 4 positions", "out of range", "bad e-mail", `duplicate unit id "desk"`,
		`duplicate category code "rac_thai"`, "needs sla_hours", `unknown unit "ghost_unit"`,
		`unknown category "ghost_category"`, `unknown ward "ghost_ward"`, `unit "ubnd_a" for ward a`,
		"fallback (triage) unit is required", "auto_close_days", "answer_by", "end before they start",
	} {
		if !contains(err.Error(), want) {
			t.Errorf("error does not mention %q", want)
		}
	}
}

func TestLoadRejectsUnknownKeys(t *testing.T) {
	doc := strings.Replace(minimal(" [{id: a, name: A}]"), "auto_close_days", "auto_close_dayz", 1)
	if _, err := Load(strings.NewReader(doc)); err == nil || !contains(err.Error(), "auto_close_dayz") {
		t.Errorf("err = %v, want a complaint about auto_close_dayz", err)
	}
}

func TestWardPolygons(t *testing.T) {
	c := Demo()
	p := c.WardPolygons("p1")
	if len(p) != 1 || len(p[0]) != 1 || len(p[0][0]) != 6 || p[0][0][0] != [2]float64{109.3, 13.088} {
		t.Fatalf("WardPolygons(p1) = %v", p)
	}
	p[0][0][0][0] = 0 // a copy: the city is unchanged
	if id, ok := c.WardAt(13.089, 109.301); !ok || id != "p1" {
		t.Errorf("WardAt after editing the copy = %q, %v", id, ok)
	}
	if c.WardPolygons("p3") != nil || c.WardPolygons("nowhere") != nil {
		t.Error("polygons for a ward without one")
	}
}
