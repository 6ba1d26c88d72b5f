package city

import (
	"strings"
	"time"

	"phananh/feedback"
)

// Route returns the unit that handles reports of a category in a ward (ward
// may be empty when unknown). Rules are tried in order and the first match
// wins; a rule with a ward matches only that ward, and a rule whose unit is
// "ubnd_{ward}" matches only when the ward is known. With no match Route
// returns the fallback (triage) unit and matched=false.
func (c *City) Route(category, ward string) (unitID string, matched bool) {
	for _, r := range c.f.Routing.Rules {
		if r.Category != category || (r.Ward != "" && r.Ward != ward) {
			continue
		}
		if !strings.Contains(r.Unit, wardTemplate) {
			return r.Unit, true
		}
		if _, ok := c.wards[ward]; ok {
			return strings.ReplaceAll(r.Unit, wardTemplate, ward), true
		}
	}
	return c.f.Routing.Fallback, false
}

// Due returns when a report received at start must be resolved.
//
// Normal reports get their category's SLA in working days, counted on the
// working calendar: time outside working hours, lunch breaks, weekends and
// holidays does not count, so one working day after Monday 10:00 is Tuesday
// 10:00, and after Friday 18:00 it is Monday 17:00.
//
// Urgent reports get their category's SLA in clock hours, nights, weekends
// and holidays included. This is a deliberate choice: a fallen tree blocking
// a road at 18:00 on a Friday, or a flooded street at night, cannot wait for
// Monday morning; the city's urgent crews (environment company, tree and
// drainage teams) work on call. An urgent report in a category without
// sla_hours gets the city's urgent_hours.
//
// A category the city does not know (a report awaiting triage) gets the
// city's default_sla_days.
func (c *City) Due(start time.Time, category string, priority feedback.Priority) time.Time {
	cat, ok := c.Category(category)
	if priority == feedback.PriorityUrgent {
		hours := c.f.UrgentHours
		if ok && cat.SLAHours > 0 {
			hours = cat.SLAHours
		}
		return start.Add(time.Duration(hours) * time.Hour).In(c.cal.loc)
	}
	days := c.f.DefaultSLADays
	if ok {
		days = cat.SLADays
	}
	return c.cal.Add(start, time.Duration(days)*c.cal.dayLen)
}

// WorkingDuration returns the working time between two instants, for
// statistics (time to first response, time to resolve).
func (c *City) WorkingDuration(from, to time.Time) time.Duration {
	return c.cal.WorkingDuration(from, to)
}
