package ratelimit_test

import (
	"strconv"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"phananh/ratelimit"
)

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func TestBurstThenRefillPerKey(t *testing.T) {
	k := ratelimit.New(rate.Every(time.Second), 3, 0)
	for i := range 3 {
		if !k.Allow("a", t0) {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	if k.Allow("a", t0) {
		t.Fatal("request past the burst allowed")
	}
	if !k.Allow("b", t0) {
		t.Fatal("another key shares a's bucket")
	}
	if !k.Allow("a", t0.Add(time.Second)) {
		t.Fatal("no token a second later")
	}
}

func TestIdleBucketsAreDropped(t *testing.T) {
	k := ratelimit.New(rate.Limit(1), 1, time.Minute)
	for i := range 100 {
		k.Allow(strconv.Itoa(i), t0)
	}
	if n := k.Len(); n != 100 {
		t.Fatalf("%d buckets, want 100", n)
	}
	k.Allow("late", t0.Add(2*time.Minute))
	if n := k.Len(); n != 1 {
		t.Fatalf("%d buckets after the idle ones were swept, want 1", n)
	}
}

func TestInfAllowsEverything(t *testing.T) {
	k := ratelimit.New(rate.Inf, 0, 0)
	for range 1000 {
		if !k.Allow("a", t0) {
			t.Fatal("rate.Inf refused a request")
		}
	}
	if k.Len() != 0 {
		t.Fatal("rate.Inf keeps buckets")
	}
}

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":          "203.0.113.7",
		"::ffff:203.0.113.7":   "203.0.113.7",
		"2001:db8:1:2:aaaa::1": "2001:db8:1:2::/64",
		"2001:db8:1:2:bbbb::9": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":      "2001:db8:1:3::/64",
		"fe80::1%eth0":         "fe80::/64",
		"not an address":       "not an address",
		"":                     "",
	} {
		if got := ratelimit.ClientKey(in); got != want {
			t.Errorf("ClientKey(%q) = %q, want %q", in, got, want)
		}
	}
}
