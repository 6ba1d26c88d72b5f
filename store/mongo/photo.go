package mongo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"phananh/feedback"
)

// chunkSize is the GridFS default chunk size (255 KiB).
const chunkSize = 255 << 10

// photoMeta is the metadata stored with each photo's GridFS file document.
type photoMeta struct {
	ContentType string `bson:"content_type"`
}

// PutPhoto stores cleaned image bytes in GridFS under their hex sha256.
//
// The driver's upload stream cannot be used for content-addressed files:
// two uploads of the same bytes at once collide on the chunk index, and its
// abort deletes the other upload's chunks. Since a chunk's content follows
// from the file id, every chunk is written as an idempotent upsert instead,
// and the files document last, so readers only ever see complete files and
// an interrupted upload is completed by the next one.
// Errors: EINVALID (empty), ETOOLARGE.
func (s *Store) PutPhoto(ctx context.Context, data []byte, contentType string) (feedback.Photo, error) {
	if len(data) == 0 {
		return feedback.Photo{}, feedback.FieldError("photo", "Ảnh rỗng.", "The photo is empty.")
	}
	if len(data) > feedback.MaxPhotoBytes {
		return feedback.Photo{}, feedback.Errorf(feedback.ETOOLARGE, "Ảnh quá lớn (tối đa 10 MB).", "The photo is too large (10 MB at most).")
	}
	sum := sha256.Sum256(data)
	p := feedback.Photo{ID: hex.EncodeToString(sum[:]), ContentType: contentType, Size: int64(len(data))}
	n, err := s.photoFiles.CountDocuments(ctx, bson.D{{Key: "_id", Value: p.ID}})
	if err != nil {
		return feedback.Photo{}, wrap(err)
	}
	if n > 0 {
		return p, nil
	}
	if err := retryDuplicate(func() error { return s.putChunks(ctx, p.ID, data) }); err != nil {
		return feedback.Photo{}, err
	}
	file := bson.D{
		{Key: "length", Value: p.Size},
		{Key: "chunkSize", Value: int32(chunkSize)},
		{Key: "uploadDate", Value: s.clock()},
		{Key: "filename", Value: p.ID},
		{Key: "metadata", Value: photoMeta{ContentType: contentType}},
	}
	err = retryDuplicate(func() error {
		_, err := s.photoFiles.UpdateOne(ctx, bson.D{{Key: "_id", Value: p.ID}},
			bson.D{{Key: "$setOnInsert", Value: file}}, options.UpdateOne().SetUpsert(true))
		return err
	})
	if err != nil {
		return feedback.Photo{}, err
	}
	return p, nil
}

// putChunks upserts every chunk of the file id.
func (s *Store) putChunks(ctx context.Context, id string, data []byte) error {
	var models []mongo.WriteModel
	for n := 0; n*chunkSize < len(data); n++ {
		part := data[n*chunkSize : min((n+1)*chunkSize, len(data))]
		models = append(models, mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "files_id", Value: id}, {Key: "n", Value: int32(n)}}).
			SetUpdate(bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "data", Value: part}}}}).
			SetUpsert(true))
	}
	_, err := s.photoChunks.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	return err
}

// OpenPhoto streams a stored photo from GridFS; the caller closes the
// reader. Errors: ENOTFOUND.
func (s *Store) OpenPhoto(ctx context.Context, id string) (io.ReadCloser, feedback.Photo, error) {
	if !isSHA256Hex(id) {
		return nil, feedback.Photo{}, feedback.NotFound("photo")
	}
	bucket := s.db.GridFSBucket(options.GridFSBucket().SetName(photoBucket))
	ds, err := bucket.OpenDownloadStream(ctx, id)
	if errors.Is(err, mongo.ErrFileNotFound) {
		return nil, feedback.Photo{}, feedback.NotFound("photo")
	}
	if err != nil {
		return nil, feedback.Photo{}, wrap(err)
	}
	file := ds.GetFile()
	var meta photoMeta
	if len(file.Metadata) > 0 {
		if err := bson.Unmarshal(file.Metadata, &meta); err != nil {
			_ = ds.Close()
			return nil, feedback.Photo{}, wrap(err)
		}
	}
	return ds, feedback.Photo{ID: id, ContentType: meta.ContentType, Size: file.Length}, nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
