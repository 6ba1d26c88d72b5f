package intake

import (
	"context"
	"strings"
	"testing"

	"phananh/classifier"
)

// The real local classifier plugged in: what it decides is recorded, and
// the ward it reads from the text routes the report.
func TestSubmitWithTheLocalClassifier(t *testing.T) {
	var wards []classifier.Ward
	for _, w := range mustEnv(t, nil).city.Wards() {
		wards = append(wards, classifier.Ward{ID: w.ID, Name: w.Name, Aliases: w.Aliases})
	}
	cls, err := classifier.NewDefault(wards)
	if err != nil {
		// The classifier package's own tests fail on this; here it would
		// only hide what intake does.
		t.Skipf("embedded model does not load: %v", err)
	}
	e := mustEnv(t, cls)
	rec, err := e.svc.Submit(context.Background(), submission(
		"Hàng quán lấn chiếm hết vỉa hè đường Nguyễn Huệ, phường 5, người đi bộ phải xuống lòng đường."))
	if err != nil {
		t.Fatal(err)
	}
	r := rec.Report
	if !strings.HasPrefix(r.Classification.Model, "local:") || r.Ward != "p5" || r.Classification.WardSource != "text" {
		t.Errorf("classification %+v, ward %q", r.Classification, r.Ward)
	}
	confident := r.Classification.Confidence >= DefaultThreshold
	if confident != (r.Category != "") {
		t.Errorf("confidence %.2f but category %q", r.Classification.Confidence, r.Category)
	}
	if confident && r.Category == "lan_chiem" && r.Unit != "ubnd_p5" {
		t.Errorf("lan_chiem in p5 routed to %s", r.Unit)
	}
	t.Logf("local classifier: %s %.2f → %s (%s)", r.Classification.Category, r.Classification.Confidence, r.Unit, r.Status)
}
