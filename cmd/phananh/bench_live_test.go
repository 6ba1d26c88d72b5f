package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestBenchLiveSmall runs the live benchmark at toy size with the clients
// in process, to keep the command working; the figures are not checked.
func TestBenchLiveSmall(t *testing.T) {
	var out bytes.Buffer
	env := &Env{Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &out}
	err := benchLive(t.Context(), env, []string{"-in-process", "-clients=20", "-reports=4", "-rate=100", "-duration=500ms"})
	if err != nil {
		t.Fatalf("bench live: %v\n%s", err, out.String())
	}
	for _, want := range []string{"connections held: 20 of 20", "latency commit->client: p50"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "messages received: 0 ") {
		t.Errorf("no message reached the clients:\n%s", out.String())
	}
}
