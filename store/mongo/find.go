package mongo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"phananh/feedback"
)

// Report orders.
const (
	orderNewest = "newest"
	orderDue    = "due"
)

// pageCursor is the keyset position after the last report of a page: its
// sort key and id. It travels as base64url JSON, opaque to clients.
type pageCursor struct {
	Order string `json:"o"`
	At    int64  `json:"t"` // created_at or due_sort, Unix milliseconds
	ID    string `json:"i"`
}

// FindReports returns a page of reports matching f, newest first or by due
// time. Errors: EINVALID (bad order or cursor).
func (s *Store) FindReports(ctx context.Context, f feedback.ReportFilter) (feedback.ReportPage, error) {
	order := f.Order
	if order == "" {
		order = orderNewest
	}
	if order != orderNewest && order != orderDue {
		return feedback.ReportPage{}, feedback.FieldError("order", "Thứ tự sắp xếp không hợp lệ.", "Invalid order.")
	}
	conds := filterConds(f)
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor, order)
		if err != nil {
			return feedback.ReportPage{}, err
		}
		conds = append(conds, afterCursor(c))
	}
	limit := clamp(f.Limit, 200, 50)
	cur, err := s.reports.Find(ctx, and(conds),
		options.Find().SetSort(sortFor(order)).SetLimit(int64(limit)+1))
	if err != nil {
		return feedback.ReportPage{}, wrap(err)
	}
	var docs []reportDoc
	if err := cur.All(ctx, &docs); err != nil {
		return feedback.ReportPage{}, wrap(err)
	}
	var page feedback.ReportPage
	if len(docs) > limit {
		docs = docs[:limit]
		page.NextCursor = encodeCursor(cursorAt(order, &docs[limit-1]))
	}
	page.Reports = make([]*feedback.Report, len(docs))
	for i := range docs {
		page.Reports[i] = docs[i].report()
	}
	return page, nil
}

// filterConds translates every set field of f into a query condition.
func filterConds(f feedback.ReportFilter) []bson.D {
	var conds []bson.D
	eq := func(k string, v any) { conds = append(conds, bson.D{{Key: k, Value: v}}) }
	if len(f.Status) > 0 {
		eq("status", bson.D{{Key: "$in", Value: statusStrings(f.Status)}})
	}
	for _, kv := range [][2]string{{"category", f.Category}, {"ward", f.Ward}, {"unit", f.Unit}, {"assignee_id", f.Assignee}} {
		if kv[1] != "" {
			eq(kv[0], kv[1])
		}
	}
	if b := f.BBox; b != nil {
		eq("location.lng", bson.D{{Key: "$gte", Value: b[0]}, {Key: "$lte", Value: b[2]}})
		eq("location.lat", bson.D{{Key: "$gte", Value: b[1]}, {Key: "$lte", Value: b[3]}})
	}
	if !f.Since.IsZero() {
		eq("created_at", bson.D{{Key: "$gte", Value: msUTC(f.Since)}})
	}
	if !f.OverdueAt.IsZero() {
		eq("status", bson.D{{Key: "$in", Value: openStatuses()}})
		eq("due_at", bson.D{{Key: "$lt", Value: f.OverdueAt.UTC()}})
	}
	if f.Text != "" {
		eq("text", bson.D{{Key: "$regex", Value: regexp.QuoteMeta(f.Text)}, {Key: "$options", Value: "i"}})
	}
	if f.PublicOnly {
		eq("public", true)
	}
	return conds
}

// and joins conditions with $and, so that two conditions on one field
// (status and overdue) both apply.
func and(conds []bson.D) bson.D {
	switch len(conds) {
	case 0:
		return bson.D{}
	case 1:
		return conds[0]
	}
	return bson.D{{Key: "$and", Value: conds}}
}

func sortFor(order string) bson.D {
	if order == orderDue {
		return bson.D{{Key: "due_sort", Value: 1}, {Key: "_id", Value: 1}}
	}
	return bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}
}

// afterCursor selects the reports that sort after the cursor.
func afterCursor(c pageCursor) bson.D {
	field, op := "created_at", "$lt"
	if c.Order == orderDue {
		field, op = "due_sort", "$gt"
	}
	at := time.UnixMilli(c.At).UTC()
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: field, Value: bson.D{{Key: op, Value: at}}}},
		bson.D{{Key: field, Value: at}, {Key: "_id", Value: bson.D{{Key: op, Value: c.ID}}}},
	}}}
}

func cursorAt(order string, d *reportDoc) pageCursor {
	at := d.CreatedAt
	if order == orderDue {
		at = d.DueSort
	}
	return pageCursor{Order: order, At: at.UnixMilli(), ID: d.ID}
}

func encodeCursor(c pageCursor) string {
	b, _ := json.Marshal(c) // a struct of strings and ints always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, order string) (pageCursor, error) {
	var c pageCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Order != order || c.ID == "" {
		return pageCursor{}, feedback.FieldError("cursor", "Con trỏ phân trang không hợp lệ.", "Invalid page cursor.")
	}
	return c, nil
}

func statusStrings(ss []feedback.Status) bson.A {
	out := make(bson.A, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

func openStatuses() bson.A {
	var open []feedback.Status
	for _, st := range feedback.Statuses {
		if st.Open() {
			open = append(open, st)
		}
	}
	return statusStrings(open)
}
