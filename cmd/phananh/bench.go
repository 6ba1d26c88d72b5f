package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// runBench is the "bench" subcommand: `phananh bench
// intake|classify|live|seed|stats`.
func runBench(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: phananh bench intake|classify|live|seed|stats [flags]", errUsage)
	}
	switch args[0] {
	case "intake":
		return benchIntake(ctx, env, args[1:])
	case "classify":
		return benchClassify(ctx, env, args[1:])
	case "live":
		return benchLive(ctx, env, args[1:])
	case "seed":
		return benchSeed(ctx, env, args[1:])
	case "stats":
		return benchStats(ctx, env, args[1:])
	}
	return fmt.Errorf("%w: unknown benchmark %q", errUsage, args[0])
}

// benchIntake measures durable report intake over loopback HTTP: the real
// server (middleware, JSON, classifier, routing, SQLite with group commit
// and synchronous=FULL) against a bare gin handler driven by the same
// clients in the same run.
func benchIntake(ctx context.Context, env *Env, args []string) error {
	fl := flag.NewFlagSet("bench intake", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	dur := fl.Duration("duration", 10*time.Second, "how long to drive each server")
	clients := fl.Int("clients", 32, "concurrent keep-alive clients")
	rounds := fl.Int("rounds", 5, "alternate between the servers this many times")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the first intake round to this file")
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *clients < 1 || *rounds < 1 || *dur < time.Duration(*rounds)*100*time.Millisecond {
		return fmt.Errorf("%w: need clients ≥ 1, rounds ≥ 1 and at least 100ms per round", errUsage)
	}
	dir, err := os.MkdirTemp("", "phananh-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	real, err := startBenchApp(ctx, env, dir)
	if err != nil {
		return err
	}
	defer real.close()
	bare, err := startLoopback(bareHandler())
	if err != nil {
		return err
	}
	defer bare.Close()

	fmt.Fprintf(env.Stdout, "phananh bench intake: %d clients, %s per server in %d alternating rounds, data in %s\n",
		*clients, *dur, *rounds, dir)
	ws, _ := real.app.store.(writerStats)
	var tx0, w0 int64
	if ws != nil {
		tx0, w0 = ws.WriterStats()
	}
	got, base, err := alternate(ctx, *rounds, *clients, *dur, benchBodies(4096), *cpuProfile,
		"http://"+real.addr+"/api/v1/reports", "http://"+bare.Addr().String()+"/api/v1/reports")
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, got.line("intake (SQLite, durable)", "reports/s"))
	if ws != nil {
		tx1, w1 := ws.WriterStats()
		fmt.Fprintf(env.Stdout, "%-26s %8.1f writes per transaction (group commit), %d transactions\n",
			"", float64(w1-w0)/float64(max(1, tx1-tx0)), tx1-tx0)
	}
	fmt.Fprintln(env.Stdout, base.line("bare gin handler", "req/s"))
	if base.rate() > 0 {
		fmt.Fprintf(env.Stdout, "ratio: intake is %.1f%% of the bare handler\n", 100*got.rate()/base.rate())
	}
	if got.failed > 0 {
		return fmt.Errorf("bench: %d of %d intake requests failed (first: %s)", got.failed, got.ok+got.failed, got.firstErr)
	}
	return nil
}

// alternate drives the real server and the bare handler in turn, rounds
// times each, so that both meet the same background load on a shared
// machine and the ratio stays meaningful. The CPU profile, when asked for,
// covers the real server's first round only.
func alternate(ctx context.Context, rounds, clients int, d time.Duration, bodies [][]byte, profile, realURL, bareURL string) (got, base loadResult, err error) {
	slice := d / time.Duration(rounds)
	for i := range rounds {
		stop := func() {}
		if i == 0 {
			if stop, err = startCPUProfile(profile); err != nil {
				return got, base, err
			}
		}
		got.merge(drive(ctx, realURL, clients, slice, bodies))
		stop()
		base.merge(drive(ctx, bareURL, clients, slice, bodies))
	}
	slices.Sort(got.latencies)
	slices.Sort(base.latencies)
	return got, base, nil
}

// benchApp is the full application, as `phananh serve` wires it, on a
// loopback port.
type benchApp struct {
	app   *app
	ln    net.Listener
	srv   *http.Server
	addr  string
	close func()
}

func startBenchApp(ctx context.Context, env *Env, dir string) (*benchApp, error) {
	cfg, err := loadConfig(func(k string) string {
		if k == "PHANANH_DATA" {
			return dir
		}
		return env.Getenv(k)
	})
	if err != nil {
		return nil, err
	}
	// The access log is formatted as in production but thrown away, so its
	// cost is measured without flooding the terminal.
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	tuneGC(env.Getenv) // the collector settings serve runs with

	a, err := openApp(ctx, cfg, log, rate.Inf) // one client address: no rate limit
	if err != nil {
		return nil, err
	}
	ln, err := startLoopback(a.server.Handler())
	if err != nil {
		a.close()
		return nil, err
	}
	b := &benchApp{app: a, addr: ln.Addr().String()}
	b.close = func() { ln.Close(); a.close() }
	return b, nil
}

// loopback is an HTTP server on 127.0.0.1 with an ephemeral port.
type loopback struct {
	net.Listener
	srv *http.Server
}

func (l *loopback) Close() error { return l.srv.Close() }

func startLoopback(h http.Handler) (*loopback, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }() // ends when Close closes the listener
	return &loopback{Listener: ln, srv: srv}, nil
}

