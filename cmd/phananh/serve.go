package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"phananh/city"
	"phananh/classifier"
	"phananh/feedback"
	"phananh/intake"
	"phananh/live"
	"phananh/server"
	"phananh/store/mongo"
	"phananh/store/sqlite"
)

// HTTP server timeouts. Reads are generous because a citizen on a slow
// mobile connection may upload five large photos; headers are not.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 5 * time.Minute
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 20 * time.Second
)

// runServe is the "serve" subcommand: config → logger → store → city →
// classifier → intake → server, then every worker until SIGTERM/SIGINT.
func runServe(ctx context.Context, env *Env, args []string) error {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(env.Stderr)
	demo := fl.Bool("demo", false, "seed demonstration reports into an empty store")
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	cfg, err := loadConfig(env.Getenv)
	if err != nil {
		return err
	}
	log := newLogger(env.Stderr, cfg.LogLevel)
	tuneGC(env.Getenv)
	a, err := openApp(ctx, cfg, log, 0)
	if err != nil {
		return err
	}
	defer a.close()
	f, err := a.wireFeatures(ctx)
	if err != nil {
		return err
	}
	a.handler, a.streamer = f.handler, f.streamer
	if *demo {
		if err := seedDemo(ctx, a); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if err := seedDemoStaff(ctx, f.auth, a.city, env.Stderr); err != nil {
			return fmt.Errorf("demo accounts: %w", err)
		}
	}
	return runWorkers(ctx, log, append([]worker{{"http", a.serveHTTP}}, f.workers...))
}

// newLogger returns the JSON logger every component shares.
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // validated by loadConfig
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// app is the wired application; serve and the benchmark share it.
type app struct {
	cfg     *Config
	log     *slog.Logger
	store   feedback.Store
	city    *city.City
	cls     feedback.Classifier
	metrics *server.Metrics
	intake  *intake.Service
	server  *server.Server
	// publisher receives every committed event: metrics first, then every
	// subscriber added to subscribers (live hub, bot, mail notifier).
	publisher   feedback.Publisher
	subscribers *fanout
	// handler serves HTTP; nil means server.Handler() (the benchmark).
	handler http.Handler
	// streamer's hijacked websocket connections outlive http.Server.Shutdown
	// and are closed after it; nil when live updates are not wired.
	streamer *live.Streamer

	closeOnce sync.Once
}

// openApp wires the application. postRate overrides the per-client POST
// rate limit (0 keeps the default); the benchmark, one client address
// sending thousands of reports a second, passes rate.Inf.
func openApp(ctx context.Context, cfg *Config, log *slog.Logger, postRate rate.Limit) (*app, error) {
	c, err := loadCity(cfg)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, store: st, city: c, metrics: server.NewMetrics()}
	if w, ok := st.(writerStats); ok {
		a.metrics.WatchWriter(w.WriterStats)
	}
	a.subscribers = &fanout{}
	a.publisher = a.metrics.Publisher(a.subscribers)
	if err := a.wire(postRate); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

func (a *app) wire(postRate rate.Limit) error {
	var err error
	if a.cls, err = newClassifier(a.cfg, classifierWards(a.city), a.log); err != nil {
		return fmt.Errorf("classifier: %w", err)
	}
	a.intake = intake.New(intake.Deps{
		Store: a.store, Classifier: a.cls, City: a.city, Publisher: a.publisher, Logger: a.log,
		Threshold: a.cfg.ClassifierThreshold,
	})
	a.server, err = server.New(server.Deps{
		Store: a.store, Intake: a.intake, City: server.CityDirectory(a.city),
		Metrics: a.metrics, Logger: a.log, BaseURL: a.cfg.BaseURL, PostRate: postRate,
		TrustedProxies: a.cfg.TrustedProxies, MetricsToken: a.cfg.MetricsToken,
	})
	return err
}

// fanout hands committed events to every publisher in turn. Publishers
// are added while serve wires the application, before any worker or
// request runs, and never after: the slice needs no lock.
type fanout struct{ pubs []feedback.Publisher }

