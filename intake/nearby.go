package intake

import (
	"context"
	"math"
	"sort"

	"phananh/feedback"
)

// Limits of a Nearby search.
const (
	MaxNearbyRadius = 5000 // meters
	nearbyScan      = 1000 // reports read from the bounding box at most
	nearbyPage      = 200
)

// openStatuses are the statuses a "me too" can still help.
var openStatuses = []feedback.Status{
	feedback.StatusReceived, feedback.StatusTriage, feedback.StatusAssigned, feedback.StatusInProgress,
}

// NearbyReport is an open report near a point, with its distance.
type NearbyReport struct {
	Report   *feedback.Report
	Distance float64 // meters
}

// Nearby returns the open reports of a category (all categories when empty)
// within radius meters of a point, nearest first, so that a citizen about
// to report can support an existing report instead. It reads the bounding
// box from the store, then keeps reports within the exact great-circle
// distance.
//
// Errors: EINVALID (bad point, radius or category).
func (s *Service) Nearby(ctx context.Context, lat, lng float64, category string, radiusMeters float64) ([]NearbyReport, error) {
	if err := checkPoint(&lat, &lng); err != nil {
		return nil, err
	}
	if !(radiusMeters > 0 && radiusMeters <= MaxNearbyRadius) {
		return nil, feedback.FieldError("radius", "Bán kính phải từ 1 đến 5000 mét.", "The radius must be 1 to 5000 meters.")
	}
	if _, ok := s.city.Category(category); category != "" && !ok {
		return nil, feedback.FieldError("category", "Lĩnh vực phản ánh không hợp lệ.", "Unknown category.")
	}
	box := bbox(lat, lng, radiusMeters)
	f := feedback.ReportFilter{Status: openStatuses, Category: category, BBox: &box, Limit: nearbyPage}
	var out []NearbyReport
	for scanned := 0; scanned < nearbyScan; {
		page, err := s.store.FindReports(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Reports {
			if !r.Location.HasPoint() {
				continue
			}
			if d := Haversine(lat, lng, *r.Location.Lat, *r.Location.Lng); d <= radiusMeters {
				out = append(out, NearbyReport{Report: r, Distance: d})
			}
		}
		scanned += len(page.Reports)
		if page.NextCursor == "" || len(page.Reports) == 0 {
			break
		}
		f.Cursor = page.NextCursor
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Distance < out[j].Distance })
	return out, nil
}

const earthRadius = 6371008.8 // meters, mean radius

// Haversine returns the great-circle distance in meters between two points.
func Haversine(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(a)))
}

// bbox returns [minLng, minLat, maxLng, maxLat] enclosing the circle, a
// little generous so that the exact distance test decides.
func bbox(lat, lng, radius float64) [4]float64 {
	const metersPerDegree = earthRadius * math.Pi / 180
	dLat := radius / metersPerDegree * 1.01
	cos := math.Max(math.Cos(lat*math.Pi/180), 0.01)
	dLng := math.Min(radius/(metersPerDegree*cos)*1.01, 180)
	return [4]float64{
		math.Max(lng-dLng, -180), math.Max(lat-dLat, -90),
		math.Min(lng+dLng, 180), math.Min(lat+dLat, 90),
	}
}
