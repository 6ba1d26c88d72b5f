package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := loadConfig(envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./data" || c.ClassifierMode != "local" ||
		c.ClassifierThreshold != 0.55 || c.IMAPPoll != time.Minute || c.SecureCookies() {
		t.Errorf("unexpected defaults: %+v", c)
	}
}

func TestLoadConfigReportsEveryProblem(t *testing.T) {
	_, err := loadConfig(envMap(map[string]string{
		"PHANANH_BASE_URL":             "ftp://x",
		"PHANANH_CLASSIFIER":           "magic",
		"PHANANH_CLASSIFIER_THRESHOLD": "2",
		"PHANANH_IMAP_POLL":            "soon",
		"PHANANH_IMAP_ADDR":            "mail:993",
		"PHANANH_SMTP_ADDR":            "mail:587",
	}))
	if err == nil {
		t.Fatal("want error")
	}
	for _, name := range []string{"PHANANH_BASE_URL", "PHANANH_CLASSIFIER ", "PHANANH_CLASSIFIER_THRESHOLD",
		"PHANANH_IMAP_POLL", "PHANANH_IMAP_USER", "PHANANH_SMTP_FROM"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not mention %s: %v", name, err)
		}
	}
}

func TestLoadConfigSecretFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("123:abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(envMap(map[string]string{"PHANANH_TELEGRAM_TOKEN_FILE": path}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TelegramToken != "123:abc" {
		t.Errorf("token = %q", c.TelegramToken)
	}
	_, err = loadConfig(envMap(map[string]string{"PHANANH_TELEGRAM_TOKEN_FILE": path, "PHANANH_TELEGRAM_TOKEN": "x"}))
	if err == nil {
		t.Error("both NAME and NAME_FILE set: want error")
	}
}
