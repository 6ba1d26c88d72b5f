package live

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// wsConn is one websocket client of a Streamer. Its reader goroutine lives
// as long as the connection; its writer goroutine is started by kick when
// messages are queued and exits when the queue is empty.
type wsConn struct {
	s      *Streamer
	ws     *websocket.Conn
	sub    *Subscription
	client string // what the connection is counted under (MaxPerClient)
	last   int64  // highest sequence written; only the current writer touches it
	// expires is when the connection must re-authenticate (MaxAge).
	expires time.Time

	mu      sync.Mutex
	live    bool // replay done; kick may start the writer
	writing bool
	closed  bool
	ping    *time.Timer
}

// start writes the hello and the replay, then lets live messages flow.
func (c *wsConn) start(ctx context.Context, t Topic, since, head int64) error {
	if err := c.write(marshalHello(head)); err != nil {
		return err
	}
	if since >= 0 {
		if err := c.replay(ctx, t, since, head); err != nil {
			if !errors.Is(err, errTooFarBehind) {
				c.s.opts.Logger.Warn("live: replay failed", "error", err, "topic_kind", topicKind(t.Key))
			}
			return err
		}
	}
	c.mu.Lock()
	c.live = true
	c.ping = time.AfterFunc(c.s.opts.PingInterval, c.sendPing)
	c.mu.Unlock()
	c.kick()
	return nil
}

// topicKind is the part of a topic key before the id, safe to log.
func topicKind(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] == ':' {
			return key[:i]
		}
	}
	return key
}

// kick starts the writer unless it runs already. The hub calls it after
// each queued message; it never blocks.
func (c *wsConn) kick() {
	c.mu.Lock()
	if !c.live || c.writing || c.closed {
		c.mu.Unlock()
		return
	}
	c.writing = true
	c.mu.Unlock()
	go c.flush()
}

// flush writes queued messages until the queue is empty, then exits.
func (c *wsConn) flush() {
	var msgs []*Message
	for {
		var err error
		msgs, err = c.sub.Take(msgs[:0])
		if err != nil {
			c.end(err)
			return
		}
		for _, m := range msgs {
			if m.Seq <= c.last {
				continue // already sent by the replay
			}
			if err := c.write(m.Data); err != nil {
				c.close()
				return
			}
			c.last = m.Seq
		}
		if len(msgs) > 0 {
			continue
		}
		if !c.idle() {
			return
		}
	}
}

// idle gives up the writer role; it reports whether work arrived meanwhile
// and the caller has taken the role back.
func (c *wsConn) idle() (again bool) {
	c.mu.Lock()
	c.writing = false
	c.mu.Unlock()
	if !c.sub.pending() {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writing || c.closed {
		return false
	}
	c.writing = true
	return true
}

func (c *wsConn) write(data []byte) error {
	if err := c.ws.SetWriteDeadline(time.Now().Add(c.s.opts.WriteTimeout)); err != nil {
		return err
	}
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

func (c *wsConn) sendPing() {
	if time.Now().After(c.expires) {
		c.end(errExpired)
		return
	}
	if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.s.opts.WriteTimeout)); err != nil {
		c.close()
		return
	}
	c.mu.Lock()
	if !c.closed {
		c.ping.Reset(c.s.opts.PingInterval)
	}
	c.mu.Unlock()
}

// read discards what the client sends and notices pongs and disconnects.
func (c *wsConn) read() {
	defer c.s.wg.Done()
	defer c.close()
	pongWait := c.s.opts.PongWait
	c.ws.SetReadLimit(c.s.opts.ReadLimit)
	_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(pongWait))
	})
	for {
		if _, _, err := c.ws.NextReader(); err != nil {
			return
		}
	}
}

// end sends the close frame that tells the client what to do, then closes.
func (c *wsConn) end(err error) {
	_ = c.ws.WriteControl(websocket.CloseMessage, closeFrame(err), time.Now().Add(time.Second))
	c.close()
}

// close releases the connection once.
func (c *wsConn) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	if c.ping != nil {
		c.ping.Stop()
	}
	c.mu.Unlock()
	c.sub.Close()
	_ = c.ws.Close()
	c.s.untrack(c)
	c.s.release(c.client)
}
