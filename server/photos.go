package server

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
)

// photoPath is the public URL prefix of photos. The URL carries only the
// content hash, never a storage path.
const photoPath = "/api/v1/photos/"

// servedTypes are the only content types a photo is served with; anything
// else in the store is served as opaque bytes.
var servedTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true}

// photo serves a stored, metadata-free photo by its sha256 id. The bytes of
// an id never change, so responses are cacheable forever.
func (s *Server) photo(c *gin.Context) {
	id := c.Param("id")
	if !validPhotoID(id) {
		RenderError(c, s.log, feedback.NotFound("photo"))
		return
	}
	etag := `"` + id + `"`
	if c.GetHeader("If-None-Match") == etag {
		c.Header("ETag", etag)
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
		c.Status(http.StatusNotModified)
		return
	}
	rc, p, err := s.store.OpenPhoto(c.Request.Context(), id)
	if err != nil {
		RenderError(c, s.log, err)
		return
	}
	defer rc.Close()
	ct := p.ContentType
	if !servedTypes[ct] {
		ct = "application/octet-stream"
	}
	h := c.Writer.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.FormatInt(p.Size, 10))
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", etag)
	h.Set("Content-Disposition", "inline")
	c.Status(http.StatusOK)
	if c.Request.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(c.Writer, rc); err != nil && !errors.Is(err, c.Request.Context().Err()) {
		s.log.Warn("photo copy failed", slog.String("request_id", RequestID(c)), slog.String("error", err.Error()))
	}
}

// validPhotoID accepts exactly 64 lower-case hex digits.
func validPhotoID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		if !(b >= '0' && b <= '9' || b >= 'a' && b <= 'f') {
			return false
		}
	}
	return true
}

// photoURL is the public URL of a photo under base (the public base URL,
// or "" for a root-relative URL).
func photoURL(base, id string) string { return base + photoPath + id }
