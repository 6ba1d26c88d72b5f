package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"phananh/feedback"
)

// photoDir is the folder of photo files inside the data directory; a photo
// lives at photos/<first two hex digits>/<hex sha256>.
const photoDir = "photos"

// validPhotoID reports whether id is 64 lower-case hex digits, the only
// form that can name a photo file, so no id can lead outside photoDir.
func validPhotoID(id string) bool {
	if len(id) != 2*sha256.Size {
		return false
	}
	for _, c := range []byte(id) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (s *Store) photoPath(id string) string {
	return filepath.Join(s.dir, photoDir, id[:2], id)
}

// PutPhoto stores cleaned image bytes under their sha256. The file is
// durable (written, fsynced, renamed, directory fsynced) before its
// metadata row commits, so a row never points at a missing file.
// Errors: EINVALID (empty data).
func (s *Store) PutPhoto(ctx context.Context, data []byte, contentType string) (feedback.Photo, error) {
	if len(data) == 0 {
		return feedback.Photo{}, feedback.FieldError("photos", "Ảnh rỗng.", "photo is empty")
	}
	sum := sha256.Sum256(data)
	p := feedback.Photo{ID: hex.EncodeToString(sum[:]), ContentType: contentType, Size: int64(len(data))}
	if err := s.writePhotoFile(p.ID, data); err != nil {
		return feedback.Photo{}, feedback.Internal(err)
	}
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO photos (id, content_type, size, created_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, p.ID, p.ContentType, p.Size, s.now().UnixNano())
		if err != nil {
			return feedback.Internal(fmt.Errorf("insert photo: %w", err))
		}
		return nil
	})
	return p, err
}

// writePhotoFile writes data to its content address unless a file of that
// size is already there (same name, same bytes).
func (s *Store) writePhotoFile(id string, data []byte) error {
	path := s.photoPath(id)
	dir := filepath.Dir(path)
	if fi, err := os.Stat(path); err == nil && fi.Size() == int64(len(data)) {
		// Already there, but an earlier attempt may have failed before its
		// fsyncs: repeat them (cheap when there is nothing to flush).
		return errors.Join(syncFile(path), syncDir(dir))
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("photo dir: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("photo temp file: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write photo: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync photo: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close photo: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename photo: %w", err)
	}
	// The rename is durable only once the directory entry is; the shard
	// directory may itself be new, so its parent is synced too.
	return errors.Join(syncDir(dir), syncDir(filepath.Dir(dir)))
}

// syncDir makes the entries of dir (creations, renames) durable.
func syncDir(dir string) error { return syncFile(dir) }

// syncFile fsyncs the file or directory at path.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open for sync: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// OpenPhoto returns the bytes of a stored photo; the caller closes them.
// Errors: ENOTFOUND (also for any id that is not 64 lower-case hex digits).
func (s *Store) OpenPhoto(ctx context.Context, id string) (io.ReadCloser, feedback.Photo, error) {
	if !validPhotoID(id) {
		return nil, feedback.Photo{}, feedback.NotFound("photo")
	}
	p := feedback.Photo{ID: id}
	err := s.readRow(ctx, `SELECT content_type, size FROM photos WHERE id = ?`, id).
		Scan(&p.ContentType, &p.Size)
	if err != nil {
		return nil, feedback.Photo{}, dbError(err, "photo")
	}
	f, err := os.Open(s.photoPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		s.log.Error("sqlite photo row without its file", "photo_id", id)
		return nil, feedback.Photo{}, feedback.NotFound("photo")
	}
	if err != nil {
		return nil, feedback.Photo{}, feedback.Internal(fmt.Errorf("open photo: %w", err))
	}
	return f, p, nil
}
