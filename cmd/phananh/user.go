package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"phananh/auth"
	"phananh/city"
	"phananh/feedback"
)

const userUsage = `phananh user add --username U --role officer|manager|supervisor|admin [--unit ID] [--name NAME] --password-file F
phananh user list
phananh user disable --username U
phananh user passwd --username U --password-file F`

// runUser is the "user" subcommand: staff accounts on the configured store
// (PHANANH_DATA or PHANANH_MONGO_URI), acting as the local operator.
func runUser(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w:\n%s", errUsage, userUsage)
	}
	sub, ok := map[string]func(context.Context, *Env, *auth.Service, []string) error{
		"add": userAdd, "list": userList, "disable": userDisable, "passwd": userPasswd,
	}[args[0]]
	if !ok {
		return fmt.Errorf("%w: unknown user command %q\n%s", errUsage, args[0], userUsage)
	}
	svc, done, err := openAccounts(ctx, env)
	if err != nil {
		return err
	}
	defer done()
	return sub(ctx, env, svc, args[1:])
}

// openAccounts opens the configured store and the account service over it.
func openAccounts(ctx context.Context, env *Env) (*auth.Service, func(), error) {
	cfg, err := loadConfig(env.Getenv)
	if err != nil {
		return nil, nil, err
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := loadCity(cfg)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	staff, ok := st.(auth.Store)
	if !ok {
		st.Close()
		return nil, nil, errors.New("user: this store does not keep staff accounts yet")
	}
	svc, err := auth.New(staff, auth.Config{UnitExists: unitExists(c), Log: log})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return svc, func() { st.Close() }, nil
}

// unitExists checks unit ids against the city configuration.
func unitExists(c *city.City) func(string) bool {
	return func(id string) bool { _, ok := c.Unit(id); return ok }
}

// operator is the person at the server's command line.
var operator = feedback.Actor{Local: true}

func userAdd(ctx context.Context, env *Env, svc *auth.Service, args []string) error {
	fl := flag.NewFlagSet("user add", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	username := fl.String("username", "", "login name (a-z, 0-9, . _ -)")
	name := fl.String("name", "", "display name")
	role := fl.String("role", "", "officer, manager, supervisor or admin")
	unit := fl.String("unit", "", "unit id (officers and managers)")
	pwFile := fl.String("password-file", "", `file holding the password ("-" reads stdin)`)
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *username == "" || *role == "" || *pwFile == "" {
		return fmt.Errorf("%w: --username, --role and --password-file are required\n%s", errUsage, userUsage)
	}
	password, err := readPassword(env.Stdin, *pwFile)
	if err != nil {
		return err
	}
	u, err := svc.AddUser(ctx, operator, auth.NewUser{
		Username: *username, Name: *name, Role: feedback.Role(*role), UnitID: *unit, Password: password,
	})
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintf(env.Stdout, "added %s (%s%s) id %s\n", u.Username, u.Role, unitSuffix(u.UnitID), u.ID)
	return nil
}

// readPassword reads a password from a file (or stdin for "-"); one
// trailing newline is not part of it.
func readPassword(stdin io.Reader, path string) (string, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(io.LimitReader(stdin, auth.MaxPasswordLen+2))
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return "", fmt.Errorf("user: password file: %w", err)
	}
	return strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"), nil
}

func unitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return ", " + unit
}

func userList(ctx context.Context, env *Env, svc *auth.Service, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%w: user list takes no arguments", errUsage)
	}
	us, err := svc.Users(ctx, operator)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "USERNAME\tROLE\tUNIT\tSTATUS\tCREATED\tNAME")
	for _, u := range us {
		status := "active"
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, u.Role, dash(u.UnitID), status,
			u.CreatedAt.Format(time.DateOnly), u.Name)
	}
	return w.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func userDisable(ctx context.Context, env *Env, svc *auth.Service, args []string) error {
	fl := flag.NewFlagSet("user disable", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	username := fl.String("username", "", "login name")
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *username == "" && fl.NArg() == 1 {
		*username = fl.Arg(0)
	}
	if *username == "" {
		return fmt.Errorf("%w: --username is required\n%s", errUsage, userUsage)
	}
	u, err := svc.DisableUser(ctx, operator, *username)
	if err != nil {
		return fmt.Errorf("user disable: %w", err)
	}
	fmt.Fprintf(env.Stdout, "disabled %s; its sessions are revoked\n", u.Username)
	return nil
}

// userPasswd sets a new password (a forgotten one, a leaked one) and
// revokes the account's sessions.
func userPasswd(ctx context.Context, env *Env, svc *auth.Service, args []string) error {
	fl := flag.NewFlagSet("user passwd", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	username := fl.String("username", "", "login name")
	pwFile := fl.String("password-file", "", `file holding the new password ("-" reads stdin)`)
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *username == "" || *pwFile == "" {
		return fmt.Errorf("%w: --username and --password-file are required\n%s", errUsage, userUsage)
	}
	password, err := readPassword(env.Stdin, *pwFile)
	if err != nil {
		return err
	}
	u, err := svc.SetPassword(ctx, operator, *username, password)
	if err != nil {
		return fmt.Errorf("user passwd: %w", err)
	}
	fmt.Fprintf(env.Stdout, "password of %s changed; its sessions are revoked\n", u.Username)
	return nil
}
