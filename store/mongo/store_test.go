package mongo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"phananh/feedback"
)

func TestOpenRejectsBadURI(t *testing.T) {
	_, err := Open(t.Context(), "postgres://localhost/phananh")
	if got := feedback.ErrorCode(err); got != feedback.EINVALID {
		t.Fatalf("Open(bad scheme) code = %q (%v), want %q", got, err, feedback.EINVALID)
	}
}

// TestOpenUnreachableIsUnavailable also checks that a timeout given in the
// URI overrides the store's default (15 s).
func TestOpenUnreachableIsUnavailable(t *testing.T) {
	start := time.Now()
	// Port 1 on loopback: nothing listens there, the connection is refused.
	_, err := Open(t.Context(), "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300&connectTimeoutMS=200")
	if got := feedback.ErrorCode(err); got != feedback.EUNAVAILABLE {
		t.Fatalf("Open(unreachable) code = %q (%v), want %q", got, err, feedback.EUNAVAILABLE)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("Open(unreachable) took %v: the URI's serverSelectionTimeoutMS was ignored", d)
	}
}

func TestDatabaseName(t *testing.T) {
	cases := map[string]string{
		"mongodb://127.0.0.1:27017":                              DefaultDatabase,
		"mongodb://127.0.0.1:27017/":                             DefaultDatabase,
		"mongodb://127.0.0.1:27017/tuyhoa":                       "tuyhoa",
		"mongodb://a:1,b:2,c:3/tuyhoa?replicaSet=rs0&w=majority": "tuyhoa",
		"mongodb://a:1,b:2/?replicaSet=rs0":                      DefaultDatabase,
	}
	for uri, want := range cases {
		got, err := databaseName(uri)
		if err != nil || got != want {
			t.Errorf("databaseName(%q) = %q, %v; want %q", uri, got, err, want)
		}
	}
	if _, err := databaseName("mongodb://"); feedback.ErrorCode(err) != feedback.EINVALID {
		t.Errorf("databaseName(empty host) err = %v, want invalid", err)
	}
}

// TestOpenTwiceAndIndexes checks that start-up is repeatable (a second
// instance on the same database) and leaves the unique indexes the store
// relies on.
func TestOpenTwiceAndIndexes(t *testing.T) {
	s := MustOpen(t)
	uri, err := withDatabase(testURI(t), s.db.Name())
	if err != nil {
		t.Fatal(err)
	}
	second, err := Open(t.Context(), uri)
	if err != nil {
		t.Fatalf("second Open on the same database: %v", err)
	}
	defer second.Close()
	unique := indexFlags(t, s, collReports, "unique")
	for _, name := range []string{"code_1", "idempotency_key_1"} {
		if !unique[name] {
			t.Errorf("reports index %s is not unique (indexes: %v)", name, unique)
		}
	}
	if !indexFlags(t, s, "photos.chunks", "unique")["files_id_1_n_1"] {
		t.Errorf("photos.chunks has no unique files_id_1_n_1 index")
	}
	if _, ok := indexFlags(t, s, collState, "unique")["expires_at"]; !ok {
		t.Errorf("state has no expires_at index")
	}
}

// indexFlags maps each index name of coll to the value of a boolean option.
func indexFlags(t *testing.T, s *Store, coll, option string) map[string]bool {
	t.Helper()
	cur, err := s.db.Collection(coll).Indexes().List(t.Context())
	if err != nil {
		t.Fatalf("list indexes of %s: %v", coll, err)
	}
	var specs []bson.M
	if err := cur.All(t.Context(), &specs); err != nil {
		t.Fatalf("read indexes of %s: %v", coll, err)
	}
	out := map[string]bool{}
	for _, spec := range specs {
		name, _ := spec["name"].(string)
		flag, _ := spec[option].(bool)
		out[name] = flag
	}
	return out
}

func TestTransactionsDetected(t *testing.T) {
	s := MustOpen(t)
	if isFerret(t, s) && s.Transactions() {
		t.Fatal("FerretDB reported as supporting transactions")
	}
	var hello bson.M
	if err := s.db.RunCommand(t.Context(), bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		t.Fatal(err)
	}
	_, replicaSet := hello["setName"]
	if want := replicaSet || hello["msg"] == "isdbgrid"; s.Transactions() != want {
		t.Fatalf("Transactions() = %v, want %v (hello %v)", s.Transactions(), want, hello)
	}
}

