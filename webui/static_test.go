package webui_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"testing"
)

// rawGet fetches path without the transport's transparent decompression,
// with the given request headers.
func rawGet(t *testing.T, url string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestStaticFilesCompressedAndRevalidated(t *testing.T) {
	a := newApp(t)
	want, err := os.ReadFile("static/js/common.js")
	if err != nil {
		t.Fatal(err)
	}
	url := a.URL + "/static/js/common.js"

	plain, body := rawGet(t, url, nil)
	if plain.StatusCode != http.StatusOK || plain.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, want) {
		t.Fatalf("without Accept-Encoding: %s, encoding %q, %d bytes; want the file as is",
			plain.Status, plain.Header.Get("Content-Encoding"), len(body))
	}
	if ct := plain.Header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}

	gz, zbody := rawGet(t, url, map[string]string{"Accept-Encoding": "br, gzip"})
	if gz.Header.Get("Content-Encoding") != "gzip" || gz.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("gzip accepted: encoding %q, Vary %q", gz.Header.Get("Content-Encoding"), gz.Header.Get("Vary"))
	}
	if len(zbody) >= len(want) {
		t.Errorf("gzip body %d bytes, file %d", len(zbody), len(want))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zbody))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("gzip body does not decompress to the file (%v)", err)
	}
	if gz.Header.Get("ETag") == plain.Header.Get("ETag") || plain.Header.Get("ETag") == "" {
		t.Errorf("ETags %q (gzip) and %q (plain) must differ and be set", gz.Header.Get("ETag"), plain.Header.Get("ETag"))
	}

	if refused, _ := rawGet(t, url, map[string]string{"Accept-Encoding": "gzip;q=0"}); refused.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 still got %q", refused.Header.Get("Content-Encoding"))
	}

	again, b := rawGet(t, url, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": gz.Header.Get("ETag")})
	if again.StatusCode != http.StatusNotModified || len(b) != 0 {
		t.Fatalf("revalidation: %s with %d bytes, want 304 and no body", again.Status, len(b))
	}

	for _, p := range []string{"/static/", "/static/js/missing.js", "/static/../templates/report.html", "/static/vendor/.stamp"} {
		if resp, _ := rawGet(t, a.URL+p, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", p, resp.Status)
		}
	}
}
