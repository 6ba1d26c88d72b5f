package city

import "testing"

func TestReform2025OldNamesRouteToMergedWards(t *testing.T) {
	c, err := LoadFile("testdata/reform2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, ward, unit string }{
		{"Phường 5", "tuy_hoa", "ubnd_tuy_hoa"},
		{"p.7", "tuy_hoa", "ubnd_tuy_hoa"},
		{"phuong phu thanh", "phu_yen", "ubnd_phu_yen"},
		{"Xã Hòa Kiến", "binh_kien", "ubnd_binh_kien"},
		{"XA AN PHU", "phu_lam", "ubnd_phu_lam"},
		{"Phường Bình Kiến", "binh_kien", "ubnd_binh_kien"},
		{"tuy_hoa", "tuy_hoa", "ubnd_tuy_hoa"},
	}
	for _, tt := range tests {
		w, ok := c.WardByName(tt.name)
		if !ok || w.ID != tt.ward {
			t.Errorf("WardByName(%q) = %q, %v; want %q", tt.name, w.ID, ok, tt.ward)
			continue
		}
		if unit, matched := c.Route("lan_chiem", w.ID); unit != tt.unit || !matched {
			t.Errorf("Route(lan_chiem, %s) = %s, %v; want %s", w.ID, unit, matched, tt.unit)
		}
	}
	if _, ok := c.WardByName("Phường 12"); ok {
		t.Error("an unknown old ward resolved")
	}
	if unit, matched := c.Route("khac", "tuy_hoa"); unit != "ubnd_tuy_hoa" || matched {
		t.Errorf("Route(khac) = %s, %v; want the fallback, unmatched", unit, matched)
	}
}
