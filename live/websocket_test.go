package live

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"phananh/feedback"
)

// serveReports serves ReportTopic(?code) with ?since, as server/live.go does.
func serveReports(t *testing.T, st *Streamer) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		since := int64(-1)
		if s := r.URL.Query().Get("since"); s != "" {
			since, _ = strconv.ParseInt(s, 10, 64)
		}
		code := r.URL.Query().Get("code")
		if err := st.Serve(w, r, ReportTopic(code, "id-"+code), since); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
		}
	}))
	t.Cleanup(func() { st.Close(); srv.Close() })
	return srv
}

func dial(t *testing.T, srv *httptest.Server, query string, hdr http.Header) *websocket.Conn {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/?"+query, hdr)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", query, err, status)
	}
	return ws
}

// readMsg reads one JSON message.
func readMsg(t *testing.T, ws *websocket.Conn) map[string]any {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var v map[string]any
	if err := ws.ReadJSON(&v); err != nil {
		t.Fatalf("read: %v", err)
	}
	return v
}

func seqOf(v map[string]any) int64 { n, _ := v["seq"].(float64); return int64(n) }

// TestResumeMissesNothingWhilePublishing reconnects a client again and
// again with since=<last seq> while events are being committed, and checks
// it received every public event of its report exactly once, in order.
func TestResumeMissesNothingWhilePublishing(t *testing.T) {
	store := mustOpenStore(t, "")
	hub := mustRunHub(t, store, HubOptions{PollInterval: 30 * time.Millisecond})
	srv := serveReports(t, NewStreamer(hub, StreamOptions{}))

	const total = 300
	published := make(chan struct{})
	go func() {
		defer close(published)
		for i := 0; i < total; i++ {
			code := []string{"AAA", "AAA", "BBB"}[i%3]
			mustAppend(t, store, hub, reportEvent(code, i%4 != 0, "e"+strconv.Itoa(i)))
			time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
		}
	}()

	var got []int64
	last := int64(0)
	for round := 0; ; round++ {
		ws := dial(t, srv, "code=AAA&since="+strconv.FormatInt(last, 10), nil)
		if hello := readMsg(t, ws); hello["type"] != "hello" {
			t.Fatalf("first message %v, want hello", hello)
		}
		n := rand.IntN(15) + 1
		finished := false
		select {
		case <-published:
			// Everything is committed: read exactly what is missing.
			want, _ := store.Events(context.Background(), feedback.EventFilter{ReportID: "id-AAA", PublicOnly: true, Limit: 1000})
			n, finished = len(want)-len(got), true
		default:
		}
		if finished {
			_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		}
		for ; n > 0; n-- {
			if !finished { // the publisher may stop before n more arrive
				_ = ws.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			}
			var v map[string]any
			if err := ws.ReadJSON(&v); err != nil {
				if finished {
					t.Fatalf("read: %v (received %d, last seq %d)", err, len(got), last)
				}
				break
			}
			got = append(got, seqOf(v))
			last = seqOf(v)
		}
		ws.Close()
		time.Sleep(time.Duration(rand.IntN(5000)) * time.Microsecond) // let events commit while away
		if finished {
			t.Logf("%d reconnects", round)
			break
		}
	}
	want, _ := store.Events(context.Background(), feedback.EventFilter{ReportID: "id-AAA", PublicOnly: true, Limit: 1000})
	if len(got) != len(want) {
		t.Fatalf("received %d events, store has %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i].Seq {
			t.Fatalf("event %d: got seq %d, want %d (gap or duplicate)", i, got[i], want[i].Seq)
		}
	}
}

func TestEventWrittenOnOneInstanceReachesClientOnAnother(t *testing.T) {
	dir := t.TempDir()
	storeA, storeB := mustOpenStore(t, dir), mustOpenStore(t, dir)
	hubA := mustRunHub(t, storeA, HubOptions{PollInterval: 50 * time.Millisecond})
	hubB := mustRunHub(t, storeB, HubOptions{PollInterval: 50 * time.Millisecond})
	srvB := serveReports(t, NewStreamer(hubB, StreamOptions{}))

	ws := dial(t, srvB, "code=AAA", nil)
	defer ws.Close()
	readMsg(t, ws) // hello
	evs := mustAppend(t, storeA, hubA, reportEvent("AAA", true, "Đang xử lý"))
	got := readMsg(t, ws)
	if seqOf(got) != evs[0].Seq || got["text"] != "Đang xử lý" {
		t.Fatalf("client on B got %v, want seq %d from A", got, evs[0].Seq)
	}
	evs = mustAppend(t, storeB, hubB, reportEvent("AAA", true, "from B"))
	if got := readMsg(t, ws); seqOf(got) != evs[0].Seq {
		t.Fatalf("client on B got %v, want seq %d from B", got, evs[0].Seq)
	}
}

func TestOriginCheck(t *testing.T) {
	hub := mustRunHub(t, mustOpenStore(t, ""), HubOptions{})
	srv := serveReports(t, NewStreamer(hub, StreamOptions{
		BaseURL: "https://phananh.example.vn", AllowedOrigins: []string{"http://localhost:5173"},
	}))
	for origin, ok := range map[string]bool{
		"":                           true,
		"https://phananh.example.vn": true,
		"https://PHANANH.example.vn": true,
		"http://localhost:5173":      true,
		"https://evil.example":       false,
		"http://phananh.example.vn":  false,
	} {
		hdr := http.Header{}
		if origin != "" {
			hdr.Set("Origin", origin)
		}
		ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/?code=AAA", hdr)
		if ok && err != nil {
			t.Errorf("origin %q refused: %v", origin, err)
		}
		if !ok && (err == nil || resp == nil || resp.StatusCode != http.StatusForbidden) {
			t.Errorf("origin %q: err %v, want 403 before upgrade", origin, err)
		}
		if ws != nil {
			ws.Close()
		}
	}
}

