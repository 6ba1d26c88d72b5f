package bot

import (
	"context"
	"testing"
)

// BenchmarkHandleUpdate measures one update end to end: two claims in
// SQLite, the draft look-up, and the reply over HTTP to the fake Bot API.
func BenchmarkHandleUpdate(b *testing.B) {
	e := mustEnv(b)
	api, files := e.fake.endpoints()
	tg, err := Connect(context.Background(), fakeToken, api, files, nil)
	if err != nil {
		b.Fatal(err)
	}
	bot := New(Deps{API: tg, Store: e.store, Intake: e.intake, City: e.city})
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		u := e.user(int64(10000+i), "vi") // a chat each: no per-chat limit
		m := u.message()
		m.Text = "xin chào"
		if err := bot.HandleUpdate(ctx, update(m)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFileReport measures a whole filing conversation through
// HandleUpdate: menu, description, address, phone skip, send.
func BenchmarkFileReport(b *testing.B) {
	e := mustEnv(b)
	api, files := e.fake.endpoints()
	tg, err := Connect(context.Background(), fakeToken, api, files, nil)
	if err != nil {
		b.Fatal(err)
	}
	bot := New(Deps{API: tg, Store: e.store, Intake: e.intake, City: e.city, Classifier: e.cls})
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		u := e.user(int64(20000+i), "vi")
		for _, text := range []string{"/phananh", garbageText, "12 Lê Lợi, phường 4", "Bỏ qua"} {
			m := u.message()
			m.Text = text
			if err := bot.HandleUpdate(ctx, update(m)); err != nil {
				b.Fatal(err)
			}
		}
		d, ok, err := bot.loadDraft(ctx, u.chat)
		if err != nil || !ok || d.Step != stepConfirm {
			b.Fatalf("draft not ready: %+v %v", d, err)
		}
		if err := bot.submit(ctx, u.chat, d, d.SummaryMsg); err != nil {
			b.Fatal(err)
		}
	}
}
