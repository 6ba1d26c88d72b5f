package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"phananh/feedback"
)

var _ feedback.PetitionStore = (*Store)(nil)

func (s *Store) petitions() *mongo.Collection  { return s.db.Collection(collPetitions) }
func (s *Store) signatures() *mongo.Collection { return s.db.Collection(collSignatures) }
func (s *Store) sigTokens() *mongo.Collection  { return s.db.Collection(collSigTokens) }
func (s *Store) petitionLevels() *mongo.Collection {
	return s.db.Collection(collPetitionLvl)
}

// tokenMemory is how long an expired confirmation token is kept (where
// the server has TTL indexes), so that following it says "expired".
const tokenMemory = 7 * 24 * time.Hour

// ensurePetitionIndexes creates the petition indexes that are missing.
// CreatePetition calls it: a signature needs a petition, so the unique
// (petition_id, identity) index exists before the first signature of any
// database, whichever instance created the petition. Each Store checks
// once; indexes are never dropped.
func (s *Store) ensurePetitionIndexes(ctx context.Context) error {
	if s.petitionIndexes.Load() {
		return nil
	}
	if err := s.createPetitionIndexes(ctx); err != nil {
		return err
	}
	s.petitionIndexes.Store(true)
	return nil
}

func (s *Store) createPetitionIndexes(ctx context.Context) error {
	unique := options.Index().SetUnique(true)
	if err := s.ensureIndexes(ctx, s.petitions(), []namedIndex{
		index("status_1_created_at_-1", nil, asc("status"), desc("created_at")),
		index("status_1_signatures_-1_created_at_-1", nil, asc("status"), desc("signatures"), desc("created_at")),
	}); err != nil {
		return err
	}
	if err := s.ensureIndexes(ctx, s.signatures(), []namedIndex{
		index("petition_id_1_identity_1", unique, asc("petition_id"), asc("identity")),
		index("petition_id_1__id_1", nil, asc("petition_id"), asc("_id")),
	}); err != nil {
		return err
	}
	if err := s.ensureTokenIndex(ctx); err != nil {
		return err
	}
	// Level markers are inserted inside transactions, where older servers
	// cannot create a collection.
	err := s.db.CreateCollection(ctx, collPetitionLvl)
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == 48 { // NamespaceExists
		return nil
	}
	return wrap(err)
}

// ensureTokenIndex lets the server drop tokens a week after they expired;
// FerretDB has no TTL indexes, so there it is a plain index and tokens stay.
func (s *Store) ensureTokenIndex(ctx context.Context) error {
	have, err := indexNames(ctx, s.sigTokens())
	if err != nil || have["expires_at_1"] {
		return err
	}
	ttl := options.Index().SetExpireAfterSeconds(int32(tokenMemory / time.Second))
	_, err = s.sigTokens().Indexes().CreateOne(ctx, index("expires_at_1", ttl, asc("expires_at")).model)
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == codeNotImplemented {
		_, err = s.sigTokens().Indexes().CreateOne(ctx, index("expires_at_1", nil, asc("expires_at")).model)
	}
	return wrap(err)
}

// CreatePetition stores a new petition with its events. Errors: EINVALID,
// ECONFLICT (id taken).
func (s *Store) CreatePetition(ctx context.Context, p *feedback.Petition, events []feedback.Event) ([]feedback.Event, error) {
	if err := p.Storable(); err != nil {
		return nil, err
	}
	if err := validateEvents(events); err != nil {
		return nil, err
	}
	if err := s.ensurePetitionIndexes(ctx); err != nil {
		return nil, err
	}
	d := toPetitionDoc(p)
	d.Version = 1
	var out []feedback.Event
	err := s.atomically(ctx, func(ctx context.Context) error {
		if _, err := s.petitions().InsertOne(ctx, d); err != nil {
			if mongo.IsDuplicateKeyError(err) {
				return feedback.Conflict("Mã kiến nghị đã tồn tại.", "Petition id already in use.")
			}
			return err
		}
		var err error
		out, err = s.insertEvents(ctx, events, feedback.Event{})
		return err
	})
	if err != nil {
		return nil, wrap(err)
	}
	p.Version = 1
	return out, nil
}

// Petition returns a petition by id. Errors: ENOTFOUND.
func (s *Store) Petition(ctx context.Context, id string) (*feedback.Petition, error) {
	var d petitionDoc
	if err := s.petitions().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, wrap(notFoundAs(err, "petition"))
	}
	return d.petition(), nil
}

