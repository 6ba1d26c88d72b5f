package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"phananh/feedback"
)

// RequestSignature stores a pending signature and its token, or adds the
// token to the identity's pending signature. The unique (petition_id,
// identity) index decides races. Errors: ENOTFOUND, ECONFLICT.
func (s *Store) RequestSignature(ctx context.Context, sig *feedback.Signature, tok feedback.SignatureToken) error {
	if err := sig.Storable(); err != nil {
		return err
	}
	if tok.Hash == "" || tok.ExpiresAt.IsZero() {
		return feedback.FieldError("token", "Thiếu mã xác nhận.", "token hash and expiry are required")
	}
	if err := s.checkSignable(ctx, sig.PetitionID, sig.CreatedAt); err != nil {
		return err
	}
	sig.Status = feedback.SignaturePending
	_, err := s.signatures().InsertOne(ctx, toSignatureDoc(sig))
	if mongo.IsDuplicateKeyError(err) {
		var d signatureDoc
		ferr := s.signatures().FindOne(ctx, bson.D{{Key: "petition_id", Value: sig.PetitionID}, {Key: "identity", Value: sig.Identity}}).Decode(&d)
		if ferr != nil {
			return wrap(ferr)
		}
		if d.Status != string(feedback.SignaturePending) {
			return feedback.ErrAlreadySigned
		}
		sig.ID, err = d.ID, nil
	}
	if err != nil {
		return wrap(err)
	}
	_, err = s.sigTokens().InsertOne(ctx, tokenDoc{Hash: tok.Hash, SignatureID: sig.ID, ExpiresAt: msUTC(tok.ExpiresAt)})
	return wrap(err)
}

// ConfirmSignature confirms a token's signature and counts it. On a
// replica set the whole step is one transaction, so concurrent
// confirmations serialise on the petition document. Errors: ENOTFOUND,
// EINVALID (expired), ECONFLICT.
func (s *Store) ConfirmSignature(ctx context.Context, tokenHash string, at time.Time, due func(time.Time, int) time.Time) (feedback.SignOutcome, error) {
	at = msUTC(at)
	var out feedback.SignOutcome
	err := s.atomically(ctx, func(ctx context.Context) error {
		out = feedback.SignOutcome{}
		var t tokenDoc
		if err := s.sigTokens().FindOne(ctx, bson.D{{Key: "_id", Value: tokenHash}}).Decode(&t); err != nil {
			return notFoundAs(err, "signature")
		}
		var d signatureDoc
		if err := s.signatures().FindOne(ctx, bson.D{{Key: "_id", Value: t.SignatureID}}).Decode(&d); err != nil {
			return notFoundAs(err, "signature")
		}
		out.Signature = d.signature()
		switch {
		case d.Status == string(feedback.SignatureConfirmed):
			return s.already(ctx, &out)
		case d.Status == string(feedback.SignatureInvalid):
			return feedback.ErrSignatureInvalidated
		case !at.Before(t.ExpiresAt):
			return feedback.ErrTokenExpired
		}
		if err := s.checkSignable(ctx, d.PetitionID, at); err != nil {
			return err
		}
		res, err := s.signatures().UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "status", Value: string(feedback.SignaturePending)}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: string(feedback.SignatureConfirmed)}, {Key: "confirmed_at", Value: at}}}})
		if err != nil {
			return err
		}
		if res.ModifiedCount == 0 { // another follow of a link won
			return s.already(ctx, &out)
		}
		out.Signature.Status, out.Signature.ConfirmedAt = feedback.SignatureConfirmed, at
		return s.countSignature(ctx, &out, at, due)
	})
	if err != nil {
		return feedback.SignOutcome{}, wrap(err)
	}
	return out, nil
}

func (s *Store) already(ctx context.Context, out *feedback.SignOutcome) error {
	out.Already = true
	n, err := s.SignatureCount(ctx, out.Signature.PetitionID)
	out.Count = n
	return err
}

func notFoundAs(err error, what string) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return feedback.NotFound(what)
	}
	return err
}

func (s *Store) checkSignable(ctx context.Context, petitionID string, at time.Time) error {
	p, err := s.Petition(ctx, petitionID)
	if err != nil {
		return err
	}
	if !p.Signable(at) {
		return feedback.ErrPetitionNotSignable
	}
	return nil
}

// AddSignature stores a signature confirmed at once and counts it.
// Errors: ENOTFOUND, ECONFLICT.
func (s *Store) AddSignature(ctx context.Context, sig *feedback.Signature, due func(time.Time, int) time.Time) (feedback.SignOutcome, error) {
	if err := sig.Storable(); err != nil {
		return feedback.SignOutcome{}, err
	}
	at := msUTC(sig.CreatedAt)
	var out feedback.SignOutcome
	err := s.atomically(ctx, func(ctx context.Context) error {
		if err := s.checkSignable(ctx, sig.PetitionID, at); err != nil {
			return err
		}
		c := *sig
		c.Status, c.CreatedAt, c.ConfirmedAt = feedback.SignatureConfirmed, at, at
		if _, err := s.signatures().InsertOne(ctx, toSignatureDoc(&c)); err != nil {
			if mongo.IsDuplicateKeyError(err) {
				return feedback.ErrAlreadySigned
			}
			return err
		}
		out = feedback.SignOutcome{Signature: &c}
		return s.countSignature(ctx, &out, at, due)
	})
	if err != nil {
		return feedback.SignOutcome{}, wrap(err)
	}
	*sig = *out.Signature
	return out, nil
}

