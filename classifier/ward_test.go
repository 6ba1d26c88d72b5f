package classifier

import "testing"

func TestGazetteerFindsNamedWards(t *testing.T) {
	g := NewGazetteer(TuyHoaWards())
	for _, tc := range []struct{ text, ward, span string }{
		{"Rác ở đầu hẻm, phường 5 để cả tuần", "p5", "phường 5"},
		{"đầu kiệt 45 Trần Phú P.5 có người đổ rác", "p5", "P.5"},
		{"nha o p5 ngap", "p5", "p5"},
		{"F5 mất điện", "p5", "F5"},
		{"Phg 5 ngập", "p5", "Phg 5"},
		{"nhà ở phường5", "p5", "phường5"},
		{"phuong 5 ngap nuoc", "p5", "phuong 5"},
		{"Phường 05, Tuy Hòa", "p5", "Phường 05"},
		{"khu vực phường số 7", "p7", "phường số 7"},
		{"Phường 1 có đèn hỏng", "p1", "Phường 1"},
		{"ward 9 street light broken", "p9", "ward 9"},
		{"xã Bình Kiến có bãi rác", "binh_kien", "xã Bình Kiến"},
		{"xa binh kien ai do xa ban", "binh_kien", "xa binh kien"},
		{"Phú Lâm: bãi đất trống", "phu_lam", "Phú Lâm"},
		{"o phu lam co ong nuoc vo", "phu_lam", "phu lam"},
		{"UBND xã Hoà Kiến", "hoa_kien", "xã Hoà Kiến"},
		{"P. Phú Đông", "phu_dong", "P. Phú Đông"},
		{"the alley in Binh Ngoc commune", "binh_ngoc", "Binh Ngoc"},
		{"Phú Thạnh, gần chợ", "phu_thanh", "Phú Thạnh"},
		{"đường Lê Lợi phường 3 và phường 4", "p3", "phường 3"},
		{"dầu nhớt loang lổ, Phú Đông", "phu_dong", "Phú Đông"},
		{"dau nhot loang lo, phu dong", "phu_dong", "phu dong"},
		{"xin báo cho Phường 5 biết", "p5", "Phường 5"},
		{"chợ Bình Kiến bẩn quá", "binh_kien", "Bình Kiến"},
	} {
		got := g.Find(tc.text, nil, nil)
		if got.Ward != tc.ward || got.Span != tc.span || got.Source != SourceText {
			t.Errorf("Find(%q) = %+v, want ward %q span %q", tc.text, got, tc.ward, tc.span)
		}
	}
}

func TestGazetteerNeverGuesses(t *testing.T) {
	g := NewGazetteer(TuyHoaWards())
	for _, text := range []string{
		"Phường 10 có đèn hỏng",                    // no such ward; must not become Phường 1
		"phuong 12 ngap",                           // idem
		"đường Lê Lợi bị ngập nặng",                // street, not a ward
		"ngã tư Trần Hưng Đạo kẹt xe",              // street
		"rác trên đường Phú Lâm",                   // street named like a ward
		"ngập ở quốc lộ An Phú",                    // a road
		"ngap o ql an phu",                         // idem, no accents
		"trước nhà số 20 đường Phù Đổng",           // street
		"Phù Đổng có ổ gà",                         // different accents: not Phú Đông
		"đợi 10p 5 người mới tới",                  // minutes, not phường
		"khu phố 5 ngập",                           // neighbourhood, not ward
		"kp 5 mất điện",                            // idem
		"tổ 5 và quận 5",                           // not wards here
		"rác quá trời mà không ai dọn",             // names nothing
		"thành phố Tuy Hòa",                        // the city, not a ward
		"Tôi tên là Nguyễn Phú Thạnh, nhà ở hẻm 5", // a person
		"Trần Bình Ngọc phản ánh đèn hỏng",         // idem
	} {
		if got := g.Find(text, nil, nil); got.Ward != "" {
			t.Errorf("Find(%q) = %+v, want no ward", text, got)
		}
	}
}

func TestGazetteerPolygonWinsOverText(t *testing.T) {
	wards := TuyHoaWards()
	square := [][][2]float64{{{109.30, 13.08}, {109.32, 13.08}, {109.32, 13.10}, {109.30, 13.10}, {109.30, 13.08}}}
	for i := range wards {
		if wards[i].ID == "p7" {
			wards[i].Polygon = square
		}
	}
	g := NewGazetteer(wards)
	lat, lng := 13.09, 109.31
	if got := g.Find("rác ở phường 5", &lat, &lng); got.Ward != "p7" || got.Source != SourcePolygon {
		t.Fatalf("inside p7's polygon: %+v, want p7 from polygon", got)
	}
	outLat := 13.20
	if got := g.Find("rác ở phường 5", &outLat, &lng); got.Ward != "p5" || got.Source != SourceText {
		t.Fatalf("outside every polygon: %+v, want p5 from text", got)
	}
}

func TestGazetteerUsesAliases(t *testing.T) {
	g := NewGazetteer([]Ward{{ID: "bk", Name: "Xã Bình Kiến", Aliases: []string{"Bình Kiến 2", "BK"}}, {ID: "x12", Name: "Phường 12"},
		{ID: "pl", Name: "Phuong Phu Lam"}})
	for text, want := range map[string]string{"ở BK nè": "bk", "binh kien 2": "bk", "phường 12": "x12", "p1": "", "Phú Lâm": "pl", "phu lam": "pl"} {
		if got := g.Find(text, nil, nil); got.Ward != want {
			t.Errorf("Find(%q) = %q, want %q", text, got.Ward, want)
		}
	}
}

func TestPolygonHoles(t *testing.T) {
	outer := [][2]float64{{0, 0}, {10, 0}, {10, 10}, {0, 10}}
	hole := [][2]float64{{4, 4}, {6, 4}, {6, 6}, {4, 6}}
	rings := [][][2]float64{outer, hole}
	if !inPolygon(rings, 2, 2) || inPolygon(rings, 5, 5) || inPolygon(rings, 11, 5) {
		t.Fatal("even-odd rule with a hole is wrong")
	}
}

func TestPolygonOfAMultiPolygon(t *testing.T) {
	a := [][2]float64{{0, 0}, {1, 0}, {1, 1}, {0, 1}}
	b := [][2]float64{{5, 5}, {6, 5}, {6, 6}, {5, 6}}
	g := NewGazetteer([]Ward{{ID: "island", Name: "Xã Đảo", Polygon: [][][2]float64{a, b}}})
	for _, p := range []struct {
		lat, lng float64
		want     string
	}{{0.5, 0.5, "island"}, {5.5, 5.5, "island"}, {3, 3, ""}} {
		if got := g.Find("không nêu địa chỉ", &p.lat, &p.lng); got.Ward != p.want {
			t.Errorf("point (%v, %v): %q, want %q", p.lat, p.lng, got.Ward, p.want)
		}
	}
}
