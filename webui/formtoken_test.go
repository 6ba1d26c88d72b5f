package webui

import (
	"strings"
	"testing"
	"time"
)

func TestFormTokens(t *testing.T) {
	now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	f := &formTokens{key: []byte("khoá bí mật thử"), now: func() time.Time { return now }, ttl: time.Hour}
	tok := f.issue("browser-a")
	nonce, ok := f.check("browser-a", tok)
	if !ok || nonce == "" || !strings.HasPrefix(tok, nonce+".") {
		t.Fatalf("fresh token refused: %q", tok)
	}
	if _, ok := f.check("browser-b", tok); ok {
		t.Error("a token bound to another browser was accepted")
	}
	parts := strings.Split(tok, ".")
	if _, ok := f.check("browser-a", "0"+parts[0][1:]+"."+parts[1]+"."+parts[2]); ok && parts[0][0] != '0' {
		t.Error("a token with a changed nonce was accepted")
	}
	if _, ok := f.check("browser-a", parts[0]+".zzzzzz."+parts[2]); ok {
		t.Error("a token with a changed expiry was accepted")
	}
	now = now.Add(2 * time.Hour)
	if _, ok := f.check("browser-a", tok); ok {
		t.Error("an expired token was accepted")
	}
	if _, ok := f.check("", tok); ok {
		t.Error("a request without the browser cookie was accepted")
	}
}

func TestTileOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://tile.openstreetmap.org/{z}/{x}/{y}.png":  "https://tile.openstreetmap.org",
		"https://{s}.tile.example.vn/{z}/{x}/{y}.png":     "https://*.tile.example.vn",
		"http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png":     "http://127.0.0.1:8080",
		"javascript:alert(1)":                             "",
		"https://evil.example; script-src *//{z}/{x}/{y}": "",
	} {
		if got := tileOrigin(in); got != want {
			t.Errorf("tileOrigin(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/staff/r/ABC": "/staff/r/ABC", "//evil.example": "", "https://evil.example": "", "/\\evil": "", "": "",
		"/staff?status=open&q=r%C3%A1c": "/staff?status=open&q=r%C3%A1c",
		// Browsers drop tabs and newlines inside URLs, so these become
		// "//evil.example"; a backslash anywhere reads as a slash.
		"/\t/evil.example": "", "/\n/evil.example": "", "/\r/evil.example": "", "/\x00/evil": "",
		"/staff/\\..\\\\evil.example": "",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
