package live

import "phananh/feedback"

// Fanout is a feedback.Publisher that hands committed events to several
// publishers (the hub and each consumer), none of which blocks.
type Fanout []feedback.Publisher

var _ feedback.Publisher = Fanout(nil)

// Publish implements feedback.Publisher.
func (f Fanout) Publish(events []feedback.Event) {
	for _, p := range f {
		if p != nil {
			p.Publish(events)
		}
	}
}
