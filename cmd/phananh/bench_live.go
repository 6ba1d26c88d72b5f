package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

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
	tuneGC(env.Getenv) // as serve runs: memory per connection includes its effect
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
