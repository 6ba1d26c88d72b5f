package main

import (
	"context"
	"errors"
)

// runTrain is the "train" subcommand. Placeholder until its issue lands.
func runTrain(ctx context.Context, env *Env, args []string) error {
	return errors.New("train: not built yet")
}
