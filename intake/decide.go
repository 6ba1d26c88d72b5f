package intake

import (
	"context"
	"log/slog"

	"phananh/feedback"
)

// Model names recorded when no classifier decided.
const (
	modelCitizen = "citizen" // the citizen's own category choice
	modelNone    = "none"    // nobody decided: triage
)

// Ward sources recorded in the classification.
const (
	wardFromPolygon = "polygon"
	wardFromText    = "text"
)

// decision is where a report goes and why.
type decision struct {
	category string // "" while nobody is sure (triage)
	ward     string
	unit     string
	status   feedback.Status
	priority feedback.Priority
	cls      feedback.Classification // what the classifier (or citizen) said
}

// decide classifies and routes a validated submission.
//
// Category: a category the citizen chose explicitly wins; the classifier's
// opinion is still recorded in the classification, for staff and for
// training. Otherwise the classifier's category is used when its confidence
// reaches the threshold. Otherwise nobody is sure and the report waits for
// triage without a category.
//
// Ward: a GPS point inside a ward polygon beats the ward the classifier read
// in the text (people report from where they stand, and write the ward they
// live in).
//
// Routing: no category, no routing rule, or a rule naming the fallback unit
// itself ("khac") → triage on the fallback unit; otherwise assigned to the
// unit the first matching rule names.
func (s *Service) decide(ctx context.Context, sub Submission) decision {
	in := feedback.ClassifyInput{Text: sub.Text, Lat: sub.Lat, Lng: sub.Lng}
	if sub.Address != "" {
		in.Text += "\n" + sub.Address // "tổ 3, khu phố 2, phường 5" names the ward
	}
	cls, ran := s.classify(ctx, in)
	d := decision{cls: cls}
	switch {
	case sub.Category != "":
		d.category = sub.Category
		if !ran {
			d.cls = feedback.Classification{Category: sub.Category, Confidence: 1, Model: modelCitizen}
		}
	case ran && cls.Confidence >= s.threshold:
		if _, ok := s.city.Category(cls.Category); ok {
			d.category = cls.Category
		} else {
			s.log.WarnContext(ctx, "classifier returned a category the city does not know",
				slog.String("category", cls.Category))
		}
	case !ran:
		d.cls = feedback.Classification{Model: modelNone}
	}
	d.ward, d.cls.WardSource = s.ward(sub, cls)
	d.cls.Ward = d.ward
	if d.ward == "" {
		d.cls.WardSpan = ""
	}
	s.route(&d)
	return d
}

// ward picks the report's ward: polygon first, then the classifier's.
func (s *Service) ward(sub Submission, cls feedback.Classification) (id, source string) {
	if sub.Lat != nil && sub.Lng != nil {
		if w, ok := s.city.WardAt(*sub.Lat, *sub.Lng); ok {
			return w, wardFromPolygon
		}
	}
	if cls.Ward == "" {
		return "", ""
	}
	if w, ok := s.city.Ward(cls.Ward); ok {
		return w.ID, orDefault(cls.WardSource, wardFromText)
	}
	if w, ok := s.city.WardByName(cls.Ward); ok {
		return w.ID, orDefault(cls.WardSource, wardFromText)
	}
	return "", ""
}

// route sets unit, status and priority from category and ward.
func (s *Service) route(d *decision) {
	d.unit, d.status, d.priority = s.city.Fallback(), feedback.StatusTriage, feedback.PriorityNormal
	cat, ok := s.city.Category(d.category)
	if !ok {
		return
	}
	d.priority = cat.Priority
	// A rule that sends a category to the fallback unit ("khac" →
	// van_phong) means "a person must look": triage, like no rule at all.
	if unit, matched := s.city.Route(d.category, d.ward); matched && unit != s.city.Fallback() {
		d.unit, d.status = unit, feedback.StatusAssigned
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