// countSignature increments the counter and reaches thresholds. A level is
// claimed by inserting its marker (unique _id "<petition>:<level>"), so
// that even without transactions a threshold is announced at most once.
func (s *Store) countSignature(ctx context.Context, out *feedback.SignOutcome, at time.Time, due func(time.Time, int) time.Time) error {
	var d petitionDoc
	err := s.petitions().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: out.Signature.PetitionID}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "signatures", Value: 1}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err != nil {
		return notFoundAs(err, "petition")
	}
	p := d.petition()
	p.Signatures--
	evs := p.AddSignatures(1, at, due)
	kept := evs[:1]
	for _, e := range evs[1:] {
		claimed, err := s.claimLevel(ctx, p.ID, e.Data["level"])
		if err != nil {
			return err
		}
		if claimed {
			kept = append(kept, e)
		}
	}
	if len(kept) > 1 {
		if err := s.saveLevel(ctx, p); err != nil {
			return err
		}
	}
	out.Count = p.Signatures
	out.Events, err = s.insertEvents(ctx, kept, feedback.Event{})
	return err
}

func (s *Store) claimLevel(ctx context.Context, petitionID, level string) (bool, error) {
	_, err := s.petitionLevels().InsertOne(ctx, bson.D{{Key: "_id", Value: petitionID + ":" + level}})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	return err == nil, err
}

// saveLevel records the level reached and who must answer by when.
func (s *Store) saveLevel(ctx context.Context, p *feedback.Petition) error {
	_, err := s.petitions().UpdateOne(ctx, bson.D{{Key: "_id", Value: p.ID}}, bson.D{
		{Key: "$max", Value: bson.D{{Key: "level", Value: p.Level}}},
		{Key: "$set", Value: bson.D{{Key: "answer_unit", Value: p.AnswerUnit}, {Key: "answer_due_at", Value: msUTC(p.AnswerDueAt)},
			{Key: "answer_overdue", Value: false}}},
		{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
	})
	if err != nil {
		return fmt.Errorf("save petition level: %w", err)
	}
	return nil
}

// InvalidateSignatures invalidates the selected signatures and uncounts the
// confirmed ones. Errors: EINVALID, ENOTFOUND.
func (s *Store) InvalidateSignatures(ctx context.Context, petitionID string, sel feedback.SignatureSelector, at time.Time) (int, int, []feedback.Event, error) {
	if sel.Empty() {
		return 0, 0, nil, feedback.FieldError("selector", "Cần chọn tên miền, địa chỉ IP hoặc khoảng thời gian.", "Choose a domain, an IP address or a time window.")
	}
	var removed, count int
	var out []feedback.Event
	err := s.atomically(ctx, func(ctx context.Context) error {
		removed, count, out = 0, 0, nil
		p, err := s.Petition(ctx, petitionID)
		if err != nil {
			return err
		}
		invalid := bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: string(feedback.SignatureInvalid)}}}}
		res, err := s.signatures().UpdateMany(ctx, selectorFilter(petitionID, sel, feedback.SignatureConfirmed), invalid)
		if err != nil {
			return err
		}
		if _, err := s.signatures().UpdateMany(ctx, selectorFilter(petitionID, sel, feedback.SignaturePending), invalid); err != nil {
			return err
		}
		removed, count = int(res.ModifiedCount), p.Signatures
		if removed == 0 {
			return nil
		}
		var d petitionDoc
		err = s.petitions().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: petitionID}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "signatures", Value: -removed}}}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
		if err != nil {
			return err
		}
		p = d.petition()
		p.Signatures += removed
		e := p.RemoveSignatures(removed, msUTC(at))
		count = p.Signatures
		out, err = s.insertEvents(ctx, []feedback.Event{e}, feedback.Event{})
		return err
	})
	if err != nil {
		return 0, 0, nil, wrap(err)
	}
	return removed, count, out, nil
}

func selectorFilter(petitionID string, sel feedback.SignatureSelector, status feedback.SignatureStatus) bson.D {
	f := bson.D{{Key: "petition_id", Value: petitionID}, {Key: "status", Value: string(status)}}
	if sel.EmailDomain != "" {
		f = append(f, bson.E{Key: "email_domain", Value: sel.EmailDomain})
	}
	if sel.IP != "" {
		f = append(f, bson.E{Key: "ip", Value: sel.IP})
	}
	created := bson.D{}
	if !sel.From.IsZero() {
		created = append(created, bson.E{Key: "$gte", Value: msUTC(sel.From)})
	}
	if !sel.Until.IsZero() {
		created = append(created, bson.E{Key: "$lt", Value: sel.Until.UTC()})
	}
	if len(created) > 0 {
		f = append(f, bson.E{Key: "created_at", Value: created})
	}
	return f
}

// Signatures lists a petition's signatures in id order.
func (s *Store) Signatures(ctx context.Context, f feedback.SignatureFilter) ([]*feedback.Signature, error) {
	filter := bson.D{{Key: "petition_id", Value: f.PetitionID}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: f.AfterID}}}}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(f.Status)})
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(clamp(f.Limit, 1000, 100)))
	return findAll(ctx, s.signatures(), filter, opts, (*signatureDoc).signature)
}