// add subscribes p to every event committed from now on.
func (f *fanout) add(p feedback.Publisher) { f.pubs = append(f.pubs, p) }

// Publish implements feedback.Publisher; each publisher must not block.
func (f *fanout) Publish(events []feedback.Event) {
	for _, p := range f.pubs {
		p.Publish(events)
	}
}

// close releases the store once every worker has stopped.
func (a *app) close() {
	a.closeOnce.Do(func() {
		if err := a.store.Close(); err != nil {
			a.log.Error("store close failed", slog.String("error", err.Error()))
			return
		}
		a.log.Info("store closed")
	})
}

// loadCity reads PHANANH_CITY, or the embedded Tuy Hòa demo.
func loadCity(cfg *Config) (*city.City, error) {
	if cfg.CityFile == "" {
		return city.Demo(), nil
	}
	c, err := city.LoadFile(cfg.CityFile)
	if err != nil {
		return nil, fmt.Errorf("city %s: %w", cfg.CityFile, err)
	}
	return c, nil
}

// writerStats is a store with a group-commit writer (sqlite.Store).
type writerStats interface {
	WriterStats() (transactions, writes int64)
}

// openStore opens MongoDB when PHANANH_MONGO_URI is set, else SQLite in
// PHANANH_DATA.
func openStore(ctx context.Context, cfg *Config, log *slog.Logger) (feedback.Store, error) {
	if cfg.MongoURI != "" {
		st, err := mongo.Open(ctx, cfg.MongoURI)
		if err != nil {
			return nil, fmt.Errorf("mongodb: %w", err)
		}
		log.Info("store opened", slog.String("store", "mongodb"))
		return st, nil
	}
	st, err := sqlite.Open(ctx, cfg.DataDir, sqlite.WithLogger(log))
	if err != nil {
		return nil, err
	}
	log.Info("store opened", slog.String("store", "sqlite"), slog.String("data_dir", cfg.DataDir))
	return st, nil
}

// classifierWards gives the classifier's gazetteer the city's wards, their
// aliases and their polygons.
func classifierWards(c *city.City) []classifier.Ward {
	var out []classifier.Ward
	for _, w := range c.Wards() {
		out = append(out, classifier.Ward{ID: w.ID, Name: w.Name, Aliases: w.Aliases,
			Polygon: classifier.Rings(c.WardPolygons(w.ID))})
	}
	return out
}

// serveHTTP listens on PHANANH_ADDR until ctx ends, then stops accepting,
// lets in-flight requests finish (up to shutdownTimeout) and returns.
func (a *app) serveHTTP(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           a.httpHandler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	a.log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("base_url", a.cfg.BaseURL))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.server.Drain()
	a.log.Info("shutting down", slog.String("timeout", shutdownTimeout.String()))
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err = hs.Shutdown(sctx)
	if a.streamer != nil {
		a.streamer.Close()
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// httpHandler is what the HTTP server serves.
func (a *app) httpHandler() http.Handler {
	if a.handler != nil {
		return a.handler
	}
	return a.server.Handler()
}

// worker is a long-running part of `phananh serve` (the HTTP server, the
// live hub, the bot, the mailbox): run blocks until ctx ends or it fails.
type worker struct {
	name string
	run  func(ctx context.Context) error
}

// runWorkers runs every worker under one context and owns their
// goroutines: the first to fail cancels the others, and runWorkers returns
// only when all have stopped, with the first error. A worker returning nil
// before ctx ends counts as a failure: a server that silently lost its
// listener or its bot must not keep running half alive.
func runWorkers(ctx context.Context, log *slog.Logger, workers []worker) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := w.run(ctx)
			if err == nil && ctx.Err() == nil {
				err = errors.New("stopped unexpectedly")
			}
			switch {
			case err != nil && ctx.Err() == nil:
				log.Error("worker failed", slog.String("worker", w.name), slog.String("error", err.Error()))
				cancel(fmt.Errorf("%s: %w", w.name, err))
			case err != nil:
				log.Warn("worker stopped with error", slog.String("worker", w.name), slog.String("error", err.Error()))
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
