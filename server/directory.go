package server

import "phananh/city"

// CityDirectory adapts a city configuration to Directory. Wards and units
// have Vietnamese proper names only, so their English names are empty.
func CityDirectory(c *city.City) Directory { return cityDirectory{c} }

type cityDirectory struct{ c *city.City }

// CategoryName implements Directory.
func (d cityDirectory) CategoryName(code string) (string, string, bool) {
	cat, ok := d.c.Category(code)
	return cat.Name, cat.NameEN, ok
}

// WardName implements Directory.
func (d cityDirectory) WardName(id string) (string, string, bool) {
	w, ok := d.c.Ward(id)
	return w.Name, "", ok
}

// UnitName implements Directory.
func (d cityDirectory) UnitName(id string) (string, string, bool) {
	u, ok := d.c.Unit(id)
	return u.Name, "", ok
}
