package webui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// staticFile is one embedded file, ready to serve: its bytes, a gzip copy
// when that is smaller, and an ETag per encoding.
type staticFile struct {
	contentType string
	plain, gz   []byte // gz is nil when compression does not pay
	etag        string // of plain; the gzip copy's ends in -gz
}

// staticFiles reads every embedded static file once and compresses the
// text ones (scripts, styles, SVG), so that a phone on a slow connection
// downloads Leaflet's 150 KB as about 45 KB and the server never
// compresses the same bytes twice.
func staticFiles(st fs.FS) (map[string]*staticFile, error) {
	out := map[string]*staticFile{}
	err := fs.WalkDir(st, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path.Base(name), ".") {
			return err
		}
		b, err := fs.ReadFile(st, name)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		sum := sha256.Sum256(b)
		f := &staticFile{contentType: ct, plain: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		if compressible(ct) {
			f.gz = gzipped(b)
		}
		out[name] = f
		return nil
	})
	return out, err
}

// compressible reports whether a content type is text that gzip shrinks;
// images and fonts are compressed already.
func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") ||
		strings.Contains(ct, "json") || strings.HasPrefix(ct, "image/svg")
}

// gzipped returns b compressed at the best level, or nil when that saves
// less than a tenth.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	_, _ = zw.Write(b)                                       // a bytes.Buffer does not fail
	_ = zw.Close()
	if buf.Len() > len(b)*9/10 {
		return nil
	}
	return buf.Bytes()
}

// serveStatic serves the embedded scripts, styles and vendor files, gzip
// compressed for clients that accept it, with an ETag so that a revisit
// costs a 304. They are embedded in the binary, so their content changes
// only with it; a short max-age keeps an upgrade visible within the hour.
func (u *UI) serveStatic(c *gin.Context) {
	name := strings.TrimPrefix(path.Clean("/"+c.Param("path")), "/")
	f, ok := u.static[name]
	if !ok {
		c.Status(http.StatusNotFound)
		return
	}
	h := c.Writer.Header()
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'")
	h.Set("Content-Type", f.contentType)
	body, etag := f.plain, f.etag
	if f.gz != nil {
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(c.Request) {
			body, etag = f.gz, strings.TrimSuffix(f.etag, `"`)+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	// ServeContent answers If-None-Match with 304 and serves ranges.
	http.ServeContent(c.Writer, c.Request, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (a "gzip;q=0" refuses it).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		v, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		q, err := strconv.ParseFloat(v, 64)
		return !ok || err != nil || q != 0
	}
	return false
}