// TestCounterCatchesUpAfterRestore loses the counters collection, as a
// partial restore would, and checks that the next start-up and writes
// continue after the highest stored event instead of colliding with it.
func TestCounterCatchesUpAfterRestore(t *testing.T) {
	s := MustOpen(t)
	ctx := t.Context()
	evs := make([]feedback.Event, 5)
	for i := range evs {
		evs[i] = feedback.Event{Type: feedback.EventQuarantined, Actor: feedback.ActorSystem}
	}
	if _, err := s.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := s.counters.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.syncCounter(ctx, eventCounterID, s.events); err != nil {
		t.Fatalf("syncCounter: %v", err)
	}
	got, err := s.AppendEvents(ctx, evs[:1])
	if err != nil {
		t.Fatalf("AppendEvents after losing the counter: %v", err)
	}
	if got[0].Seq != 6 {
		t.Fatalf("next seq = %d, want 6", got[0].Seq)
	}
}

// TestPhotoConcurrentSameBytes stores one multi-chunk photo from several
// goroutines at once: every call succeeds and the file reads back whole.
func TestPhotoConcurrentSameBytes(t *testing.T) {
	s := MustOpen(t)
	data := bytes.Repeat([]byte("RIFF\x00\x00\x00\x00WEBPVP8 phananh-"), 24000) // about 576 KB: 3 chunks
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { _, errs[i] = s.PutPhoto(t.Context(), data, "image/webp") })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("PutPhoto %d: %v", i, err)
		}
	}
	wantPhoto(t, s, data, "image/webp")
	n, err := s.photoChunks.CountDocuments(t.Context(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64((len(data) + chunkSize - 1) / chunkSize); n != want {
		t.Fatalf("%d chunks stored, want %d", n, want)
	}
}

// TestPhotoCompletesInterruptedUpload leaves a first chunk without its
// files document, as a crash mid-upload would; the photo is not visible,
// and storing the same bytes again completes it.
func TestPhotoCompletesInterruptedUpload(t *testing.T) {
	s := MustOpen(t)
	ctx := t.Context()
	data := bytes.Repeat([]byte{0xff, 0xd8, 0xff, 0xe0, 1, 2, 3}, 100000)
	sum := sha256.Sum256(data)
	id := hex.EncodeToString(sum[:])
	_, err := s.photoChunks.InsertOne(ctx, bson.D{{Key: "files_id", Value: id}, {Key: "n", Value: int32(0)}, {Key: "data", Value: data[:chunkSize]}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.OpenPhoto(ctx, id); feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Fatalf("half-uploaded photo: err %v, want not found", err)
	}
	if _, err := s.PutPhoto(ctx, data, "image/jpeg"); err != nil {
		t.Fatalf("PutPhoto over an interrupted upload: %v", err)
	}
	wantPhoto(t, s, data, "image/jpeg")
}

func TestPhotoTooLarge(t *testing.T) {
	s := MustOpen(t)
	_, err := s.PutPhoto(t.Context(), make([]byte, feedback.MaxPhotoBytes+1), "image/png")
	if got := feedback.ErrorCode(err); got != feedback.ETOOLARGE {
		t.Fatalf("oversized photo: code %q (%v), want %q", got, err, feedback.ETOOLARGE)
	}
}

func wantPhoto(t *testing.T, s *Store, data []byte, contentType string) {
	t.Helper()
	sum := sha256.Sum256(data)
	rc, p, err := s.OpenPhoto(t.Context(), hex.EncodeToString(sum[:]))
	if err != nil {
		t.Fatalf("OpenPhoto: %v", err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read photo: %v", err)
	}
	if !bytes.Equal(got, data) || p.Size != int64(len(data)) || p.ContentType != contentType {
		t.Fatalf("photo read back: %d bytes, meta %+v; want %d bytes of %s", len(got), p, len(data), contentType)
	}
}

func TestClosedStoreIsUnavailable(t *testing.T) {
	s, err := Open(t.Context(), testURI(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.db.Drop(t.Context()); err != nil {
		t.Fatalf("drop: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if got := feedback.ErrorCode(s.Ping(t.Context())); got != feedback.EUNAVAILABLE {
		t.Fatalf("Ping after Close: code %q, want %q", got, feedback.EUNAVAILABLE)
	}
	_, err = s.Report(t.Context(), "ABCDEFGH")
	if got := feedback.ErrorCode(err); got != feedback.EUNAVAILABLE {
		t.Fatalf("Report after Close: code %q (%v), want %q", got, err, feedback.EUNAVAILABLE)
	}
}
