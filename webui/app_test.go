package webui_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"golang.org/x/time/rate"

	"phananh/auth"
	"phananh/city"
	"phananh/classifier"
	"phananh/desk"
	"phananh/feedback"
	"phananh/intake"
	"phananh/live"
	"phananh/petition"
	"phananh/photo"
	"phananh/server"
	"phananh/store/petitiontest"
	"phananh/store/sqlite"
	"phananh/webui"
)

// testPassword is the password of every test account.
const testPassword = "mật khẩu thử nghiệm 2026"

// app is the whole server as `phananh serve` wires it (SQLite store, local
// classifier, intake, staff desk, sign-in, live hub and websockets, API and
// pages) on a real listener.
type app struct {
	URL    string
	Store  *sqlite.Store
	Intake *intake.Service
	Auth   *auth.Service
	Desk   *desk.Service
	// Petitions is the petition service behind the API and the pages.
	Petitions *petition.Service
	// Mail holds the petition confirmation mails, by recipient.
	Mail *petitiontest.Mailbox
}

func newApp(t testing.TB) *app {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	st, err := sqlite.Open(ctx, t.TempDir(), sqlite.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	c := city.Demo()
	var wards []classifier.Ward
	for _, w := range c.Wards() {
		wards = append(wards, classifier.Ward{ID: w.ID, Name: w.Name, Aliases: w.Aliases})
	}
	cls, err := classifier.NewDefault(wards)
	if err != nil {
		t.Fatal(err)
	}
	hub := live.NewHub(st, live.HubOptions{Logger: quiet})
	done := make(chan error, 1)
	go func() { done <- hub.Run(ctx) }()
	in := intake.New(intake.Deps{Store: st, City: c, Classifier: cls, Publisher: hub, Logger: quiet})
	a, err := auth.New(st, auth.Config{Hash: auth.HashParams{Memory: 1024, Time: 1, Threads: 1}, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	d := desk.New(st, c, desk.Config{Publisher: hub, Clean: photo.Clean, Log: quiet})
	srv, err := server.New(server.Deps{Store: st, Intake: in, City: server.CityDirectory(c), Logger: quiet, PostRate: rate.Inf})
	if err != nil {
		t.Fatal(err)
	}
	srv.MountStaff(server.StaffDeps{Auth: a, Desk: d})
	streamer := live.NewStreamer(hub, live.StreamOptions{Logger: quiet})
	srv.MountLive(streamer, server.LiveAuthenticator(a))
	secret, err := webui.FormSecret(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	ui, err := webui.New(webui.Config{Reports: st, Intake: in, Classifier: cls, City: c, Auth: a, Desk: d, FormSecret: secret,
		TileURL: "http://127.0.0.1:1/{z}/{x}/{y}.png", SessionCookie: server.SessionCookie, CSRFCookie: server.CSRFCookie, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	srv.MountWebUI(ui)
	mb := &petitiontest.Mailbox{}
	pets := petition.New(st, c, petition.Config{Publisher: hub, Mailer: mb, Clean: photo.Clean,
		IPRate: rate.Inf, DomainRate: rate.Inf, Log: quiet})
	srv.MountPetitions(server.PetitionDeps{Service: pets, Auth: a, Streamer: streamer})
	ui.MountPetitions(srv.Engine(), pets)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		streamer.Close()
		cancel()
		<-done
		st.Close()
	})
	return &app{URL: ts.URL, Store: st, Intake: in, Auth: a, Desk: d, Petitions: pets, Mail: mb}
}

// addUser creates a staff account through auth, as `phananh user add` does.
func (a *app) addUser(t testing.TB, name string, role feedback.Role, unit string) *feedback.User {
	t.Helper()
	u, err := a.Auth.AddUser(context.Background(), feedback.Actor{Local: true},
		auth.NewUser{Username: name, Name: name, Role: role, UnitID: unit, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestFormSecretShared(t *testing.T) {
	a := newApp(t)
	s1, err := webui.FormSecret(context.Background(), a.Store)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := webui.FormSecret(context.Background(), a.Store)
	if err != nil || string(s1) != string(s2) || len(s1) != 32 {
		t.Fatalf("second instance got a different secret (%v)", err)
	}
}
