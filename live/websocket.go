package live

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"phananh/feedback"
)

// Close codes a websocket client acts on, besides the standard ones (1001
// going away: the instance is stopping; reconnect elsewhere with since).
const (
	// CloseResume means the client fell behind: reconnect at once with
	// since=<seq of the last event received>.
	CloseResume = 4008
	// CloseReload means since is too far back to replay: reload the state
	// over the JSON API, then connect with since=<head of that snapshot>.
	CloseReload = 4009
)

// StreamOptions tunes a Streamer; zero fields take the defaults.
type StreamOptions struct {
	// BaseURL is PHANANH_BASE_URL; browsers may only connect from it and
	// from AllowedOrigins. With neither, the Origin host must equal Host.
	BaseURL        string
	AllowedOrigins []string
	PingInterval   time.Duration // default 25s
	PongWait       time.Duration // default 60s: no pong for this long closes
	WriteTimeout   time.Duration // default 10s per message
	ReadLimit      int64         // default 512 bytes; clients only send control frames
	// MaxReplay caps the events read from the store to resume one client
	// (default 10,000); beyond it the client gets CloseReload.
	MaxReplay int
	// MaxAge ends a connection with CloseResume after this long (default
	// 10m), so that a staff client re-authenticates: a revoked session or a
	// changed role stops receiving events within MaxAge plus PingInterval.
	MaxAge time.Duration
	// MaxPerClient caps the open connections of one client (WithClient);
	// more are refused with ERATELIMIT before the upgrade. Zero means no
	// cap: every connection holds a goroutine and a hub subscription, so
	// public deployments should set one.
	MaxPerClient int
	Logger       *slog.Logger
}

func (o *StreamOptions) defaults() {
	if o.PingInterval <= 0 {
		o.PingInterval = 25 * time.Second
	}
	if o.PongWait <= 0 {
		o.PongWait = 60 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.ReadLimit <= 0 {
		o.ReadLimit = 512
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 10 * time.Minute
	}
	if o.MaxReplay <= 0 {
		o.MaxReplay = 10000
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Streamer serves hub topics over websockets. Each connection holds one
// goroutine (its reader) while idle; a writer goroutine exists only while
// there is something to send, and buffers come from a shared pool, which
// keeps an idle connection to a few kilobytes.
type Streamer struct {
	hub     *Hub
	opts    StreamOptions
	up      websocket.Upgrader
	origins map[string]bool

	wg        sync.WaitGroup // reader goroutines
	mu        sync.Mutex
	conns     map[*wsConn]struct{}
	perClient map[string]int // open or opening connections by client
}

// NewStreamer returns a Streamer for the hub's topics.
func NewStreamer(hub *Hub, opts StreamOptions) *Streamer {
	opts.defaults()
	s := &Streamer{hub: hub, opts: opts, origins: map[string]bool{}, conns: map[*wsConn]struct{}{}, perClient: map[string]int{}}
	for _, o := range append([]string{opts.BaseURL}, opts.AllowedOrigins...) {
		if k := originKey(o); k != "" {
			s.origins[k] = true
		}
	}
	s.up = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   256,
		WriteBufferSize:  1024,
		WriteBufferPool:  &sync.Pool{},
		CheckOrigin:      s.CheckOrigin,
	}
	return s
}

// originKey normalises an origin or base URL to "scheme://host[:port]".
func originKey(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// CheckOrigin reports whether a browser on r's Origin may connect. Requests
// without an Origin header (not from a browser) are allowed; they carry no
// ambient credentials a page could abuse.
func (s *Streamer) CheckOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	if len(s.origins) == 0 {
		u, err := url.Parse(o)
		return err == nil && strings.EqualFold(u.Host, r.Host)
	}
	return s.origins[originKey(o)]
}

// hello is the first message on every connection: head is the hub position
// the stream starts after, the since to use when reconnecting before any
// event arrived.
type hello struct {
	Type string `json:"type"`
	Head int64  `json:"head"`
}

// Serve upgrades the request and streams topic: first, when since >= 0,
// every matching event after since from the store, then live events, with no
// gap and no duplicate. It returns an error only when nothing was written
// yet (EFORBIDDEN origin, EUNAVAILABLE hub), for the caller to render; once
// upgraded it returns nil and the connection lives on without the calling
// goroutine.
func (s *Streamer) Serve(w http.ResponseWriter, r *http.Request, t Topic, since int64) error {
	if !s.CheckOrigin(r) {
		return feedback.Errorf(feedback.EFORBIDDEN, "Không cho phép kết nối từ trang web khác.", "Origin not allowed.")
	}
	client := clientOf(r)
	if !s.admit(client) {
		return errTooManyConnections()
	}
	c := &wsConn{s: s, client: client, last: since, expires: time.Now().Add(s.opts.MaxAge)}
	sctx, cancel := context.WithTimeout(r.Context(), 5*time.Second) // a hub that never started
	sub, head, err := s.hub.Subscribe(sctx, t, c.kick)
	cancel()
	if err != nil {
		s.release(client)
		return &feedback.Error{Code: feedback.EUNAVAILABLE, Message: "Dịch vụ cập nhật trực tiếp tạm ngừng.", MessageEN: "Live updates are unavailable.", Err: err}
	}
	c.sub = sub
	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		sub.Close()
		s.release(client)
		return nil // the upgrader has answered
	}
	c.ws = ws
	if !s.track(c) {
		c.end(ErrHubStopped)
		return nil
	}
	if err := c.start(r.Context(), t, since, head); err != nil {
		c.end(err)
		s.wg.Done()
		return nil
	}
	go c.read()
	return nil
}

func (s *Streamer) track(c *wsConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1) // under mu, so never concurrent with Close's Wait at zero
	return true
}

