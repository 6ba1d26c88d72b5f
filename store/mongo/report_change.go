package mongo

import (
	"context"

	"phananh/feedback"
)

var _ feedback.ChangeStore = (*Store)(nil)

// ApplyChange stores a staff change: the compare-and-set of the report
// with its events, then the working-time figures, then the audit entry.
// On a replica set or sharded cluster they run in one multi-document
// transaction, all or nothing, as UpdateReport does. Without transactions
// (a standalone server, FerretDB) they run one after the other, as every
// multi-document write of this store does there: a moved version (ECONFLICT)
// or refused input still writes nothing, since those are checked first, but
// a crash or server error after the report is stored can leave it without
// its timings or audit entry, the gap this capability closes elsewhere.
// Production must use a replica set. On success c.Report's Version and
// UpdatedAt and c.Audit's Seq are set. Errors: EINVALID, ENOTFOUND,
// ECONFLICT.
func (s *Store) ApplyChange(ctx context.Context, c feedback.ReportChange) ([]feedback.Event, error) {
	if err := validateUpdate(c.Report, c.Events); err != nil {
		return nil, err
	}
	var audit *auditDoc
	if c.Audit != nil {
		if err := validateAudit(c.Audit); err != nil {
			return nil, err
		}
		d := newAuditDoc(c.Audit)
		audit = &d
	}
	next := s.nextVersion(c.Report)
	var (
		appended []feedback.Event
		seq      int64
	)
	// fn may run again (transient transaction errors): it derives every
	// value afresh and writes its results only through these variables.
	err := s.atomically(ctx, func(ctx context.Context) (err error) {
		appended, seq, err = s.applyChange(ctx, &next, c, audit)
		return err
	})
	if err != nil {
		return nil, wrap(err)
	}
	c.Report.Version, c.Report.UpdatedAt = next.Version, next.UpdatedAt
	if c.Audit != nil {
		c.Audit.Seq = seq
	}
	return appended, nil
}

// applyChange runs the writes of a change in order, inside atomically, and
// returns the appended events and the audit sequence number (0: none).
func (s *Store) applyChange(ctx context.Context, next *feedback.Report, c feedback.ReportChange, audit *auditDoc) ([]feedback.Event, int64, error) {
	appended, err := s.updateVersion(ctx, c.Report, next, c.Events)
	if err != nil {
		return nil, 0, err
	}
	if m := c.FirstResponseMinutes; m != nil {
		if err := s.recordFirstResponse(ctx, next.ID, *m); err != nil {
			return nil, 0, err
		}
	}
	if m := c.ResolutionMinutes; m != nil {
		if err := s.recordResolution(ctx, next.ID, *m); err != nil {
			return nil, 0, err
		}
	}
	if audit == nil {
		return appended, 0, nil
	}
	seq, err := s.insertAudit(ctx, *audit)
	if err != nil {
		return nil, 0, err
	}
	return appended, seq, nil
}
