package live

import (
	"strings"

	"phananh/feedback"
)

// Topic prefixes and the city-wide topic. A report topic carries only the
// public events of one report; a petition topic the public events of one
// petition; a unit topic every event of the reports that unit is (or was,
// for a transfer) responsible for; the city topic every event.
const (
	reportPrefix   = "report:"
	petitionPrefix = "petition:"
	unitPrefix     = "unit:"
	cityKey        = "city"
)

// Topic is a stream of events a subscriber can watch: its key in the hub and
// how to read its past from the store when a client resumes.
type Topic struct {
	// Key is "report:<code>", "petition:<id>", "unit:<id>" or "city".
	Key string
	// replay narrows the store read for a resume; Match decides the rest.
	replay feedback.EventFilter
	match  func(feedback.Event) bool
}

// ReportTopic is the public stream of one report. Events reach it through
// their ReportCode; the store replay uses the report id.
func ReportTopic(code, reportID string) Topic {
	return Topic{
		Key:    reportPrefix + code,
		replay: feedback.EventFilter{ReportID: reportID, PublicOnly: true},
		match:  func(e feedback.Event) bool { return e.Public && e.ReportCode == code },
	}
}

// PetitionTopic is the public stream of one petition.
func PetitionTopic(petitionID string) Topic {
	return Topic{
		Key:    petitionPrefix + petitionID,
		replay: feedback.EventFilter{PetitionID: petitionID, PublicOnly: true},
		match:  func(e feedback.Event) bool { return e.Public && e.PetitionID == petitionID },
	}
}

// UnitTopic is the staff stream of one unit: every event whose subject the
// unit is responsible for, plus transfers away from it.
func UnitTopic(unitID string) Topic {
	return Topic{
		Key:   unitPrefix + unitID,
		match: func(e feedback.Event) bool { return e.UnitID == unitID || e.Data["old_unit"] == unitID },
	}
}

// CityTopic is the staff stream of every event, for supervisors.
func CityTopic() Topic {
	return Topic{Key: cityKey, match: func(feedback.Event) bool { return true }}
}

// Public reports whether the topic is seen by citizens, so that its
// messages carry only the public view of an event.
func (t Topic) Public() bool { return isPublicKey(t.Key) }

// Match reports whether an event belongs to the topic.
func (t Topic) Match(e feedback.Event) bool { return t.match != nil && t.match(e) }

func isPublicKey(key string) bool {
	return strings.HasPrefix(key, reportPrefix) || strings.HasPrefix(key, petitionPrefix)
}

// eventKeys appends the keys of every topic an event belongs to.
func eventKeys(dst []string, e feedback.Event) []string {
	dst = append(dst, cityKey)
	if e.UnitID != "" {
		dst = append(dst, unitPrefix+e.UnitID)
	}
	if old := e.Data["old_unit"]; old != "" && old != e.UnitID {
		dst = append(dst, unitPrefix+old)
	}
	if e.Public && e.ReportCode != "" {
		dst = append(dst, reportPrefix+e.ReportCode)
	}
	if e.Public && e.PetitionID != "" {
		dst = append(dst, petitionPrefix+e.PetitionID)
	}
	return dst
}
