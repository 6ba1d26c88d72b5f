package sqlite

import (
	"bytes"
	"testing"
	"time"

	"phananh/feedback"
)

// The stored document leaves out what the columns hold; scanReport puts it back.
func TestCompactDocLeavesOutColumns(t *testing.T) {
	r := &feedback.Report{
		ID: "r-4f1c9e", Code: "PA-7QX2K9", Text: "Rác tràn ra đường", Status: feedback.Status("received"),
		Category: "ve-sinh", Ward: "phuong-ben-nghe", Unit: "ubnd-q1", AssigneeID: "u-77",
		CreatedAt: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), DueAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
	}
	doc, err := compactDoc(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{r.ID, r.Code, r.Category, r.Ward, r.Unit, r.AssigneeID, "2026-11-28", "2026-12-01"} {
		if bytes.Contains(doc, []byte(v)) {
			t.Errorf("document %s still holds %q", doc, v)
		}
	}
	if !bytes.Contains(doc, []byte(r.Text)) {
		t.Errorf("document %s lost the text", doc)
	}
	if r.Code != "PA-7QX2K9" {
		t.Error("compactDoc changed the report it was given")
	}
}
