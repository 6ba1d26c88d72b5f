// Package mongotest checks the live hub across processes on one MongoDB:
// events committed by one process reach a websocket client connected to
// another, every one of them, once, in sequence order. It runs against
// PHANANH_TEST_MONGO_URI when set, otherwise against an embedded FerretDB,
// which (having no transactions) makes sequence numbers visible out of
// order under concurrent writers: the hub's gap handling is exercised.
package mongotest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/gorilla/websocket"

	"phananh/feedback"
	"phananh/live"
	"phananh/store/mongo"
)

// envWriter makes the test binary act as the writing instance.
const envWriter = "PHANANH_LIVE_TEST_WRITER_URI"

const (
	writers         = 8
	eventsPerWriter = 15
)

func TestMain(m *testing.M) {
	if uri := os.Getenv(envWriter); uri != "" {
		if err := runWriter(uri); err != nil {
			fmt.Fprintln(os.Stderr, "writer:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runWriter is instance A: it commits events from several goroutines at
// once and publishes them to its own hub, as intake would.
func runWriter(uri string) error {
	ctx := context.Background()
	store, err := mongo.Open(ctx, uri)
	if err != nil {
		return err
	}
	defer store.Close()
	hub := live.NewHub(store, live.HubOptions{})
	hctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() { _ = hub.Run(hctx) }()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < eventsPerWriter; i++ {
				out, err := store.AppendEvents(ctx, []feedback.Event{{Type: feedback.EventStatusChanged,
					ReportID: "id-AAA", ReportCode: "AAA", Public: true, Actor: feedback.ActorSystem,
					From: feedback.StatusAssigned, To: feedback.StatusInProgress}})
				if err != nil {
					errs <- err
					return
				}
				hub.Publish(out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// baseURI is a real MongoDB from the environment or an embedded FerretDB.
func baseURI(t *testing.T) string {
	if uri := os.Getenv("PHANANH_TEST_MONGO_URI"); uri != "" {
		return uri
	}
	dir := t.TempDir()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("FerretDB: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = f.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return f.MongoDBURI()
}

// withDatabase puts db in the path of uri, keeping its options.
func withDatabase(uri, db string) string {
	rest, query, _ := strings.Cut(uri, "?")
	scheme, hosts, _ := strings.Cut(rest, "://")
	hosts, _, _ = strings.Cut(hosts, "/")
	if query != "" {
		query = "?" + query
	}
	return scheme + "://" + hosts + "/" + db + query
}

func TestEventsFromAnotherProcessReachWebsocketClient(t *testing.T) {
	uri := withDatabase(baseURI(t), fmt.Sprintf("phananh_live_%d", time.Now().UnixNano()%1e9))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	store, err := mongo.Open(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	hub := live.NewHub(store, live.HubOptions{PollInterval: 50 * time.Millisecond})
	hubDone := make(chan error)
	go func() { hubDone <- hub.Run(ctx) }()
	defer func() { cancel(); <-hubDone }()
	st := live.NewStreamer(hub, live.StreamOptions{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = st.Serve(w, r, live.ReportTopic("AAA", "id-AAA"), 0)
	}))
	defer srv.Close()
	defer st.Close()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()

	writer := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	writer.Env = append(os.Environ(), envWriter+"="+uri)
	writer.Stderr = os.Stderr
	if err := writer.Start(); err != nil {
		t.Fatal(err)
	}
	got := readSeqs(t, ws, writers*eventsPerWriter)
	if err := writer.Wait(); err != nil {
		t.Fatalf("writer process: %v", err)
	}
	want, err := store.Events(ctx, feedback.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != len(got) {
		t.Fatalf("client got %d events, store has %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i].Seq {
			t.Fatalf("event %d: seq %d, want %d (order, gap or duplicate)", i, got[i], want[i].Seq)
		}
	}
}

// readSeqs reads n events (after the hello) and returns their seqs.
func readSeqs(t *testing.T, ws *websocket.Conn, n int) []int64 {
	t.Helper()
	var got []int64
	for len(got) < n {
		_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
		var m struct {
			Type string `json:"type"`
			Seq  int64  `json:"seq"`
		}
		if err := ws.ReadJSON(&m); err != nil {
			t.Fatalf("read after %d events: %v", len(got), err)
		}
		if m.Type != "hello" {
			got = append(got, m.Seq)
		}
	}
	return got
}
