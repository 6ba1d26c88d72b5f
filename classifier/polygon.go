package classifier

// inPolygon reports whether (x, y) lies inside the rings by the even-odd
// rule, so holes (inner rings) are excluded.
func inPolygon(rings [][][2]float64, x, y float64) bool {
	in := false
	for _, ring := range rings {
		n := len(ring)
		for i, j := 0, n-1; i < n; j, i = i, i+1 {
			xi, yi := ring[i][0], ring[i][1]
			xj, yj := ring[j][0], ring[j][1]
			if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
				in = !in
			}
		}
	}
	return in
}

// Rings flattens a MultiPolygon (polygons of rings, outline first) into
// the rings Ward.Polygon takes; with the even-odd rule, holes stay holes.
func Rings(polygons [][][][2]float64) [][][2]float64 {
	var out [][][2]float64
	for _, p := range polygons {
		out = append(out, p...)
	}
	return out
}
