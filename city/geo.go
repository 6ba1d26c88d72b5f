package city

import (
	"errors"
	"fmt"
	"math"

	"go.yaml.in/yaml/v3"
)

// Geometry is a GeoJSON geometry of type "Polygon" or "MultiPolygon".
// Positions are [longitude, latitude], as GeoJSON orders them.
type Geometry struct {
	Type        string    `yaml:"type"`
	Coordinates yaml.Node `yaml:"coordinates"`
}

// ring is a closed linear ring of [lng, lat] positions.
type ring [][2]float64

// polygons decodes and validates the coordinates: each polygon is an outer
// ring followed by its holes.
func (g *Geometry) polygons() ([][]ring, error) {
	var raw [][][][]float64
	switch g.Type {
	case "Polygon":
		var p [][][]float64
		if err := g.Coordinates.Decode(&p); err != nil {
			return nil, fmt.Errorf("coordinates: %w", err)
		}
		raw = [][][][]float64{p}
	case "MultiPolygon":
		if err := g.Coordinates.Decode(&raw); err != nil {
			return nil, fmt.Errorf("coordinates: %w", err)
		}
	default:
		return nil, fmt.Errorf("type %q must be Polygon or MultiPolygon", g.Type)
	}
	if len(raw) == 0 {
		return nil, errors.New("no polygon")
	}
	out := make([][]ring, len(raw))
	var errs []error
	for i, p := range raw {
		if len(p) == 0 {
			errs = append(errs, fmt.Errorf("polygon %d has no ring", i))
		}
		for j, rr := range p {
			r, err := parseRing(rr)
			if err != nil {
				errs = append(errs, fmt.Errorf("polygon %d ring %d: %w", i, j, err))
			}
			out[i] = append(out[i], r)
		}
	}
	return out, errors.Join(errs...)
}

func parseRing(pos [][]float64) (ring, error) {
	if len(pos) < 4 {
		return nil, fmt.Errorf("a ring needs at least 4 positions, has %d", len(pos))
	}
	r := make(ring, len(pos))
	for i, p := range pos {
		if len(p) < 2 || len(p) > 3 {
			return nil, fmt.Errorf("position %d must be [lng, lat]", i)
		}
		lng, lat := p[0], p[1]
		if math.IsNaN(lng) || math.IsNaN(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90 {
			return nil, fmt.Errorf("position %d [%g, %g] is out of range (GeoJSON order is [lng, lat])", i, lng, lat)
		}
		r[i] = [2]float64{lng, lat}
	}
	if r[0] != r[len(r)-1] {
		return nil, errors.New("ring is not closed: the last position must equal the first")
	}
	return r, nil
}

// contains reports whether (lng, lat) is inside the ring (even-odd rule).
func (r ring) contains(lng, lat float64) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		xi, yi := r[i][0], r[i][1]
		xj, yj := r[j][0], r[j][1]
		if (yi > lat) != (yj > lat) && lng < (xj-xi)*(lat-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// contains reports whether the point is in a polygon's outer ring and in
// none of its holes.
func polygonContains(p []ring, lng, lat float64) bool {
	if len(p) == 0 || !p[0].contains(lng, lat) {
		return false
	}
	for _, hole := range p[1:] {
		if hole.contains(lng, lat) {
			return false
		}
	}
	return true
}

// WardAt returns the id of the ward whose polygon contains the point, in
// configuration order; ok is false when no ward polygon contains it.
func (c *City) WardAt(lat, lng float64) (id string, ok bool) {
	for _, w := range c.f.Wards {
		for _, p := range c.wards[w.ID].polys {
			if polygonContains(p, lng, lat) {
				return w.ID, true
			}
		}
	}
	return "", false
}

// WardPolygons returns a copy of a ward's polygons: each is a list of rings
// (outline first, then holes) of [longitude, latitude] points. It returns
// nil for a ward without a polygon or an unknown ward.
func (c *City) WardPolygons(id string) [][][][2]float64 {
	w, ok := c.wards[id]
	if !ok || len(w.polys) == 0 {
		return nil
	}
	out := make([][][][2]float64, len(w.polys))
	for i, p := range w.polys {
		for _, r := range p {
			out[i] = append(out[i], append([][2]float64(nil), r...))
		}
	}
	return out
}
