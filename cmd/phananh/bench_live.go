package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"phananh/feedback"
	"phananh/live"
	"phananh/store/sqlite"
)

// liveBench is the configuration of `phananh bench live`.
type liveBench struct {
	clients, reports, rate int
	duration               time.Duration
	inProcess              bool
	role, addr             string
}

// benchLive measures the websocket fan-out: N clients on report topics,
// events committed to a real SQLite store at a steady rate, and the latency
// from commit to client receipt. The clients run in a child process (the
// same binary, -role=client) so that the server's memory per connection
// is measured alone.
func benchLive(ctx context.Context, env *Env, args []string) error {
	fl := flag.NewFlagSet("bench live", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	var b liveBench
	fl.IntVar(&b.clients, "clients", 10000, "websocket clients")
	fl.IntVar(&b.reports, "reports", 1000, "report topics the clients spread over")
	fl.IntVar(&b.rate, "rate", 1000, "events committed per second")
	fl.DurationVar(&b.duration, "duration", 10*time.Second, "how long to publish")
	fl.BoolVar(&b.inProcess, "in-process", false, "run the clients in this process (memory then includes them)")
	fl.StringVar(&b.role, "role", "server", "internal: server, or client for the child process")
	fl.StringVar(&b.addr, "addr", "", "internal: the server address for -role=client")
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if b.clients < 1 || b.reports < 1 || b.rate < 1 {
		return fmt.Errorf("%w: -clients, -reports and -rate must be positive", errUsage)
	}
	raiseFileLimit()
	if b.role == "client" {
		return runLiveChild(ctx, env, b)
	}
	return runLiveBench(ctx, env, b)
}

// raiseFileLimit lifts the soft open-files limit to the hard one: every
// connection is a descriptor.
func raiseFileLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

func runLiveBench(ctx context.Context, env *Env, b liveBench) error {
	dir, err := os.MkdirTemp("", "phananh-bench-live-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, dir, sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	defer store.Close()
	hub := live.NewHub(store, live.HubOptions{})
	hctx, stopHub := context.WithCancel(ctx)
	hubDone := make(chan error, 1)
	go func() { hubDone <- hub.Run(hctx) }()
	defer func() { stopHub(); <-hubDone }()
	st := live.NewStreamer(hub, live.StreamOptions{})
	defer st.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /r/{code}", func(w http.ResponseWriter, r *http.Request) {
		code := r.PathValue("code")
		if err := st.Serve(w, r, live.ReportTopic(code, "id-"+code), -1); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}
	})
	srv, err := startLoopback(mux)
	if err != nil {
		return err
	}
	defer srv.Close()

	where := "a child process"
	if b.inProcess {
		where = "this process (memory figures include them)"
	}
	fmt.Fprintf(env.Stdout, "phananh bench live: %d clients on %d report topics in %s, %d events/s for %s\n",
		b.clients, b.reports, where, b.rate, b.duration)
	base := takeMem()
	cl, err := startLiveClients(ctx, env, b, srv.Addr().String())
	if err != nil {
		return err
	}
	defer cl.stop()
	held := takeMem()
	conns := st.Connections()
	fmt.Fprintf(env.Stdout, "connections held: %d of %d (%d failed to connect)\n", conns, b.clients, cl.failed)
	if conns > 0 {
		fmt.Fprintf(env.Stdout, "server memory per connection: RSS %.1f KB, Go heap+stacks %.1f KB, goroutines %.2f\n",
			kb(held.rss-base.rss)/float64(conns), kb(held.goMem-base.goMem)/float64(conns),
			float64(held.goroutines-base.goroutines)/float64(conns))
	}
	pub := publishLive(ctx, store, hub, b)
	time.Sleep(time.Second) // let the last events arrive
	loaded, still := takeMem(), st.Connections()
	recv, err := cl.results()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "published %d events in %s (%.0f/s, %d failed); connections still held: %d\n",
		len(pub.acks), pub.elapsed.Round(time.Millisecond), float64(len(pub.acks))/pub.elapsed.Seconds(), pub.failed, still)
	if conns > 0 {
		fmt.Fprintf(env.Stdout, "server RSS per connection after the run: %.1f KB\n", kb(loaded.rss-base.rss)/float64(conns))
	}
	printLiveLatency(env.Stdout, b, pub, recv)
	return nil
}

