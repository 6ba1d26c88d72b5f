package intake

import (
	"context"
	"math"
	"testing"

	"phananh/feedback"
)

func TestHaversine(t *testing.T) {
	tests := []struct {
		lat1, lng1, lat2, lng2, want float64
	}{
		{13.0955, 109.3209, 13.0955, 109.3209, 0},
		{13, 109, 14, 109, 111195},                    // one degree of latitude
		{0, 0, 0, 1, 111195},                          // one degree of longitude at the equator
		{13.0955, 109.3209, 12.2388, 109.1967, 95990}, // Tuy Hòa to Nha Trang
	}
	for _, tt := range tests {
		got := Haversine(tt.lat1, tt.lng1, tt.lat2, tt.lng2)
		if math.Abs(got-tt.want) > tt.want*0.005+1 {
			t.Errorf("Haversine(%g,%g,%g,%g) = %.0f, want %.0f", tt.lat1, tt.lng1, tt.lat2, tt.lng2, got, tt.want)
		}
	}
}

func TestNearbyFindsOpenReportsOfTheCategory(t *testing.T) {
	e := mustEnv(t, nil)
	ctx := context.Background()
	const lat, lng = 13.0930, 109.3060
	at := func(text, category string, dLat, dLng float64) *feedback.Report {
		s := submission(text)
		s.Category, s.Lat, s.Lng = category, ptr(lat+dLat), ptr(lng+dLng)
		return mustSubmit(t, e, s)
	}
	near := at("Rác chất đống ở góc chợ, bốc mùi hôi thối.", "rac_thai", 0.0009, 0)          // ~100 m north
	nearer := at("Rác tràn ra đường trước cổng chợ, chưa ai dọn.", "rac_thai", 0, 0.0003)    // ~33 m east
	at("Rác thải ở bờ kè phía xa, cách chợ gần một cây số.", "rac_thai", 0.008, 0)           // ~890 m
	at("Lấn chiếm vỉa hè ngay góc chợ để bán hàng.", "lan_chiem", 0.0001, 0)                 // other category
	done := at("Rác ở góc chợ đã được dọn, nhưng cần kiểm tra lại.", "rac_thai", -0.0002, 0) // resolved below
	s := submission("Phản ánh không có tọa độ nhưng cũng về rác ở chợ.")
	s.Category = "rac_thai"
	mustSubmit(t, e, s)
	done.Status = feedback.StatusInProgress
	if _, err := e.store.UpdateReport(ctx, done, nil); err != nil {
		t.Fatal(err)
	}
	done.Status = feedback.StatusResolved
	if _, err := e.store.UpdateReport(ctx, done, nil); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Nearby(ctx, lat, lng, "rac_thai", 500)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Report.Code != nearer.Code || got[1].Report.Code != near.Code {
		t.Fatalf("Nearby = %v, want %s then %s", codes(got), nearer.Code, near.Code)
	}
	if d := got[1].Distance; d < 95 || d > 105 {
		t.Errorf("distance = %.1f m, want about 100", d)
	}
	all, err := e.svc.Nearby(ctx, lat, lng, "", 500)
	if err != nil || len(all) != 3 {
		t.Errorf("any category: %v, %v; want 3", codes(all), err)
	}
	for _, bad := range []struct {
		lat, radius float64
		category    string
	}{{91, 100, ""}, {lat, 0, ""}, {lat, 50000, ""}, {lat, 100, "ma_tuy"}} {
		if _, err := e.svc.Nearby(ctx, bad.lat, lng, bad.category, bad.radius); errCode(err) != feedback.EINVALID {
			t.Errorf("Nearby(%v) err = %v, want invalid", bad, err)
		}
	}
}

func codes(rs []NearbyReport) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Report.Code)
	}
	return out
}
