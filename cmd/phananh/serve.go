package main

import (
	"context"
	"errors"
)

// runServe is the "serve" subcommand. Placeholder until its issue lands.
func runServe(ctx context.Context, env *Env, args []string) error {
	return errors.New("serve: not built yet")
}
