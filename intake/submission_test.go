package intake

import "testing"

func TestNormalizePhone(t *testing.T) {
	tests := map[string]string{
		"0905123456":       "0905123456",
		"0905 123 456":     "0905123456",
		"090.512.3456":     "0905123456",
		"+84 905 123 456":  "0905123456",
		"84905123456":      "0905123456",
		"(0257) 3823 456":  "02573823456",
		"+1 415 555 0100":  "+14155550100",
		"12345":            "",
		"0005123456":       "",
		"0905-123-456 ext": "",
		"+12":              "",
		"09051234567890":   "",
	}
	for in, want := range tests {
		got, ok := NormalizePhone(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
