package server

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/time/rate"
)

func TestMetricsOnlyForLoopbackWithoutToken(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		addr string
		want int
	}{
		{"127.0.0.1:5000", http.StatusOK},
		{"[::1]:5000", http.StatusOK},
		{"203.0.113.7:5000", http.StatusForbidden},
		{"10.0.0.2:5000", http.StatusForbidden},
	} {
		w := f.getFrom(tc.addr, "/metrics", nil)
		if w.Code != tc.want {
			t.Errorf("from %s: %d, want %d", tc.addr, w.Code, tc.want)
		}
		if w.Code == http.StatusOK && !strings.Contains(w.Body.String(), "go_goroutines") {
			t.Errorf("from %s: no metrics in the body", tc.addr)
		}
		if w.Code != http.StatusOK && strings.Contains(w.Body.String(), "go_goroutines") {
			t.Errorf("from %s: refused, yet the body holds metrics", tc.addr)
		}
	}
	// A proxy's X-Forwarded-For claiming loopback does not count.
	req := f.getFrom("203.0.113.7:5000", "/metrics", map[string]string{"X-Forwarded-For": "127.0.0.1"})
	if req.Code != http.StatusForbidden {
		t.Errorf("X-Forwarded-For 127.0.0.1 from outside: %d, want 403", req.Code)
	}
}

func TestMetricsWithToken(t *testing.T) {
	f := newFixture(t)
	srv, err := New(Deps{Store: f.store, Intake: newTestIntake(t, f.store, f.city), City: CityDirectory(f.city),
		PostRate: rate.Inf, MetricsToken: "s3cret-scrape-token"})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	for _, tc := range []struct {
		addr, token string
		want        int
	}{
		{"203.0.113.7:5000", "s3cret-scrape-token", http.StatusOK},
		{"203.0.113.7:5000", "wrong", http.StatusUnauthorized},
		{"203.0.113.7:5000", "", http.StatusUnauthorized},
		{"127.0.0.1:5000", "", http.StatusUnauthorized}, // the token applies to everyone
	} {
		hdr := map[string]string{}
		if tc.token != "" {
			hdr["Authorization"] = "Bearer " + tc.token
		}
		w := f.getFrom(tc.addr, "/metrics", hdr)
		if w.Code != tc.want {
			t.Errorf("from %s with %q: %d, want %d", tc.addr, tc.token, w.Code, tc.want)
		}
		if w.Code == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("401 without WWW-Authenticate")
		}
	}
}
