package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runUserCmd(t *testing.T, data string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string {
		if k == "PHANANH_DATA" {
			return data
		}
		return ""
	}
	env := &Env{Getenv: getenv, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}
	err := run(context.Background(), append([]string{"user"}, args...), env)
	return out.String(), err
}

func TestUserCommand(t *testing.T) {
	data := t.TempDir()
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("mật khẩu của cán bộ phường\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runUserCmd(t, data, "add", "--username", "Nguyen.An", "--role", "officer", "--unit", "ubnd_p1", "--password-file", pw)
	if err != nil || !strings.Contains(out, "added nguyen.an (officer, ubnd_p1)") {
		t.Fatalf("add: %q %v", out, err)
	}
	if _, err := runUserCmd(t, data, "add", "--username", "x1", "--role", "officer", "--unit", "khong_co", "--password-file", pw); err == nil {
		t.Fatal("unknown unit accepted")
	}
	if _, err := runUserCmd(t, data, "add", "--username", "x2", "--role", "officer"); !errors.Is(err, errUsage) {
		t.Fatalf("missing flags: %v", err)
	}
	if _, err := runUserCmd(t, data, "add", "--username", "chanh.vp", "--role", "supervisor", "--password-file", pw); err != nil {
		t.Fatal(err)
	}
	if out, err := runUserCmd(t, data, "passwd", "--username", "chanh.vp", "--password-file", pw); err != nil || !strings.Contains(out, "chanh.vp") {
		t.Fatalf("passwd: %q %v", out, err)
	}
	if _, err := runUserCmd(t, data, "disable", "nguyen.an"); err != nil {
		t.Fatal(err)
	}
	out, err = runUserCmd(t, data, "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "chanh.vp") || !strings.Contains(lines[2], "disabled") ||
		strings.Contains(out, "argon2") {
		t.Fatalf("list:\n%s", out)
	}
}
