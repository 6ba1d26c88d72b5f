package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"strings"

	"phananh/feedback"
)

// Report page limits of feedback.ReportFilter.
const (
	defaultReportLimit = 50
	maxReportLimit     = 200
)

// Orders of feedback.ReportFilter.
const (
	orderNewest = "newest"
	orderDue    = "due"
)

// cursor is the position after the last report of a page: the sort key and
// the id that breaks ties. It travels as base64url JSON.
type cursor struct {
	Order string `json:"o"`
	Key   int64  `json:"k"`
	NoKey bool   `json:"n,omitempty"` // due order: the last report had no due time
	ID    string `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c) // plain struct: cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, order string) (cursor, error) {
	bad := feedback.FieldError("cursor", "Con trỏ phân trang không hợp lệ.", "invalid page cursor")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var c cursor
	if err := dec.Decode(&c); err != nil || c.Order != order || c.ID == "" {
		return cursor{}, bad
	}
	return c, nil
}

// query accumulates WHERE terms and their arguments.
type query struct {
	where []string
	args  []any
}

func (q *query) add(term string, args ...any) {
	q.where = append(q.where, term)
	q.args = append(q.args, args...)
}

// filterQuery translates every field of f except paging.
func filterQuery(f feedback.ReportFilter) *query {
	q := &query{}
	if len(f.Status) > 0 {
		q.add("status IN ("+placeholders(len(f.Status))+")", statusArgs(f.Status)...)
	}
	for _, eq := range [...]struct{ col, v string }{
		{"category", f.Category}, {"ward", f.Ward}, {"unit", f.Unit}, {"assignee", f.Assignee},
	} {
		if eq.v != "" {
			q.add(eq.col+" = ?", eq.v)
		}
	}
	if b := f.BBox; b != nil {
		q.add("lng BETWEEN ? AND ? AND lat BETWEEN ? AND ?", b[0], b[2], b[1], b[3])
	}
	if !f.Since.IsZero() {
		q.add("created_at >= ?", f.Since.UnixNano())
	}
	if !f.OverdueAt.IsZero() {
		var open []feedback.Status
		for _, st := range feedback.Statuses {
			if st.Open() {
				open = append(open, st)
			}
		}
		q.add("due_at < ? AND status IN ("+placeholders(len(open))+")",
			append([]any{f.OverdueAt.UnixNano()}, statusArgs(open)...)...)
	}
	if f.Text != "" {
		q.add("instr(text_lc, ?) > 0", searchText(f.Text))
	}
	if f.PublicOnly {
		q.add("public = 1")
	}
	return q
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func statusArgs(ss []feedback.Status) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// FindReports returns one page of reports, keyset-paginated so that pages
// neither repeat nor skip reports. Errors: EINVALID (bad cursor or order).
func (s *Store) FindReports(ctx context.Context, f feedback.ReportFilter) (feedback.ReportPage, error) {
	order := f.Order
	if order == "" {
		order = orderNewest
	}
	if order != orderNewest && order != orderDue {
		return feedback.ReportPage{}, feedback.FieldError("order", "Thứ tự sắp xếp không hợp lệ.", "order must be newest or due")
	}
	q := filterQuery(f)
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor, order)
		if err != nil {
			return feedback.ReportPage{}, err
		}
		addAfter(q, c)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultReportLimit
	}
	limit = min(limit, maxReportLimit)
	sqlText := `SELECT ` + reportReadColumns + `, created_at, due_at, id FROM reports`
	if len(q.where) > 0 {
		sqlText += " WHERE " + strings.Join(q.where, " AND ")
	}
	sqlText += map[string]string{
		orderNewest: " ORDER BY created_at DESC, id DESC",
		orderDue:    " ORDER BY due_at IS NULL, due_at, id",
	}[order] + " LIMIT ?"
	return s.readPage(ctx, sqlText, append(q.args, limit+1), order, limit)
}

// addAfter restricts q to reports after cursor c in its order.
func addAfter(q *query, c cursor) {
	switch {
	case c.Order == orderNewest:
		q.add("(created_at, id) < (?, ?)", c.Key, c.ID)
	case c.NoKey:
		q.add("due_at IS NULL AND id > ?", c.ID)
	default:
		q.add("(due_at IS NULL OR (due_at, id) > (?, ?))", c.Key, c.ID)
	}
}

// keyScanner reads a report plus the sort keys its cursor needs.
type keyScanner struct {
	rows      *sql.Rows
	createdAt int64
	dueAt     sql.NullInt64
	id        string
}

func (k *keyScanner) Scan(dest ...any) error {
	return k.rows.Scan(append(dest, &k.createdAt, &k.dueAt, &k.id)...)
}

func (k *keyScanner) cursor(order string) cursor {
	if order == orderDue {
		return cursor{Order: order, Key: k.dueAt.Int64, NoKey: !k.dueAt.Valid, ID: k.id}
	}
	return cursor{Order: order, Key: k.createdAt, ID: k.id}
}

// readPage runs a page query that asked for limit+1 rows; the extra row
// only says that another page exists.
func (s *Store) readPage(ctx context.Context, sqlText string, args []any, order string, limit int) (feedback.ReportPage, error) {
	rows, err := s.readQuery(ctx, sqlText, args...)
	if err != nil {
		return feedback.ReportPage{}, dbError(err, "report")
	}
	defer rows.Close()
	var page feedback.ReportPage
	k := &keyScanner{rows: rows}
	for rows.Next() {
		if len(page.Reports) == limit {
			page.NextCursor = k.cursor(order).encode()
			break
		}
		r, err := scanReport(k)
		if err != nil {
			return feedback.ReportPage{}, dbError(err, "report")
		}
		page.Reports = append(page.Reports, r)
	}
	if err := rows.Err(); err != nil {
		return feedback.ReportPage{}, dbError(err, "report")
	}
	return page, nil
}
