// Package city holds a city's configuration: its wards (with aliases and
// optional polygons), the units that handle reports, the report categories
// with their service levels, the routing rules, the working calendar and the
// petition thresholds. It is loaded from YAML and validated as a whole: every
// problem is reported at once.
package city

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"go.yaml.in/yaml/v3"

	"phananh/feedback"
)

// Ward is an administrative ward (phường) or commune (xã).
type Ward struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Aliases []string `yaml:"aliases"`
	// Polygon is an optional GeoJSON Polygon or MultiPolygon geometry, in
	// GeoJSON's [longitude, latitude] order.
	Polygon *Geometry `yaml:"polygon"`
}

// Unit is an office or company that handles reports.
type Unit struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Kind is "ward" (a ward's People's Committee), "office", "company" or
	// "police"; other kinds are allowed and only displayed.
	Kind  string `yaml:"kind"`
	Email string `yaml:"email"`
	// TelegramChatID is the staff group that receives alerts; 0 for none.
	TelegramChatID int64 `yaml:"telegram_chat_id"`
}

// Category is a kind of problem with its service level.
type Category struct {
	Code   string `yaml:"code"`
	Name   string `yaml:"name"`
	NameEN string `yaml:"name_en"`
	Group  string `yaml:"group"`
	// Priority is the default priority of new reports in the category.
	Priority feedback.Priority `yaml:"priority"`
	// SLADays is the time to resolve a normal report, in working days.
	SLADays int `yaml:"sla_days"`
	// SLAHours is the time to resolve an urgent report, in clock hours
	// (nights, weekends and holidays included).
	SLAHours int `yaml:"sla_hours"`
}

// Rule routes a category, in one ward or in all wards, to a unit. A Unit of
// "ubnd_{ward}" names the People's Committee of the report's ward; such a
// rule matches only reports whose ward is known.
type Rule struct {
	Category string `yaml:"category"`
	Ward     string `yaml:"ward"`
	Unit     string `yaml:"unit"`
}

// PetitionThreshold says who must answer a petition once it has enough
// signatures, and how fast.
type PetitionThreshold struct {
	Signatures int `yaml:"signatures"`
	// AnswerBy is "unit" (the unit the petition's category routes to) or a
	// unit id.
	AnswerBy    string `yaml:"answer_by"`
	WorkingDays int    `yaml:"working_days"`
}

// PetitionRules are the signature thresholds and the default signing period.
type PetitionRules struct {
	SigningDays int                 `yaml:"signing_days"`
	Thresholds  []PetitionThreshold `yaml:"thresholds"`
}

// file is the YAML document.
type file struct {
	Name          string         `yaml:"name"`
	Calendar      CalendarConfig `yaml:"calendar"`
	AutoCloseDays int            `yaml:"auto_close_days"`
	// DefaultSLADays applies to reports without a known category (triage).
	DefaultSLADays int `yaml:"default_sla_days"`
	// UrgentHours applies to urgent reports whose category has no SLAHours.
	UrgentHours int           `yaml:"urgent_hours"`
	Petitions   PetitionRules `yaml:"petitions"`
	Wards       []Ward        `yaml:"wards"`
	Units       []Unit        `yaml:"units"`
	Categories  []Category    `yaml:"categories"`
	Routing     struct {
		Fallback string `yaml:"fallback"`
		Rules    []Rule `yaml:"rules"`
	} `yaml:"routing"`
}

// City is a loaded, validated configuration. It is immutable and safe for
// concurrent use.
type City struct {
	// Name is the city's display name.
	Name string
	// AutoCloseDays is how long a resolved report waits for the citizen
	// before it closes by itself.
	AutoCloseDays int
	// Petitions are the petition thresholds and signing period.
	Petitions PetitionRules

	f         file
	wards     map[string]*ward
	wardNames map[string]string // Fold(id, name or alias) -> ward id
	units     map[string]int
	cats      map[string]int
	cal       *Calendar
}

// ward is a Ward with its parsed polygons.
type ward struct {
	Ward
	polys [][]ring // polygons; each is an outer ring then holes
}

//go:embed tuyhoa.yaml
var demoYAML []byte

// Demo returns the embedded demo city: Tuy Hòa (Phú Yên) with its 2018 wards.
func Demo() *City {
	c, err := Load(bytes.NewReader(demoYAML))
	if err != nil {
		panic("city: embedded demo is invalid: " + err.Error()) // caught by tests
	}
	return c
}

// LoadFile loads and validates the YAML file at path.
func LoadFile(path string) (*City, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("city: %w", err)
	}
	defer f.Close()
	c, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("city %s: %w", path, err)
	}
	return c, nil
}

// Load reads a YAML configuration and validates it. Unknown keys are errors,
// so that a misspelt key does not silently drop a setting. The error joins
// every problem found.
func Load(r io.Reader) (*City, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("city: parse: %w", err)
	}
	c := &City{Name: f.Name, AutoCloseDays: f.AutoCloseDays, Petitions: f.Petitions, f: f}
	if err := c.build(); err != nil {
		return nil, err
	}
	return c, nil
}

// build indexes the file and validates it, collecting every problem.
func (c *City) build() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	c.indexWards(add)
	c.indexUnits(add)
	c.indexCategories(add)
	c.checkRouting(add)
	c.checkSettings(add)
	cal, err := NewCalendar(c.f.Calendar)
	if err != nil {
		errs = append(errs, err)
	}
	c.cal = cal
	return errors.Join(errs...)
}

// Ward returns the ward with the given id.
func (c *City) Ward(id string) (Ward, bool) {
	w, ok := c.wards[id]
	if !ok {
		return Ward{}, false
	}
	return w.Ward, true
}

// Unit returns the unit with the given id.
func (c *City) Unit(id string) (Unit, bool) {
	i, ok := c.units[id]
	if !ok {
		return Unit{}, false
	}
	return c.f.Units[i], true
}

// Category returns the category with the given code.
func (c *City) Category(code string) (Category, bool) {
	i, ok := c.cats[code]
	if !ok {
		return Category{}, false
	}
	return c.f.Categories[i], true
}

// Wards returns the wards in configuration order.
func (c *City) Wards() []Ward {
	out := make([]Ward, len(c.f.Wards))
	for i, w := range c.f.Wards {
		out[i] = c.wards[w.ID].Ward
	}
	return out
}

// Units returns the units in configuration order.
func (c *City) Units() []Unit { return slices.Clone(c.f.Units) }

// Categories returns the categories in configuration order.
func (c *City) Categories() []Category { return slices.Clone(c.f.Categories) }

// Fallback returns the unit that triages reports no rule routes.
func (c *City) Fallback() string { return c.f.Routing.Fallback }

// Calendar returns the working calendar.
func (c *City) Calendar() *Calendar { return c.cal }
