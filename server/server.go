// Package server is the HTTP face of phananh: the JSON API under /api/v1,
// health and metrics endpoints, and the middleware every request passes
// (request id, access log, panic recovery, body limits, rate limits,
// security headers). Errors are rendered by one function, RenderError.
package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"phananh/feedback"
	"phananh/ratelimit"
)

// Body limits. JSON bodies hold at most 5000 characters of text plus a few
// short fields; multipart bodies hold up to MaxPhotos full-size photos.
const (
	MaxJSONBytes      = 64 << 10
	MaxMultipartBytes = feedback.MaxPhotos*feedback.MaxPhotoBytes + 1<<20
)

// MaxConcurrentUploads is how many photo uploads are read at once; more
// wait their turn, so memory stays bounded by about this many times
// MaxMultipartBytes.
const MaxConcurrentUploads = 8

// Default per-client limits on POST requests. Mobile carriers put many
// citizens behind one address, so the bucket is generous; it is there to
// stop floods, not people.
const (
	DefaultPostRate  = rate.Limit(5)
	DefaultPostBurst = 60
)

// Deps is what the server needs. Store, Intake and City are required.
type Deps struct {
	Store  feedback.Store
	Intake Submitter
	City   Directory
	// Metrics collects Prometheus metrics; nil creates a fresh set.
	Metrics *Metrics
	// Logger receives access logs and errors; nil discards them.
	Logger *slog.Logger
	// BaseURL is the public URL ("https://phananh.example.vn") used in
	// photo links; "" makes them root-relative.
	BaseURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// PostRate and PostBurst set the per-client token bucket for POST
	// requests; zero selects the defaults, rate.Inf disables it.
	PostRate  rate.Limit
	PostBurst int
	// TrustedProxies are the addresses or CIDRs of reverse proxies whose
	// X-Forwarded-For is believed; empty trusts none.
	TrustedProxies []string
	// MetricsToken, when set, is the bearer token GET /metrics requires;
	// empty serves metrics to loopback clients only.
	MetricsToken string
}

// Server is the HTTP handler of phananh.
type Server struct {
	engine   *gin.Engine
	store    feedback.Store
	intake   Submitter
	log      *slog.Logger
	metrics  *Metrics
	view     *viewer
	now      func() time.Time
	draining atomic.Bool
	// metricsToken is Deps.MetricsToken.
	metricsToken string
	// uploads bounds how many multipart bodies (up to MaxMultipartBytes
	// each, held in memory) are being read at once.
	uploads chan struct{}
}

// New builds the server and its route table.
func New(d Deps) (*Server, error) {
	if d.Store == nil || d.Intake == nil || d.City == nil {
		return nil, fmt.Errorf("server: Store, Intake and City are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.PostRate == 0 {
		d.PostRate, d.PostBurst = DefaultPostRate, DefaultPostBurst
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if err := e.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, fmt.Errorf("server: trusted proxies: %w", err)
	}
	e.ContextWithFallback = true
	s := &Server{
		engine: e, store: d.Store, intake: d.Intake, log: d.Logger, metrics: d.Metrics,
		view: &viewer{dir: d.City, baseURL: d.BaseURL, now: d.Now}, now: d.Now,
		uploads: make(chan struct{}, MaxConcurrentUploads), metricsToken: d.MetricsToken,
	}
	e.Use(requestID(), accessLog(s.log, s.now), s.metrics.middleware(s.now), recovery(s.log),
		securityHeaders(len(d.BaseURL) > 8 && d.BaseURL[:8] == "https://"),
		bodyLimit(s.log, MaxJSONBytes, MaxMultipartBytes),
		rateLimitPOST(s.log, ratelimit.New(d.PostRate, d.PostBurst, 0), s.now))
	s.routes()
	return s, nil
}

// routes is the route table. Other features add one line each here,
// calling a method defined in their own file.
func (s *Server) routes() {
	e := s.engine
	e.NoRoute(func(c *gin.Context) { RenderError(c, s.log, errNoRoute()) })
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", metricsAccess(s.log, s.metricsToken),
		gin.WrapH(s.metrics.Handler()))

	api := e.Group("/api/v1", apiHeaders())
	api.POST("/reports", s.createReport)
	api.GET("/reports", s.listReports)
	api.GET("/reports/:code", s.getReport)
	api.GET("/reports/:code/events", s.reportEvents)
	api.GET("/photos/:id", s.photo)
	api.HEAD("/photos/:id", s.photo)
}

// Handler returns the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.engine }

// Engine returns the gin engine, for features that mount their own routes
// from cmd/phananh rather than from the route table.
func (s *Server) Engine() *gin.Engine { return s.engine }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Drain makes /readyz fail so load balancers stop sending new requests;
// call it when shutdown begins.
func (s *Server) Drain() { s.draining.Store(true) }
