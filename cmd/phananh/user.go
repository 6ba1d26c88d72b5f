package main

import (
	"context"
	"errors"
)

// runUser is the "user" subcommand. Placeholder until its issue lands.
func runUser(ctx context.Context, env *Env, args []string) error {
	return errors.New("user: not built yet")
}