// FindPetitions returns petitions matching f, newest or most signed first.
func (s *Store) FindPetitions(ctx context.Context, f feedback.PetitionFilter) ([]*feedback.Petition, error) {
	filter := bson.D{}
	if len(f.Status) > 0 {
		st := make(bson.A, len(f.Status))
		for i, v := range f.Status {
			st[i] = string(v)
		}
		filter = append(filter, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: st}}})
	}
	if f.Category != "" {
		filter = append(filter, bson.E{Key: "category", Value: f.Category})
	}
	if f.Ward != "" {
		filter = append(filter, bson.E{Key: "ward", Value: f.Ward})
	}
	sort := bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}
	if f.Order == "signatures" {
		sort = append(bson.D{{Key: "signatures", Value: -1}}, sort...)
	}
	opts := options.Find().SetSort(sort).SetSkip(int64(max(f.Offset, 0))).SetLimit(int64(clamp(f.Limit, 100, 20)))
	return findAll(ctx, s.petitions(), filter, opts, (*petitionDoc).petition)
}

// UpdatePetition stores p if its version still matches, leaving the
// signature count and level alone. Errors: ENOTFOUND, ECONFLICT.
func (s *Store) UpdatePetition(ctx context.Context, p *feedback.Petition, events []feedback.Event) ([]feedback.Event, error) {
	if err := p.Storable(); err != nil {
		return nil, err
	}
	if err := validateEvents(events); err != nil {
		return nil, err
	}
	d := toPetitionDoc(p)
	d.Version = p.Version + 1
	set, err := bson.Marshal(d)
	if err != nil {
		return nil, feedback.Internal(err)
	}
	var fields bson.D
	if err := bson.Unmarshal(set, &fields); err != nil {
		return nil, feedback.Internal(err)
	}
	update := bson.D{}
	for _, e := range fields {
		if e.Key != "_id" && e.Key != "signatures" && e.Key != "level" {
			update = append(update, e)
		}
	}
	ops := bson.D{{Key: "$set", Value: update}}
	if unset := unsetMissing(fields); len(unset) > 0 {
		ops = append(ops, bson.E{Key: "$unset", Value: unset})
	}
	var out []feedback.Event
	err = s.atomically(ctx, func(ctx context.Context) error {
		res, err := s.petitions().UpdateOne(ctx, bson.D{{Key: "_id", Value: p.ID}, {Key: "version", Value: p.Version}}, ops)
		if err != nil {
			return err
		}
		if res.MatchedCount == 0 {
			return s.petitionMissingOrMoved(ctx, p.ID)
		}
		out, err = s.insertEvents(ctx, events, feedback.Event{})
		return err
	})
	if err != nil {
		return nil, wrap(err)
	}
	p.Version = d.Version
	return out, nil
}

// unsetMissing removes the optional fields a document no longer has (an
// answer due time cleared, ...): $set alone would keep the old values.
func unsetMissing(have bson.D) bson.D {
	present := map[string]bool{}
	for _, e := range have {
		present[e.Key] = true
	}
	out := bson.D{}
	for _, k := range []string{"photos", "unit", "source_reports", "reject_reason", "thresholds", "answer_unit",
		"answer_due_at", "answer", "answer_overdue", "published_at", "closes_at", "closed_at"} {
		if !present[k] {
			out = append(out, bson.E{Key: k, Value: ""})
		}
	}
	return out
}

func (s *Store) petitionMissingOrMoved(ctx context.Context, id string) error {
	n, err := s.petitions().CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return err
	}
	if n == 0 {
		return feedback.NotFound("petition")
	}
	return feedback.Conflict("Kiến nghị vừa được người khác thay đổi, vui lòng thử lại.", "The petition was changed by someone else; please retry.")
}

// SignatureCount returns the confirmed count from the counter field.
// Errors: ENOTFOUND.
func (s *Store) SignatureCount(ctx context.Context, petitionID string) (int, error) {
	var d struct {
		Signatures int `bson:"signatures"`
	}
	err := s.petitions().FindOne(ctx, bson.D{{Key: "_id", Value: petitionID}},
		options.FindOne().SetProjection(bson.D{{Key: "signatures", Value: 1}})).Decode(&d)
	return d.Signatures, wrap(notFoundAs(err, "petition"))
}