// bareHandler is the yardstick: gin reading the same body and answering 201.
func bareHandler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.POST("/api/v1/reports", func(c *gin.Context) {
		_, _ = io.Copy(io.Discard, c.Request.Body)
		c.JSON(http.StatusCreated, gin.H{"code": "00000000"})
	})
	return e
}

func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// loadResult is what one drive measured.
type loadResult struct {
	ok, failed int
	firstErr   string
	elapsed    time.Duration
	cpu        time.Duration   // process CPU time (server and clients), 0 when unknown
	latencies  []time.Duration // of successful requests
}

// merge adds another drive's counts; latencies are sorted by the caller.
func (r *loadResult) merge(o loadResult) {
	r.ok += o.ok
	r.failed += o.failed
	r.elapsed += o.elapsed
	r.cpu += o.cpu
	if r.firstErr == "" {
		r.firstErr = o.firstErr
	}
	r.latencies = append(r.latencies, o.latencies...)
}

func (r loadResult) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

func (r loadResult) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[int(p*float64(len(r.latencies)-1))]
}

func (r loadResult) line(name, unit string) string {
	l := fmt.Sprintf("%-26s %8.0f %s  p50 %6.2f ms  p99 %6.2f ms  (%d ok, %d failed)",
		name+":", r.rate(), unit, ms(r.pct(0.50)), ms(r.pct(0.99)), r.ok, r.failed)
	if r.cpu > 0 && r.ok > 0 {
		// On a shared machine the wall-clock rate depends on the neighbours;
		// CPU per request does not (much).
		per := r.cpu / time.Duration(r.ok)
		l += fmt.Sprintf("\n%-26s %8.0f µs CPU per request (server + clients), %.0f%% of %d cores used",
			"", float64(per.Nanoseconds())/1000, 100*r.cpu.Seconds()/r.elapsed.Seconds()/float64(runtime.NumCPU()), runtime.NumCPU())
	}
	return l
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// drive posts the bodies in turn from n keep-alive clients for d and
// measures throughput and latency. Only 201 responses count as done.
func drive(ctx context.Context, url string, n int, d time.Duration, bodies [][]byte) loadResult {
	tr := &http.Transport{MaxIdleConns: n, MaxIdleConnsPerHost: n, MaxConnsPerHost: n, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu  sync.Mutex
		res loadResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	cpu0, cpuOK := processCPU()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			part := driveOne(ctx, client, url, bodies, i*len(bodies)/n)
			mu.Lock()
			defer mu.Unlock()
			res.ok += part.ok
			res.failed += part.failed
			if res.firstErr == "" {
				res.firstErr = part.firstErr
			}
			res.latencies = append(res.latencies, part.latencies...)
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	if cpu1, ok := processCPU(); ok && cpuOK {
		res.cpu = cpu1 - cpu0
	}
	return res
}

func driveOne(ctx context.Context, client *http.Client, url string, bodies [][]byte, next int) loadResult {
	var res loadResult
	for ; ctx.Err() == nil; next++ {
		body := bodies[next%len(bodies)]
		t0 := time.Now()
		err := postOnce(ctx, client, url, body)
		switch {
		case err == nil:
			res.ok++
			res.latencies = append(res.latencies, time.Since(t0))
		case ctx.Err() != nil: // cut off by the deadline: not a failure
		default:
			res.failed++
			if res.firstErr == "" {
				res.firstErr = err.Error()
			}
		}
	}
	return res
}

func postOnce(ctx context.Context, client *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return errors.New(resp.Status + ": " + string(msg))
	}
	return nil
}

// Parts of the benchmark's report texts: what citizens of Tuy Hòa write,
// combined at random so that no two requests carry the same text.
var (
	benchProblems = []string{
		"Rác thải sinh hoạt đổ thành đống ở đầu hẻm %[1]d %[2]s, bốc mùi hôi thối, ruồi nhặng bu đầy",
		"Xe thu gom rác không đến lấy rác đã %[3]d ngày nay tại khu phố %[1]d đường %[2]s",
		"Cống thoát nước trước nhà số %[1]d %[2]s bị nghẹt, mưa xuống là ngập cả đoạn đường",
		"Nắp hố ga trên đường %[2]s gần số %[1]d bị vỡ, rất nguy hiểm cho người đi xe máy ban đêm",
		"Quán karaoke ở số %[1]d %[2]s hát to đến hơn 12 giờ đêm, người già và trẻ nhỏ không ngủ được",
		"Các hộ kinh doanh lấn chiếm hết vỉa hè đường %[2]s đoạn gần số %[1]d, người đi bộ phải đi xuống lòng đường",
		"Đèn đường trên đoạn %[2]s từ số %[1]d trở đi bị hỏng cả tuần, tối om rất mất an ninh",
		"Cây xanh trước số %[1]d %[2]s bị nghiêng, cành lớn sắp gãy, sợ đổ vào nhà dân khi có gió",
		"Có người dán quảng cáo khoan cắt bê tông, cho vay tiền chi chít trên cột điện đường %[2]s gần số %[1]d",
		"Công trình xây dựng ở số %[1]d %[2]s để vật liệu tràn ra đường, bụi bay mù mịt cả ngày",
		"Xưởng chế biến hải sản gần số %[1]d %[2]s xả nước thải ra mương, mùi hôi nồng nặc",
		"Mặt đường %[2]s đoạn trước số %[1]d bị sụt lún thành ổ gà lớn, đã có người té xe",
	}
	benchStreets = []string{
		"Trần Hưng Đạo", "Lê Lợi", "Nguyễn Huệ", "Hùng Vương", "Lê Duẩn", "Nguyễn Tất Thành",
		"Trần Phú", "Độc Lập", "Phan Đình Phùng", "Duy Tân", "Nguyễn Công Trứ", "Lê Thánh Tôn",
	}
	benchWards = []string{
		"phường 1", "P.2", "phường 3", "phường 4", "p5", "phường 6", "phường 7", "phường 8",
		"phường 9", "phường Phú Lâm", "phường Phú Thạnh", "phường Phú Đông", "xã Bình Ngọc", "",
	}
	benchEndings = []string{
		"Đề nghị chính quyền xử lý sớm.", "Mong các cơ quan chức năng kiểm tra giúp.",
		"Bà con đã phản ánh nhiều lần mà chưa thấy ai xuống.", "Xin cảm ơn.", "",
	}
)

// benchBodies prepares n submissions up front, so that the clients, which
// share the machine with the server, spend as little CPU as they can.
func benchBodies(n int) [][]byte {
	rnd := rand.New(rand.NewPCG(2018, 42))
	out := make([][]byte, n)
	for i := range out {
		out[i] = benchReportJSON(rnd)
	}
	return out
}

// benchReportJSON builds one realistic JSON submission.
func benchReportJSON(rnd *rand.Rand) []byte {
	p := benchProblems[rnd.IntN(len(benchProblems))]
	text := fmt.Sprintf(p, 1+rnd.IntN(300), benchStreets[rnd.IntN(len(benchStreets))], 2+rnd.IntN(8))
	if w := benchWards[rnd.IntN(len(benchWards))]; w != "" {
		text += ", " + w
	}
	text += "."
	if e := benchEndings[rnd.IntN(len(benchEndings))]; e != "" {
		text += " " + e
	}
	in := map[string]any{"text": text}
	if rnd.IntN(2) == 0 {
		in["lat"], in["lng"] = 13.08+rnd.Float64()*0.04, 109.28+rnd.Float64()*0.04
	}
	if rnd.IntN(3) == 0 {
		in["reporter"] = map[string]string{"name": "Nguyễn Văn An", "phone": fmt.Sprintf("0905%06d", rnd.IntN(1e6))}
	}
	b, _ := json.Marshal(in)
	return b
}
