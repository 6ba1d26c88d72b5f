package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCityCmd(t *testing.T, cityEnv string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	env := &Env{Getenv: func(k string) string {
		if k == "PHANANH_CITY" {
			return cityEnv
		}
		return ""
	}, Stdout: &out, Stderr: &out}
	err := run(t.Context(), append([]string{"city"}, args...), env)
	return out.String(), err
}

func TestCityCheck(t *testing.T) {
	out, err := runCityCmd(t, "", "check")
	if err != nil || !strings.Contains(out, "hợp lệ") || !strings.Contains(out, "16 phường/xã") {
		t.Fatalf("embedded demo: %v\n%s", err, out)
	}
	reform := filepath.Join("..", "..", "city", "testdata", "reform2025.yaml")
	if out, err := runCityCmd(t, reform, "check"); err != nil || !strings.Contains(out, reform) {
		t.Fatalf("PHANANH_CITY=%s: %v\n%s", reform, err, out)
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	yaml, err := os.ReadFile(reform)
	if err != nil {
		t.Fatal(err)
	}
	// Two faults at once: a ward id used twice and a rule naming a unit
	// that does not exist. Both must be reported.
	broken := strings.Replace(string(yaml), "  - id: phu_lam\n", "  - id: binh_kien\n", 1)
	broken = strings.Replace(broken, "unit: moi_truong", "unit: cong_ty_khong_co", 1)
	if broken == string(yaml) {
		t.Fatal("the fixture edits did not apply")
	}
	if err := os.WriteFile(bad, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = runCityCmd(t, "", "check", bad)
	if err == nil || !strings.Contains(err.Error(), "binh_kien") || !strings.Contains(err.Error(), "cong_ty_khong_co") {
		t.Fatalf("broken file: %v, want both faults named", err)
	}
}

func TestCityRoutes(t *testing.T) {
	out, err := runCityCmd(t, "", "routes")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"rac_thai — Rác thải",
		"Committee): binh_ngoc", // the demo's one exception for garbage: Bình Ngọc collects its own
		"UBND của chính phường/xã đó",
		"chờ phân loại (triage)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("routes lack %q:\n%s", want, out)
		}
	}
	if _, err := runCityCmd(t, "", "route"); !errors.Is(err, errUsage) {
		t.Errorf("unknown action: %v, want a usage error", err)
	}
}
