package main

import (
	"context"
	"errors"
)

// runBench is the "bench" subcommand. Placeholder until its issue lands.
func runBench(ctx context.Context, env *Env, args []string) error {
	return errors.New("bench: not built yet")
}
