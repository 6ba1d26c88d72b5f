package bot

import (
	"strings"
	"testing"
)

func TestEveryTextInBothLanguages(t *testing.T) {
	for key, m := range messages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("%s: missing a language", key)
		}
		if vi, en := strings.Count(m[0], "%"), strings.Count(m[1], "%"); vi != en {
			t.Errorf("%s: %d verbs in Vietnamese, %d in English", key, vi, en)
		}
	}
}

func TestLanguageFromTelegram(t *testing.T) {
	for code, want := range map[string]string{"": langVI, "vi": langVI, "en": langEN, "en-US": langEN, "EN": langEN, "fr": langVI, "ru": langVI} {
		if got := langOf(code); got != want {
			t.Errorf("langOf(%q) = %s, want %s", code, got, want)
		}
	}
}

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct{ text, cmd, arg string }{
		{"/start", "start", ""},
		{"/TrangThai  7K3M9Q2X ", "trangthai", "7K3M9Q2X"},
		{"/status@phananh_bot 7k3m9q2x", "status", "7k3m9q2x"},
		{"rác ở /đây", "", ""},
		{"", "", ""},
	} {
		if cmd, arg := parseCommand(tc.text); cmd != tc.cmd || arg != tc.arg {
			t.Errorf("parseCommand(%q) = %q, %q", tc.text, cmd, arg)
		}
	}
}

func TestParseClosureButtons(t *testing.T) {
	for _, tc := range []struct {
		data, action, code string
		score              int
	}{
		{"r:ok:7K3M9Q2X", cbConfirm, "7K3M9Q2X", 0},
		{"r:no:7K3M9Q2X", cbReopen, "7K3M9Q2X", 0},
		{"r:rate:7K3M9Q2X:5", cbRate, "7K3M9Q2X", 5},
		{"r:rate:7K3M9Q2X:6", "", "", 0},
		{"r:rate:7K3M9Q2X", "", "", 0},
		{"r:ok:'; DROP TABLE", "", "", 0},
		{"r:zz:7K3M9Q2X", "", "", 0},
	} {
		a, c, s := parseClosure(tc.data)
		if a != tc.action || c != tc.code || s != tc.score {
			t.Errorf("parseClosure(%q) = %q %q %d", tc.data, a, c, s)
		}
	}
}

func TestSkipWords(t *testing.T) {
	for _, s := range []string{"Bỏ qua", "bo qua", "BỎ QUA", "Skip", "không", "ko"} {
		if !isSkip(s) {
			t.Errorf("%q is a skip", s)
		}
	}
	for _, s := range []string{"0905123456", "bỏ", ""} {
		if isSkip(s) {
			t.Errorf("%q is not a skip", s)
		}
	}
}

func TestCityNoun(t *testing.T) {
	for _, tc := range []struct{ lang, name, want string }{
		{langVI, "Thành phố Tuy Hòa", "thành phố Tuy Hòa"},
		{langEN, "Thành phố Tuy Hòa", "Tuy Hòa"},
		{langVI, "Tuy Hòa", "Tuy Hòa"},
	} {
		if got := cityNoun(tc.lang, tc.name); got != tc.want {
			t.Errorf("cityNoun(%s, %q) = %q", tc.lang, tc.name, got)
		}
	}
}

func TestTruncateKeepsRunes(t *testing.T) {
	if got := truncate("Phường Phú Lâm", 8); got != "Phường …" {
		t.Errorf("got %q", got)
	}
	if got := truncate("ngắn", 10); got != "ngắn" {
		t.Errorf("got %q", got)
	}
}
