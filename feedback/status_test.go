package feedback

import "testing"

func TestCanTransition(t *testing.T) {
	allowed := map[[2]Status]bool{
		{StatusReceived, StatusTriage}:     true,
		{StatusReceived, StatusAssigned}:   true,
		{StatusTriage, StatusAssigned}:     true,
		{StatusTriage, StatusRejected}:     true,
		{StatusAssigned, StatusInProgress}: true,
		{StatusAssigned, StatusAssigned}:   true,
		{StatusAssigned, StatusRejected}:   true,
		{StatusInProgress, StatusResolved}: true,
		{StatusInProgress, StatusAssigned}: true,
		{StatusResolved, StatusClosed}:     true,
		{StatusResolved, StatusInProgress}: true,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			want := allowed[[2]Status{from, to}]
			if got := CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
	for _, s := range []Status{StatusClosed, StatusRejected} {
		if !s.Final() {
			t.Errorf("%s should be final", s)
		}
	}
}

func TestNeedsReason(t *testing.T) {
	tests := []struct {
		from, to Status
		want     bool
	}{
		{StatusAssigned, StatusAssigned, true},
		{StatusInProgress, StatusAssigned, true},
		{StatusResolved, StatusInProgress, true},
		{StatusTriage, StatusRejected, true},
		{StatusReceived, StatusAssigned, false},
		{StatusAssigned, StatusInProgress, false},
		{StatusInProgress, StatusResolved, false},
	}
	for _, tt := range tests {
		if got := NeedsReason(tt.from, tt.to); got != tt.want {
			t.Errorf("NeedsReason(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestStatusLabels(t *testing.T) {
	if got := StatusInProgress.Label(); got != "Đang xử lý" {
		t.Errorf("label = %q", got)
	}
	for _, s := range Statuses {
		if s.Label() == "" || s.LabelEN() == "" {
			t.Errorf("%s has no label", s)
		}
	}
}

func TestNormalizeCode(t *testing.T) {
	tests := map[string]string{
		"ab12-cd34":  "AB12CD34",
		" o1li 2345": "0111" + "2345",
		"AB12CD3":    "",
		"AB12CD3U":   "",
		"AB12CD345":  "",
	}
	for in, want := range tests {
		if got := NormalizeCode(in); got != want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		c := NewCode()
		if NormalizeCode(c) != c {
			t.Fatalf("NewCode() = %q does not normalise to itself", c)
		}
		seen[c] = true
	}
	if len(seen) < 999 {
		t.Errorf("codes repeat: %d unique of 1000", len(seen))
	}
}
