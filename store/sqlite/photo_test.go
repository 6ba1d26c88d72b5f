package sqlite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"phananh/feedback"
)

func TestPhotoFileLayout(t *testing.T) {
	dir := t.TempDir()
	s := mustOpenDir(t, dir)
	p, err := s.PutPhoto(t.Context(), []byte("RIFF....WEBPVP8 fake"), "image/webp")
	if err != nil {
		t.Fatal(err)
	}
	shard := filepath.Join(dir, "photos", p.ID[:2])
	entries, err := os.ReadDir(shard)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != p.ID {
		t.Fatalf("shard %s holds %v, want only %s (no temp files)", shard, entries, p.ID)
	}
	// Ids are matched exactly: the upper-case spelling names no file.
	if _, _, err := s.OpenPhoto(t.Context(), strings.ToUpper(p.ID)); feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Fatalf("OpenPhoto(upper case) = %v, want ENOTFOUND", err)
	}
	// A row whose file vanished is reported as missing, not as a crash.
	if err := os.Remove(filepath.Join(shard, p.ID)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.OpenPhoto(t.Context(), p.ID); feedback.ErrorCode(err) != feedback.ENOTFOUND {
		t.Fatalf("OpenPhoto(file gone) = %v, want ENOTFOUND", err)
	}
}
