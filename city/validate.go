package city

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"

	"phananh/feedback"
)

// wardTemplate in a rule's unit stands for the report's ward id.
const wardTemplate = "{ward}"

var idPattern = regexp.MustCompile(`^[a-z0-9_]+$`)

type addFunc func(format string, a ...any)

func (c *City) indexWards(add addFunc) {
	c.wards = make(map[string]*ward, len(c.f.Wards))
	c.wardNames = make(map[string]string)
	for i, w := range c.f.Wards {
		where := "wards[" + strconv.Itoa(i) + "]"
		if !idPattern.MatchString(w.ID) {
			add("%s: id %q must be lower-case letters, digits and _", where, w.ID)
		}
		if w.Name == "" {
			add("%s (%s): name is required", where, w.ID)
		}
		if _, dup := c.wards[w.ID]; dup {
			add("%s: duplicate ward id %q", where, w.ID)
			continue
		}
		pw := &ward{Ward: w}
		if w.Polygon != nil {
			polys, err := w.Polygon.polygons()
			if err != nil {
				add("%s (%s): polygon: %v", where, w.ID, err)
			}
			pw.polys = polys
		}
		c.wards[w.ID] = pw
		for _, name := range append([]string{w.ID, w.Name}, w.Aliases...) {
			c.addWardName(add, w.ID, name)
		}
	}
}

// addWardName indexes one name of a ward. Two wards may not share a name:
// a report naming it could not be routed.
func (c *City) addWardName(add addFunc, id, name string) {
	key := Fold(name)
	if key == "" {
		add("ward %s: empty alias", id)
		return
	}
	if other, ok := c.wardNames[key]; ok && other != id {
		add("ward %s: name or alias %q is already used by ward %s", id, name, other)
		return
	}
	c.wardNames[key] = id
}

// register checks the form and uniqueness of an id and records its index;
// it reports false for a duplicate.
func register(add addFunc, where, what, id string, i int, seen map[string]int) bool {
	if !idPattern.MatchString(id) {
		add("%s: %s %q must be lower-case letters, digits and _", where, what, id)
	}
	if _, dup := seen[id]; dup {
		add("%s: duplicate %s %q", where, what, id)
		return false
	}
	seen[id] = i
	return true
}

func (c *City) indexUnits(add addFunc) {
	c.units = make(map[string]int, len(c.f.Units))
	for i, u := range c.f.Units {
		where := "units[" + strconv.Itoa(i) + "]"
		if !register(add, where, "unit id", u.ID, i, c.units) {
			continue
		}
		if u.Name == "" || u.Kind == "" {
			add("%s (%s): name and kind are required", where, u.ID)
		}
		if u.Email != "" {
			if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
				add("%s (%s): bad e-mail %q", where, u.ID, u.Email)
			}
		}
	}
}

func (c *City) indexCategories(add addFunc) {
	c.cats = make(map[string]int, len(c.f.Categories))
	for i, cat := range c.f.Categories {
		where := "categories[" + strconv.Itoa(i) + "]"
		if !register(add, where, "category code", cat.Code, i, c.cats) {
			continue
		}
		if cat.Name == "" || cat.NameEN == "" || cat.Group == "" {
			add("%s (%s): name, name_en and group are required", where, cat.Code)
		}
		switch cat.Priority {
		case feedback.PriorityNormal:
		case feedback.PriorityUrgent:
			if cat.SLAHours <= 0 {
				add("%s (%s): an urgent category needs sla_hours > 0", where, cat.Code)
			}
		default:
			add("%s (%s): priority %q must be normal or urgent", where, cat.Code, cat.Priority)
		}
		if cat.SLADays <= 0 || cat.SLAHours < 0 {
			add("%s (%s): sla_days must be > 0 and sla_hours >= 0", where, cat.Code)
		}
	}
}

func (c *City) checkRouting(add addFunc) {
	fb := c.f.Routing.Fallback
	if fb == "" {
		add("routing: a fallback (triage) unit is required")
	} else if _, ok := c.units[fb]; !ok {
		add("routing: fallback unit %q is not defined", fb)
	}
	for i, r := range c.f.Routing.Rules {
		where := "routing.rules[" + strconv.Itoa(i) + "]"
		if _, ok := c.cats[r.Category]; !ok {
			add("%s: unknown category %q", where, r.Category)
		}
		if _, ok := c.wards[r.Ward]; r.Ward != "" && !ok {
			add("%s: unknown ward %q", where, r.Ward)
		}
		c.checkRuleUnit(add, where, r)
	}
}

// checkRuleUnit checks that a rule's unit exists for every ward it can
// match; a templated unit must exist for each ward of the city.
func (c *City) checkRuleUnit(add addFunc, where string, r Rule) {
	if !strings.Contains(r.Unit, wardTemplate) {
		if _, ok := c.units[r.Unit]; !ok {
			add("%s: unknown unit %q", where, r.Unit)
		}
		return
	}
	for _, w := range c.f.Wards {
		if r.Ward != "" && w.ID != r.Ward {
			continue
		}
		if u := strings.ReplaceAll(r.Unit, wardTemplate, w.ID); !c.hasUnit(u) {
			add("%s: unit %q for ward %s is not defined", where, u, w.ID)
		}
	}
}

func (c *City) hasUnit(id string) bool { _, ok := c.units[id]; return ok }

func (c *City) checkSettings(add addFunc) {
	if c.f.Name == "" {
		add("name is required")
	}
	if len(c.f.Wards) == 0 || len(c.f.Units) == 0 || len(c.f.Categories) == 0 {
		add("at least one ward, unit and category are required")
	}
	if c.f.AutoCloseDays <= 0 {
		add("auto_close_days must be > 0")
	}
	if c.f.DefaultSLADays <= 0 || c.f.UrgentHours <= 0 {
		add("default_sla_days and urgent_hours must be > 0")
	}
	p := c.f.Petitions
	if p.SigningDays <= 0 {
		add("petitions.signing_days must be > 0")
	}
	prev := 0
	for i, t := range p.Thresholds {
		where := "petitions.thresholds[" + strconv.Itoa(i) + "]"
		if t.Signatures <= prev {
			add("%s: signatures must be > 0 and increasing", where)
		}
		prev = t.Signatures
		if t.WorkingDays <= 0 {
			add("%s: working_days must be > 0", where)
		}
		if t.AnswerBy != "unit" && !c.hasUnit(t.AnswerBy) {
			add("%s: answer_by %q must be \"unit\" or a unit id", where, t.AnswerBy)
		}
	}
}
