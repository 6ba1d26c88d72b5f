// Command phananh runs the citizen feedback platform: the HTTP server with
// its web UI, websockets, Telegram bot and mailbox ingestor (serve), and the
// tools around it (classify, train, user, bench).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &Env{Getenv: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	if err := run(ctx, os.Args[1:], env); err != nil {
		fmt.Fprintln(os.Stderr, "phananh:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// Env is the outside world a command sees; tests replace every part of it.
type Env struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// command is one subcommand; each lives in its own file.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

var errUsage = errors.New("usage error")

// commands returns the subcommand table. It is a function, not a global, so
// nothing runs before main.
func commands() map[string]command {
	return map[string]command{
		"serve":       {"run the HTTP server (API, web UI, websockets, bot, mailbox)", runServe},
		"classify":    {"classify JSON lines from stdin, or --eval FILE", runClassify},
		"train":       {"train the local classifier model", runTrain},
		"user":        {"manage staff accounts: add, list, disable, passwd", runUser},
		"city":        {"check a city configuration, or show its routing: check|routes [FILE]", runCity},
		"bench":       {"benchmarks: intake, classify, live, seed, stats", runBench},
		"healthcheck": {"exit 0 when the local server and its store are ready", runHealthcheck},
	}
}

func run(ctx context.Context, args []string, env *Env) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stderr, cmds)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		usage(env.Stderr, cmds)
		return fmt.Errorf("unknown command %q: %w", args[0], errUsage)
	}
	return cmd.run(ctx, env, args[1:])
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: phananh <command> [flags]")
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, cmds[n].summary)
	}
}
