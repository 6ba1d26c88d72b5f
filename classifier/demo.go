package classifier

import "fmt"

// TuyHoaWards returns the wards of the Tuy Hòa demo city, without
// polygons. The city configuration is the source of truth; this list is
// what `phananh classify` uses until the lead wires the city config in,
// and what the tests measure ward extraction against.
func TuyHoaWards() []Ward {
	var w []Ward
	for n := 1; n <= 9; n++ {
		w = append(w, Ward{ID: fmt.Sprintf("p%d", n), Name: fmt.Sprintf("Phường %d", n)})
	}
	return append(w,
		Ward{ID: "phu_lam", Name: "Phường Phú Lâm"},
		Ward{ID: "phu_thanh", Name: "Phường Phú Thạnh"},
		Ward{ID: "phu_dong", Name: "Phường Phú Đông"},
		Ward{ID: "an_phu", Name: "Xã An Phú"},
		Ward{ID: "binh_kien", Name: "Xã Bình Kiến"},
		Ward{ID: "binh_ngoc", Name: "Xã Bình Ngọc"},
		Ward{ID: "hoa_kien", Name: "Xã Hòa Kiến"},
	)
}
