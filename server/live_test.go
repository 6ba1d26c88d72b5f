package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"phananh/feedback"
	"phananh/live"
)

// liveFixture is the server with its websocket endpoints, a running hub
// and a real listener.
type liveFixture struct {
	*fixture
	hub *live.Hub
	url string // ws://host
}

// fakeSessions authenticates fixed tokens, taken from the request as the
// staff routes take them (bearer header or session cookie).
type fakeSessions map[string]*feedback.User

func (f fakeSessions) Authenticate(r *http.Request) (live.Viewer, error) {
	token, _ := sessionToken(r)
	u, ok := f[token]
	if !ok {
		return live.Viewer{}, feedback.Errorf(feedback.EUNAUTHORIZED, "Phiên đăng nhập đã hết hạn.", "Session expired.")
	}
	return live.Viewer{UserID: u.ID, Role: u.Role, UnitID: u.UnitID}, nil
}

func newLiveFixture(t *testing.T) *liveFixture {
	f := newFixture(t)
	hub := live.NewHub(f.store, live.HubOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- hub.Run(ctx) }()
	st := live.NewStreamer(hub, live.StreamOptions{BaseURL: "https://phananh.example.vn"})
	f.srv.MountLive(st, fakeSessions{
		"officer-tok":    {ID: "u1", Role: feedback.RoleOfficer, UnitID: "moi_truong"},
		"supervisor-tok": {ID: "u2", Role: feedback.RoleSupervisor},
		"unitless-tok":   {ID: "u3", Role: feedback.RoleOfficer},
	})
	ts := httptest.NewServer(f.srv)
	t.Cleanup(func() { st.Close(); cancel(); <-done; ts.Close() })
	return &liveFixture{fixture: f, hub: hub, url: "ws" + strings.TrimPrefix(ts.URL, "http")}
}

func (f *liveFixture) dial(path string, hdr http.Header) (*websocket.Conn, *http.Response, error) {
	return websocket.DefaultDialer.Dial(f.url+path, hdr)
}

// read returns the next message's text, skipping the hello.
func readLive(t *testing.T, ws *websocket.Conn) string {
	t.Helper()
	for {
		_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, b, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if !strings.Contains(string(b), `"type":"hello"`) {
			return string(b)
		}
	}
}

func (f *liveFixture) append(evs ...feedback.Event) {
	f.t.Helper()
	out, err := f.store.AppendEvents(f.t.Context(), evs)
	if err != nil {
		f.t.Fatal(err)
	}
	f.hub.Publish(out)
}

func TestReportLiveReplaysThenStreamsPublicEvents(t *testing.T) {
	f := newLiveFixture(t)
	r := f.seed(privateReport(f.now, true))
	ws, _, err := f.dial("/api/v1/reports/"+r.Code+"/live?since=0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if got := readLive(t, ws); !strings.Contains(got, `"type":"created"`) {
		t.Fatalf("replay: %s, want the created event", got)
	}
	f.append(
		feedback.Event{Type: feedback.EventInternalNote, ReportID: r.ID, ReportCode: r.Code, UnitID: r.Unit,
			Actor: "user:officer-42", Text: "Gọi cho chị Bích theo số 0905123456"},
		feedback.Event{Type: feedback.EventStatusChanged, ReportID: r.ID, ReportCode: r.Code, UnitID: r.Unit,
			Public: true, Actor: "user:officer-42", From: feedback.StatusAssigned, To: feedback.StatusInProgress,
			Data: map[string]string{"assignee": "officer-42"}})
	got := readLive(t, ws)
	if !strings.Contains(got, `"to":"in_progress"`) {
		t.Fatalf("live: %s, want the status change", got)
	}
	assertNoPersonalData(t, got)
}

func TestLiveRefusesBeforeUpgrade(t *testing.T) {
	f := newLiveFixture(t)
	bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
	for _, tc := range []struct {
		path   string
		hdr    http.Header
		status int
	}{
		{"/api/v1/reports/PA-NOPE-0000/live", nil, 404},
		{"/api/v1/reports/x/live?since=-3", nil, 400},
		{"/api/v1/staff/live", nil, 401},
		{"/api/v1/staff/live", bearer("stolen"), 401},
		{"/api/v1/staff/live", bearer("unitless-tok"), 403},
		{"/api/v1/staff/live", http.Header{"Authorization": {"Bearer officer-tok"}, "Origin": {"https://evil.example"}}, 403},
	} {
		ws, resp, err := f.dial(tc.path, tc.hdr)
		if err == nil {
			ws.Close()
			t.Errorf("%s: upgraded, want %d", tc.path, tc.status)
			continue
		}
		if resp == nil || resp.StatusCode != tc.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %v %v, want JSON %d", tc.path, resp.StatusCode, err, tc.status)
		}
	}
}

func TestStaffLiveByRole(t *testing.T) {
	f := newLiveFixture(t)
	officer, _, err := f.dial("/api/v1/staff/live", http.Header{"Cookie": {SessionCookie + "=officer-tok"}})
	if err != nil {
		t.Fatal(err)
	}
	defer officer.Close()
	super, _, err := f.dial("/api/v1/staff/live", http.Header{"Authorization": {"Bearer supervisor-tok"}})
	if err != nil {
		t.Fatal(err)
	}
	defer super.Close()
	f.append(
		feedback.Event{Type: feedback.EventInternalNote, ReportCode: "PA-A", UnitID: "giao_thong", Actor: "system", Text: "other unit"},
		feedback.Event{Type: feedback.EventInternalNote, ReportCode: "PA-B", UnitID: "moi_truong", Actor: "system", Text: "own unit"})
	if got := readLive(t, officer); !strings.Contains(got, "own unit") {
		t.Errorf("officer got %s, want only its unit's event", got)
	}
	if a, b := readLive(t, super), readLive(t, super); !strings.Contains(a, "other unit") || !strings.Contains(b, "own unit") {
		t.Errorf("supervisor got %s then %s, want both", a, b)
	}
}