func (s *Streamer) untrack(c *wsConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}

// Connections returns the number of open websocket connections.
func (s *Streamer) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Close closes every connection with 1001 going away, refuses new ones and
// waits for their goroutines to end.
func (s *Streamer) Close() {
	s.mu.Lock()
	conns := s.conns
	s.conns = nil
	s.mu.Unlock()
	for c := range conns {
		c.end(ErrHubStopped)
	}
	s.wg.Wait()
}

// errExpired ends a connection older than MaxAge.
var errExpired = errors.New("live: connection reached its maximum age")

// errTooFarBehind ends a resume that would read more than MaxReplay events.
var errTooFarBehind = errors.New("live: since is too far behind to replay")

// closeFrame returns the close message a client sees for why its stream ended.
func closeFrame(err error) []byte {
	switch {
	case errors.Is(err, ErrSlowSubscriber), errors.Is(err, errExpired):
		return websocket.FormatCloseMessage(CloseResume, "resume from seq")
	case errors.Is(err, errTooFarBehind):
		return websocket.FormatCloseMessage(CloseReload, "reload")
	case errors.Is(err, ErrHubStopped):
		return websocket.FormatCloseMessage(websocket.CloseGoingAway, "server stopping")
	case errors.Is(err, ErrClosed), err == nil:
		return websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	}
	return websocket.FormatCloseMessage(websocket.CloseInternalServerErr, "internal error")
}

// replay writes the events of t in (since, head] from the store. Events
// after head come through the subscription, which was registered at head.
func (c *wsConn) replay(ctx context.Context, t Topic, since, head int64) error {
	f := t.replay
	f.AfterSeq, f.Limit = since, 500
	read := 0
	for f.AfterSeq < head {
		evs, err := c.s.hub.store.Events(ctx, f)
		if err != nil || len(evs) == 0 {
			return err
		}
		for _, e := range evs {
			if e.Seq > head {
				return nil
			}
			f.AfterSeq = e.Seq
			if !t.Match(e) {
				continue
			}
			m, err := encode(e, t.Public())
			if err != nil {
				return err
			}
			if err := c.write(m.Data); err != nil {
				return err
			}
			c.last = e.Seq
		}
		if read += len(evs); read > c.s.opts.MaxReplay {
			return errTooFarBehind
		}
	}
	return nil
}

func marshalHello(head int64) []byte {
	b, _ := json.Marshal(hello{Type: "hello", Head: head})
	return b
}
