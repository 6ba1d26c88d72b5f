package main

import (
	"context"
	"errors"
)

// runClassify is the "classify" subcommand. Placeholder until its issue lands.
func runClassify(ctx context.Context, env *Env, args []string) error {
	return errors.New("classify: not built yet")
}