// memSample is the process memory at one moment, after a GC.
type memSample struct {
	rss, goMem uint64
	goroutines int
}

func takeMem() memSample {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSample{rss: readRSS(), goMem: ms.HeapInuse + ms.StackInuse, goroutines: runtime.NumGoroutine()}
}

// readRSS returns VmRSS from /proc/self/status in bytes, 0 if unknown.
func readRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseUint(f[1], 10, 64)
			return n << 10
		}
	}
	return 0
}

func kb(n uint64) float64 { return float64(int64(n)) / 1024 }

// published is what the publisher committed: the commit time of each seq.
type published struct {
	acks    map[int64]time.Time // seq -> AppendEvents returned
	sent    map[int64]time.Time // seq -> just before AppendEvents
	failed  int
	elapsed time.Duration
}

// publishLive commits b.rate events per second for b.duration, one event
// per transaction as intake does, from a pool of writers paced by a clock.
func publishLive(ctx context.Context, store *sqlite.Store, hub *live.Hub, b liveBench) published {
	p := published{acks: map[int64]time.Time{}, sent: map[int64]time.Time{}}
	var mu sync.Mutex
	due := make(chan struct{}, b.rate)
	var wg sync.WaitGroup
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range due {
				e := feedback.Event{Type: feedback.EventStatusChanged, ReportCode: fmt.Sprintf("B%05d", rand.IntN(b.reports)),
					Public: true, Actor: feedback.ActorSystem, From: feedback.StatusAssigned, To: feedback.StatusInProgress}
				t0 := time.Now()
				out, err := store.AppendEvents(ctx, []feedback.Event{e})
				t1 := time.Now()
				mu.Lock()
				if err != nil {
					p.failed++
				} else {
					p.acks[out[0].Seq], p.sent[out[0].Seq] = t1, t0
				}
				mu.Unlock()
				if err == nil {
					hub.Publish(out)
				}
			}
		}()
	}
	start := time.Now()
	tick := time.NewTicker(time.Millisecond)
	for sent := 0; ctx.Err() == nil; {
		now := <-tick.C
		el := now.Sub(start)
		if el >= b.duration {
			break
		}
		for target := int(el.Seconds() * float64(b.rate)); sent < target; sent++ {
			due <- struct{}{}
		}
	}
	tick.Stop()
	close(due)
	wg.Wait()
	p.elapsed = time.Since(start)
	return p
}

// printLiveLatency prints end-to-end latency percentiles. "commit" is when
// AppendEvents returned (the hub may deliver before the writer hears back,
// so those count as 0); "submit" is just before it was called.
func printLiveLatency(w io.Writer, b liveBench, p published, recv *liveReceipts) {
	var fromCommit, fromSubmit []time.Duration
	for _, r := range recv.Received {
		at := time.Unix(0, r[1])
		if ack, ok := p.acks[r[0]]; ok {
			fromCommit = append(fromCommit, max(at.Sub(ack), 0))
			fromSubmit = append(fromSubmit, at.Sub(p.sent[r[0]]))
		}
	}
	slices.Sort(fromCommit)
	slices.Sort(fromSubmit)
	expected := len(p.acks) * b.clients / b.reports
	fmt.Fprintf(w, "messages received: %d (about %d expected); closes by code: %v\n", len(fromCommit), expected, recv.Closes)
	pct := func(d []time.Duration, q float64) float64 {
		if len(d) == 0 {
			return 0
		}
		return ms(d[int(q*float64(len(d)-1))])
	}
	fmt.Fprintf(w, "latency commit->client: p50 %.2f ms  p99 %.2f ms  max %.2f ms\n",
		pct(fromCommit, .5), pct(fromCommit, .99), pct(fromCommit, 1))
	fmt.Fprintf(w, "latency submit->client: p50 %.2f ms  p99 %.2f ms  max %.2f ms\n",
		pct(fromSubmit, .5), pct(fromSubmit, .99), pct(fromSubmit, 1))
}

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
