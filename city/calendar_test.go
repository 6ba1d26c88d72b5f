package city

import (
	"testing"
	"time"

	"phananh/feedback"
)

var ict = time.FixedZone("ICT", 7*3600)

func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, ict) }

func TestDue(t *testing.T) {
	c := Demo()
	tests := []struct {
		name     string
		start    time.Time
		category string
		priority feedback.Priority
		want     time.Time
	}{
		{"weekday morning: three working days later, same hour", at(2025, 3, 10, 9, 0), "rac_thai", feedback.PriorityNormal, at(2025, 3, 13, 9, 0)},
		{"friday evening starts on monday morning", at(2025, 3, 14, 18, 0), "rac_thai", feedback.PriorityNormal, at(2025, 3, 19, 17, 0)},
		{"saturday starts on monday morning", at(2025, 3, 15, 10, 0), "rac_thai", feedback.PriorityNormal, at(2025, 3, 19, 17, 0)},
		// The clock starts at 13:30 and the last 4h fill Thursday morning to 11:30.
		{"lunch break starts at 13:30", at(2025, 3, 10, 12, 0), "rac_thai", feedback.PriorityNormal, at(2025, 3, 13, 11, 30)},
		{"before opening starts at 07:30", at(2025, 3, 10, 6, 0), "tieng_on", feedback.PriorityNormal, at(2025, 3, 12, 17, 0)},
		{"30/4, 1/5 and the swapped 2/5 are skipped", at(2025, 4, 29, 10, 0), "rac_thai", feedback.PriorityNormal, at(2025, 5, 7, 10, 0)},
		{"Tết Ất Tỵ is skipped", at(2025, 1, 24, 10, 0), "tieng_on", feedback.PriorityNormal, at(2025, 2, 5, 10, 0)},
		{"instant in UTC is read in the city's zone", time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC), "rac_thai", feedback.PriorityNormal, at(2025, 3, 13, 9, 0)},
		{"urgent tree counts clock hours over the weekend", at(2025, 3, 14, 18, 0), "cay_xanh", feedback.PriorityUrgent, at(2025, 3, 15, 6, 0)},
		{"urgent flood on a holiday", at(2025, 4, 30, 8, 0), "thoat_nuoc", feedback.PriorityUrgent, at(2025, 5, 1, 8, 0)},
		{"urgent in a category without sla_hours gets urgent_hours", at(2025, 3, 14, 18, 0), "rac_thai", feedback.PriorityUrgent, at(2025, 3, 15, 18, 0)},
		{"urgent category downgraded to normal uses sla_days", at(2025, 3, 10, 9, 0), "cay_xanh", feedback.PriorityNormal, at(2025, 3, 17, 9, 0)},
		{"unknown category gets default_sla_days", at(2025, 3, 10, 9, 0), "", feedback.PriorityNormal, at(2025, 3, 24, 9, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Due(tt.start, tt.category, tt.priority)
			if !got.Equal(tt.want) {
				t.Errorf("Due = %s, want %s", got.In(ict), tt.want)
			}
		})
	}
}

func TestCalendarAdd(t *testing.T) {
	cal := Demo().Calendar()
	day := cal.DayLength()
	if day != 7*time.Hour+30*time.Minute {
		t.Fatalf("DayLength = %s", day)
	}
	tests := []struct {
		name  string
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"a day from opening ends at closing, not next morning", at(2025, 3, 10, 7, 30), day, at(2025, 3, 10, 17, 0)},
		{"morning work stops at 11:30 and resumes at 13:30", at(2025, 3, 10, 11, 0), time.Hour, at(2025, 3, 10, 14, 0)},
		{"make-up saturday 26/4/2025 is a working day", at(2025, 4, 25, 16, 0), 2 * time.Hour, at(2025, 4, 26, 8, 30)},
		{"zero duration after hours moves to the next opening", at(2025, 3, 10, 20, 0), 0, at(2025, 3, 11, 7, 30)},
		{"giỗ tổ 2026 compensatory monday is skipped", at(2026, 4, 24, 17, 0), time.Hour, at(2026, 4, 28, 8, 30)},
	}
	for _, tt := range tests {
		if got := cal.Add(tt.start, tt.d); !got.Equal(tt.want) {
			t.Errorf("%s: Add = %s, want %s", tt.name, got.In(ict), tt.want)
		}
	}
}

func TestWorkingDuration(t *testing.T) {
	c := Demo()
	tests := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"friday afternoon to monday morning", at(2025, 3, 14, 16, 0), at(2025, 3, 17, 8, 30), 2 * time.Hour},
		{"across lunch", at(2025, 3, 10, 11, 0), at(2025, 3, 10, 14, 0), time.Hour},
		{"all outside hours", at(2025, 3, 10, 17, 30), at(2025, 3, 11, 7, 0), 0},
		{"reversed is zero", at(2025, 3, 11, 9, 0), at(2025, 3, 10, 9, 0), 0},
		{"over the 30/4 holidays", at(2025, 4, 29, 10, 0), at(2025, 5, 5, 10, 0), 7*time.Hour + 30*time.Minute},
		{"a whole week", at(2025, 3, 10, 0, 0), at(2025, 3, 17, 0, 0), 5 * (7*time.Hour + 30*time.Minute)},
	}
	for _, tt := range tests {
		if got := c.WorkingDuration(tt.from, tt.to); got != tt.want {
			t.Errorf("%s: WorkingDuration = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// Due and WorkingDuration agree: the working time between a report and its
// due time is exactly the category's SLA.
func TestDueMatchesWorkingDuration(t *testing.T) {
	c := Demo()
	start := at(2025, 1, 20, 6, 45)
	for i := 0; i < 400; i++ {
		s := start.Add(time.Duration(i) * 97 * time.Minute * 7)
		due := c.Due(s, "xay_dung", feedback.PriorityNormal)
		if got, want := c.WorkingDuration(s, due), 10*c.Calendar().DayLength(); got != want {
			t.Fatalf("start %s: due %s is %s of working time after, want %s", s, due, got, want)
		}
	}
}

func TestCalendarRejectsBadConfig(t *testing.T) {
	_, err := NewCalendar(CalendarConfig{
		Timezone:    "Mars/Olympus",
		WorkingDays: []string{"mon", "funday"},
		Hours:       []string{"13:30-17:00", "07:30-11:30", "9h-10h", "12:00-11:00"},
		Holidays:    []string{"2025-02-30"},
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"Mars/Olympus", "funday", "out of order", "9h-10h", "end before", "2025-02-30"} {
		if !contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
}
