package city

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the calendar's zone must load in a scratch container too
)

// CalendarConfig is the YAML form of a working calendar.
type CalendarConfig struct {
	// Timezone is an IANA zone, e.g. "Asia/Ho_Chi_Minh".
	Timezone string `yaml:"timezone"`
	// WorkingDays are weekday names: mon, tue, wed, thu, fri, sat, sun.
	WorkingDays []string `yaml:"working_days"`
	// Hours are the working intervals of a day, "07:30-11:30", in order.
	Hours []string `yaml:"hours"`
	// Holidays are days off that fall on working days, "2006-01-02".
	Holidays []string `yaml:"holidays"`
	// WorkingDates are make-up working days that fall on a day off (the
	// government often swaps a Saturday to bridge a holiday).
	WorkingDates []string `yaml:"working_dates"`
}

// Calendar computes due times and durations on working time: working days
// and hours in the city's zone, minus holidays, plus make-up days.
type Calendar struct {
	loc      *time.Location
	days     [7]bool
	spans    []span
	holidays map[string]bool
	extra    map[string]bool
	dayLen   time.Duration
}

// span is a working interval in minutes after midnight, [from, to).
type span struct{ from, to int }

const dateLayout = "2006-01-02"

// maxScanDays bounds every walk over the calendar (a decade).
const maxScanDays = 3660

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// NewCalendar validates cfg and returns its calendar; the error joins every
// problem found.
func NewCalendar(cfg CalendarConfig) (*Calendar, error) {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("calendar: "+format, a...)) }
	c := &Calendar{holidays: map[string]bool{}, extra: map[string]bool{}}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil || cfg.Timezone == "" {
		bad("unknown timezone %q", cfg.Timezone)
		loc = time.UTC
	}
	c.loc = loc
	for _, d := range cfg.WorkingDays {
		wd, ok := weekdays[strings.ToLower(d)]
		if !ok {
			bad("unknown working day %q (use mon..sun)", d)
		}
		c.days[wd] = ok
	}
	if len(cfg.WorkingDays) == 0 {
		bad("working_days is empty")
	}
	c.parseHours(cfg.Hours, bad)
	parseDates(cfg.Holidays, c.holidays, "holiday", bad)
	parseDates(cfg.WorkingDates, c.extra, "working date", bad)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

func (c *Calendar) parseHours(hours []string, bad func(string, ...any)) {
	if len(hours) == 0 {
		bad("hours is empty")
	}
	last := -1
	for _, h := range hours {
		var h1, m1, h2, m2 int
		n, err := fmt.Sscanf(h, "%d:%d-%d:%d", &h1, &m1, &h2, &m2)
		s := span{h1*60 + m1, h2*60 + m2}
		switch {
		case err != nil || n != 4 || m1 > 59 || m2 > 59 || h1 < 0 || m1 < 0 || m2 < 0 || h2 > 24 || s.to > 24*60:
			bad("bad hours %q (want HH:MM-HH:MM)", h)
		case s.from >= s.to:
			bad("hours %q end before they start", h)
		case s.from < last:
			bad("hours %q overlap or are out of order", h)
		default:
			c.spans = append(c.spans, s)
			c.dayLen += time.Duration(s.to-s.from) * time.Minute
			last = s.to
		}
	}
}

func parseDates(in []string, into map[string]bool, what string, bad func(string, ...any)) {
	for _, d := range in {
		t, err := time.Parse(dateLayout, d)
		if err != nil {
			bad("bad %s %q (want YYYY-MM-DD)", what, d)
			continue
		}
		into[t.Format(dateLayout)] = true
	}
}

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// DayLength returns the working time in one working day (7h30 for
// 07:30-11:30 and 13:30-17:00).
func (c *Calendar) DayLength() time.Duration { return c.dayLen }

// IsWorkingDay reports whether the calendar date of t (in the city's zone)
// is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	t = t.In(c.loc)
	key := t.Format(dateLayout)
	if c.extra[key] {
		return true
	}
	return c.days[t.Weekday()] && !c.holidays[key]
}

// intervals returns the working intervals of the day starting at midnight.
func (c *Calendar) intervals(midnight time.Time) [][2]time.Time {
	if !c.IsWorkingDay(midnight) {
		return nil
	}
	y, m, d := midnight.Date()
	out := make([][2]time.Time, len(c.spans))
	for i, s := range c.spans {
		out[i] = [2]time.Time{
			time.Date(y, m, d, 0, s.from, 0, 0, c.loc),
			time.Date(y, m, d, 0, s.to, 0, 0, c.loc),
		}
	}
	return out
}

func (c *Calendar) midnight(t time.Time) time.Time {
	y, m, d := t.In(c.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.loc)
}

// Add returns the instant at which d of working time has passed since t.
// Time outside working hours does not count: a report filed on Friday
// evening starts its clock on Monday morning. When the working time runs out
// exactly at the end of an interval, Add returns that end (17:00), not the
// start of the next one.
func (c *Calendar) Add(t time.Time, d time.Duration) time.Time {
	day := c.midnight(t)
	for range maxScanDays {
		for _, iv := range c.intervals(day) {
			if !t.Before(iv[1]) {
				continue
			}
			if t.Before(iv[0]) {
				t = iv[0]
			}
			if rem := iv[1].Sub(t); d <= rem {
				return t.Add(d)
			}
			d -= iv[1].Sub(t)
			t = iv[1]
		}
		day = day.AddDate(0, 0, 1)
	}
	return t.Add(d) // a calendar with no working time left for a decade
}

// WorkingDuration returns the working time between from and to (0 when to
// is not after from). Divided by DayLength it gives working days, the unit
// of the service levels.
func (c *Calendar) WorkingDuration(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	var total time.Duration
	last := c.midnight(to)
	for day := c.midnight(from); !day.After(last); day = day.AddDate(0, 0, 1) {
		for _, iv := range c.intervals(day) {
			s, e := maxTime(iv[0], from), minTime(iv[1], to)
			if e.After(s) {
				total += e.Sub(s)
			}
		}
	}
	return total
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