func TestDeadAndOversizedClientsAreDropped(t *testing.T) {
	hub := mustRunHub(t, mustOpenStore(t, ""), HubOptions{})
	st := NewStreamer(hub, StreamOptions{PingInterval: 20 * time.Millisecond, PongWait: 150 * time.Millisecond})
	srv := serveReports(t, st)

	alive := dial(t, srv, "code=AAA", nil)
	defer alive.Close()
	go func() { // reading answers pings
		for {
			if _, _, err := alive.NextReader(); err != nil {
				return
			}
		}
	}()
	silent := dial(t, srv, "code=AAA", nil) // never reads, so never pongs
	defer silent.Close()
	waitFor(t, "two connections", func() bool { return st.Connections() == 2 })
	waitFor(t, "the silent client dropped", func() bool { return st.Connections() == 1 })
	time.Sleep(400 * time.Millisecond)
	if n := st.Connections(); n != 1 {
		t.Fatalf("connections = %d, want the ponging client kept", n)
	}
	_ = alive.WriteMessage(websocket.TextMessage, make([]byte, 4096))
	waitFor(t, "the oversized client dropped", func() bool { return st.Connections() == 0 })
}

func TestHelloCarriesHead(t *testing.T) {
	store := mustOpenStore(t, "")
	evs := mustAppend(t, store, nil, reportEvent("AAA", true, "before"))
	hub := mustRunHub(t, store, HubOptions{})
	ws := dial(t, serveReports(t, NewStreamer(hub, StreamOptions{})), "code=AAA", nil)
	defer ws.Close()
	var h hello
	_ = json.Unmarshal(mustRaw(t, ws), &h)
	if h.Type != "hello" || h.Head != evs[0].Seq {
		t.Fatalf("hello = %+v, want head %d", h, evs[0].Seq)
	}
}

func mustRaw(t *testing.T, ws *websocket.Conn) []byte {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOldConnectionIsToldToResume(t *testing.T) {
	hub := mustRunHub(t, mustOpenStore(t, ""), HubOptions{})
	srv := serveReports(t, NewStreamer(hub, StreamOptions{PingInterval: 20 * time.Millisecond, MaxAge: 60 * time.Millisecond}))
	ws := dial(t, srv, "code=AAA", nil)
	defer ws.Close()
	readMsg(t, ws) // hello
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != CloseResume {
		t.Fatalf("read = %v, want close %d", err, CloseResume)
	}
}

// TestSlowClientIsToldToResumeAndMissesNothing fills a client's socket and
// queue while it does not read: the server closes it with CloseResume, and
// a reconnect with since=<last seq> delivers the rest.
func TestSlowClientIsToldToResumeAndMissesNothing(t *testing.T) {
	store := mustOpenStore(t, "")
	hub := mustRunHub(t, store, HubOptions{QueueSize: 2})
	srv := serveReports(t, NewStreamer(hub, StreamOptions{}))
	ws := dial(t, srv, "code=AAA&since=0", nil)
	defer ws.Close()
	big := strings.Repeat("rác ", 8<<10)
	var all []feedback.Event
	for i := 0; i < 20; i++ {
		batch := make([]feedback.Event, 10)
		for j := range batch {
			batch[j] = reportEvent("AAA", true, big)
		}
		all = append(all, mustAppend(t, store, hub, batch...)...)
	}
	waitFor(t, "the hub to deliver everything", func() bool { return hub.Position() == all[len(all)-1].Seq })
	var got []int64
	readUntilClose := func(ws *websocket.Conn) error {
		for {
			_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, b, err := ws.ReadMessage()
			if err != nil {
				return err
			}
			var v map[string]any
			_ = json.Unmarshal(b, &v)
			if s := seqOf(v); s > 0 {
				got = append(got, s)
			}
			if len(got) == len(all) {
				return nil
			}
		}
	}
	err := readUntilClose(ws)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != CloseResume {
		t.Fatalf("slow client: %v after %d events, want close %d", err, len(got), CloseResume)
	}
	since := int64(0) // the queue may overflow before the first write
	if len(got) > 0 {
		since = got[len(got)-1]
	}
	ws2 := dial(t, srv, "code=AAA&since="+strconv.FormatInt(since, 10), nil)
	defer ws2.Close()
	if err := readUntilClose(ws2); err != nil {
		t.Fatalf("resumed client: %v after %d of %d events", err, len(got), len(all))
	}
	for i, e := range all {
		if got[i] != e.Seq {
			t.Fatalf("event %d: seq %d, want %d", i, got[i], e.Seq)
		}
	}
}

// TestConnectionsPerClientAreCapped: one client cannot hold more than
// MaxPerClient streams (each costs a goroutine and a subscription); a
// closed one frees its place, and another client is not affected.
func TestConnectionsPerClientAreCapped(t *testing.T) {
	hub := mustRunHub(t, mustOpenStore(t, ""), HubOptions{})
	st := NewStreamer(hub, StreamOptions{MaxPerClient: 2})
	srv := serveReports(t, st)
	a, b := dial(t, srv, "code=AAA", nil), dial(t, srv, "code=BBB", nil)
	defer b.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/?code=CCC"
	if ws, resp, err := websocket.DefaultDialer.Dial(url, nil); err == nil {
		ws.Close()
		t.Fatal("a third stream from the same client was accepted")
	} else if resp == nil || resp.StatusCode == http.StatusSwitchingProtocols {
		t.Fatalf("third stream: %v", err)
	}
	a.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err == nil {
			ws.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed stream did not free its place: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !st.admit("192.0.2.7") {
		t.Fatal("another client was refused")
	}
}
