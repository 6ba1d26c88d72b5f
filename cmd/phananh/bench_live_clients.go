package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// liveReceipts is what the clients report: each message's seq and arrival
// (unix nanoseconds), and how many connections ended with which close code.
type liveReceipts struct {
	Connected int            `json:"connected"`
	Failed    int            `json:"failed"`
	Closes    map[string]int `json:"closes"`
	Received  [][2]int64     `json:"received"`
}

// liveClients is a running set of clients, in a child process or here.
type liveClients struct {
	failed  int
	results func() (*liveReceipts, error)
	stop    func()
}

// startLiveClients connects the clients and returns once they are all
// connected (or failed to).
func startLiveClients(ctx context.Context, env *Env, b liveBench, addr string) (*liveClients, error) {
	if b.inProcess {
		c := dialLiveClients(ctx, addr, b)
		var once sync.Once
		stop := func() { once.Do(c.close) }
		return &liveClients{failed: c.rec.Failed, stop: stop, results: func() (*liveReceipts, error) {
			stop()
			return &c.rec, nil
		}}, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "bench", "live", "-role=client", "-addr="+addr,
		"-clients="+strconv.Itoa(b.clients), "-reports="+strconv.Itoa(b.reports))
	cmd.Stderr = env.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	out := bufio.NewReader(stdout)
	var ready liveReceipts
	line, err := out.ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &ready)
	}
	if err != nil {
		stdin.Close()
		_ = cmd.Wait()
		return nil, fmt.Errorf("bench live: client process: %w", err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { stdin.Close(); _ = cmd.Wait() }) }
	return &liveClients{failed: ready.Failed, stop: stop, results: func() (*liveReceipts, error) {
		stdin.Close() // tells the child to report
		var rec liveReceipts
		err := json.NewDecoder(out).Decode(&rec)
		stop()
		return &rec, err
	}}, nil
}

// runLiveChild is the client process: it connects, prints one JSON line
// when ready, and prints the receipts when its stdin closes.
func runLiveChild(ctx context.Context, env *Env, b liveBench) error {
	c := dialLiveClients(ctx, b.addr, b)
	enc := json.NewEncoder(env.Stdout)
	if err := enc.Encode(liveReceipts{Connected: c.rec.Connected, Failed: c.rec.Failed}); err != nil {
		c.close()
		return err
	}
	_, _ = io.Copy(io.Discard, env.Stdin)
	c.close()
	return enc.Encode(&c.rec)
}

// clientSet is the clients themselves: one reader goroutine each.
type clientSet struct {
	mu    sync.Mutex
	rec   liveReceipts
	conns []*websocket.Conn
	wg    sync.WaitGroup
}

func dialLiveClients(ctx context.Context, addr string, b liveBench) *clientSet {
	c := &clientSet{rec: liveReceipts{Closes: map[string]int{}}}
	d := websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 256, HandshakeTimeout: 30 * time.Second}
	next := make(chan int)
	var dialers sync.WaitGroup
	for w := 0; w < 32; w++ {
		dialers.Add(1)
		go func() {
			defer dialers.Done()
			for i := range next {
				c.dialOne(ctx, &d, fmt.Sprintf("ws://%s/r/B%05d", addr, i%b.reports))
			}
		}()
	}
	for i := 0; i < b.clients; i++ {
		next <- i
	}
	close(next)
	dialers.Wait()
	return c
}

func (c *clientSet) dialOne(ctx context.Context, d *websocket.Dialer, url string) {
	var ws *websocket.Conn
	var err error
	for try := 0; try < 3; try++ {
		if ws, _, err = d.DialContext(ctx, url, nil); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.rec.Failed++
		return
	}
	c.rec.Connected++
	c.conns = append(c.conns, ws)
	c.wg.Add(1)
	go c.read(ws)
}

// read records the arrival of every event message until the connection ends.
func (c *clientSet) read(ws *websocket.Conn) {
	defer c.wg.Done()
	var got [][2]int64
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			c.mu.Lock()
			c.rec.Received = append(c.rec.Received, got...)
			if ce, ok := err.(*websocket.CloseError); ok { // closed by the server
				c.rec.Closes[strconv.Itoa(ce.Code)]++
			}
			c.mu.Unlock()
			return
		}
		now := time.Now().UnixNano()
		var m struct {
			Seq int64 `json:"seq"`
		}
		if json.Unmarshal(data, &m) == nil && m.Seq > 0 {
			got = append(got, [2]int64{m.Seq, now})
		}
	}
}

func (c *clientSet) close() {
	c.mu.Lock()
	conns := c.conns
	c.mu.Unlock()
	for _, ws := range conns {
		_ = ws.Close()
	}
	c.wg.Wait()
}
