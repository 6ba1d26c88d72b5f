package sqlite

import (
	"context"
	"database/sql"

	"phananh/feedback"
)

var _ feedback.ChangeStore = (*Store)(nil)

// ApplyChange stores a staff change in one write through the writer: the
// compare-and-set of the report with its statistics row and events, the
// audit entry and the working-time figures, under one savepoint, so that a
// failure of any part (a moved version, a refused audit entry) writes
// nothing. On success c.Report's Version and UpdatedAt and c.Audit's Seq
// are set. Errors: EINVALID, ENOTFOUND, ECONFLICT.
func (s *Store) ApplyChange(ctx context.Context, c feedback.ReportChange) ([]feedback.Event, error) {
	if c.Report == nil {
		return nil, feedback.FieldError("report", "Thiếu phản ánh cần cập nhật.", "report is required")
	}
	u, err := s.prepareUpdate(c.Report, c.Events)
	if err != nil {
		return nil, err
	}
	if c.Audit != nil {
		if err := validateAudit(c.Audit); err != nil {
			return nil, err
		}
	}
	var (
		appended []feedback.Event
		seq      int64
	)
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) (err error) {
		appended, seq, err = s.changeInTx(ctx, tx, u, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	u.done(c.Report)
	if c.Audit != nil {
		c.Audit.Seq = seq
	}
	return appended, nil
}

// changeInTx runs every part of a change inside one write and returns the
// appended events and the audit entry's sequence number (0 without one).
func (s *Store) changeInTx(ctx context.Context, tx *sql.Tx, u *reportUpdate, c feedback.ReportChange) ([]feedback.Event, int64, error) {
	appended, err := s.updateInTx(ctx, tx, u)
	if err != nil {
		return nil, 0, err
	}
	if m := c.FirstResponseMinutes; m != nil {
		if err := recordFirstResponse(ctx, tx, u.next.ID, *m); err != nil {
			return nil, 0, err
		}
	}
	if m := c.ResolutionMinutes; m != nil {
		if err := recordResolution(ctx, tx, u.next.ID, *m); err != nil {
			return nil, 0, err
		}
	}
	var seq int64
	if c.Audit != nil {
		if seq, err = insertAudit(ctx, tx, c.Audit); err != nil {
			return nil, 0, err
		}
	}
	return appended, seq, nil
}
