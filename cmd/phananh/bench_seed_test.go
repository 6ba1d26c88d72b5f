package main

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestBenchSeedAndStats runs `phananh bench seed` and `bench stats` on a
// small store and checks that the report names every figure; the timings
// themselves are for `make bench-stats`. PHANANH_TEST_SEED_REPORTS raises
// the size.
func TestBenchSeedAndStats(t *testing.T) {
	n := 3000
	if v, err := strconv.Atoi(os.Getenv("PHANANH_TEST_SEED_REPORTS")); err == nil && v > 0 {
		n = v
	}
	dir := os.Getenv("PHANANH_TEST_SEED_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	var out bytes.Buffer
	env := &Env{Getenv: func(string) string { return "" }, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out}
	ctx := context.Background()
	if os.Getenv("PHANANH_TEST_SEED_SKIP") == "" {
		if err := benchSeed(ctx, env, []string{"--reports", strconv.Itoa(n), "--data", dir, "--batch", "1000"}); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
	}
	if err := benchStats(ctx, env, []string{"--data", dir, "--runs", "2"}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	if !strings.Contains(out.String(), "stats unit") || !strings.Contains(out.String(), "slowest stats call") {
		t.Fatalf("output:\n%s", out.String())
	}
}
