package storetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"phananh/feedback"
)

func (st suite) photoTests() []storeTest {
	return []storeTest{
		{"PhotoRoundTrip", testPhotoRoundTrip},
		{"PhotoMissing", testPhotoMissing},
	}
}

func testPhotoRoundTrip(t *testing.T, s feedback.Store) {
	ctx := t.Context()
	data := bytes.Repeat([]byte("\x89PNG\r\n\x1a\nphananh"), 40000) // several hundred KB
	sum := sha256.Sum256(data)
	want := feedback.Photo{ID: hex.EncodeToString(sum[:]), ContentType: "image/png", Size: int64(len(data))}

	p, err := s.PutPhoto(ctx, data, "image/png")
	must(t, "PutPhoto", err)
	if p != want {
		t.Fatalf("PutPhoto = %+v, want %+v", p, want)
	}
	again, err := s.PutPhoto(ctx, data, "image/png")
	must(t, "PutPhoto same bytes", err)
	if again != want {
		t.Fatalf("second PutPhoto = %+v, want %+v", again, want)
	}

	rc, meta, err := s.OpenPhoto(ctx, want.ID)
	must(t, "OpenPhoto", err)
	defer rc.Close()
	got, err := io.ReadAll(rc)
	must(t, "read photo", err)
	if !bytes.Equal(got, data) {
		t.Fatalf("photo bytes differ: got %d bytes, want %d", len(got), len(data))
	}
	if meta.ID != want.ID || meta.ContentType != want.ContentType || meta.Size != want.Size {
		t.Fatalf("OpenPhoto meta = %+v, want %+v", meta, want)
	}

	_, err = s.PutPhoto(ctx, nil, "image/png")
	wantCode(t, "empty photo", err, feedback.EINVALID)
}

func testPhotoMissing(t *testing.T, s feedback.Store) {
	ids := []string{
		strings.Repeat("ab", 32), // well-formed, never stored
		"../../../../etc/passwd",
		"",
		strings.Repeat("g", 64),
		strings.Repeat("ab", 32) + "/..",
	}
	for _, id := range ids {
		rc, _, err := s.OpenPhoto(t.Context(), id)
		if rc != nil {
			rc.Close()
		}
		wantCode(t, "OpenPhoto("+id+")", err, feedback.ENOTFOUND)
	}
}
