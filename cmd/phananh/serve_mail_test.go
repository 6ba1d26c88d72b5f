package main

import (
	"context"
	"log/slog"
	"testing"

	"phananh/city"
	"phananh/intake"
	"phananh/store/sqlite"
)

func TestMailWorkersFollowConfig(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := city.Demo()
	in := intake.New(intake.Deps{Store: st, City: c})
	log := slog.New(slog.DiscardHandler)
	cases := []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{}, nil},
		{map[string]string{"PHANANH_SMTP_ADDR": "127.0.0.1:25", "PHANANH_SMTP_FROM": "Hòm thư <phananh@example.vn>"}, []string{"mail-notifier"}},
		{map[string]string{"PHANANH_SMTP_ADDR": "127.0.0.1:25", "PHANANH_SMTP_FROM": "phananh@example.vn",
			"PHANANH_IMAP_ADDR": "127.0.0.1:993", "PHANANH_IMAP_USER": "chutich@example.vn"}, []string{"mail-notifier", "mailbox"}},
	}
	for _, tc := range cases {
		cfg, err := loadConfig(func(k string) string { return tc.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		m, ws, err := mailWorkers(cfg, st, c, in, log)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, w := range ws {
			names = append(names, w.name)
		}
		if len(names) != len(tc.want) || (len(names) > 0 && names[len(names)-1] != tc.want[len(tc.want)-1]) {
			t.Errorf("env %v: workers %v, want %v", tc.env, names, tc.want)
		}
		if tc.env["PHANANH_SMTP_FROM"] != "" && m.ownAddress() != "phananh@example.vn" {
			t.Errorf("own address %q", m.ownAddress())
		}
	}
}
