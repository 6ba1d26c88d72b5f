package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"phananh/feedback"
)

// Metrics holds the Prometheus collectors of one server. Labels are route
// templates, methods, status codes, channels and report statuses: small,
// fixed sets, never user input.
type Metrics struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	reportsCreated *prometheus.CounterVec
	statusEntered  *prometheus.CounterVec
}

// NewMetrics registers the server's collectors, plus the Go runtime and
// process collectors, in a fresh registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "phananh_http_requests_total",
			Help: "HTTP requests handled, by route template, method and status code.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "phananh_http_request_duration_seconds",
			Help:    "HTTP request latency, by route template, method and status code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route", "method", "status"}),
		reportsCreated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "phananh_reports_created_total",
			Help: "Reports created, by intake channel.",
		}, []string{"channel"}),
		statusEntered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "phananh_report_status_entered_total",
			Help: "Times a report entered a status (at creation or by a status change), by status.",
		}, []string{"status"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.reportsCreated, m.statusEntered,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// WatchWriter exports a store writer's counters (sqlite.Store.WriterStats)
// as phananh_store_transactions_total and phananh_store_writes_total.
func (m *Metrics) WatchWriter(stats func() (transactions, writes int64)) {
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "phananh_store_transactions_total",
			Help: "Transactions the store's group-commit writer has run.",
		}, func() float64 { t, _ := stats(); return float64(t) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "phananh_store_writes_total",
			Help: "Writes those transactions carried (divided by transactions: the batch size).",
		}, func() float64 { _, w := stats(); return float64(w) }),
	)
}

// Registry returns the registry, so other packages (live hub, bot,
// mailbox) can register their own collectors and appear on /metrics.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// middleware counts and times every request under its route template.
func (m *Metrics) middleware(now func() time.Time) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := now()
		c.Next()
		route, method, status := routeOf(c), c.Request.Method, strconv.Itoa(c.Writer.Status())
		m.requests.WithLabelValues(route, method, status).Inc()
		m.latency.WithLabelValues(route, method, status).Observe(now().Sub(start).Seconds())
	}
}

// Publisher wraps next so that every committed event also updates the
// report counters, whichever channel or screen caused it. A nil next is
// allowed (metrics only).
func (m *Metrics) Publisher(next feedback.Publisher) feedback.Publisher {
	return &metricsPublisher{m: m, next: next}
}

type metricsPublisher struct {
	m    *Metrics
	next feedback.Publisher
}

// Publish implements feedback.Publisher.
func (p *metricsPublisher) Publish(events []feedback.Event) {
	for i := range events {
		p.m.observe(&events[i])
	}
	if p.next != nil {
		p.next.Publish(events)
	}
}

// observe counts creations by channel and status entries. Intake records
// the channel in the created event's Data["channel"].
func (m *Metrics) observe(e *feedback.Event) {
	switch e.Type {
	case feedback.EventCreated:
		ch := e.Data["channel"]
		if !feedback.Channel(ch).Valid() {
			ch = "unknown"
		}
		m.reportsCreated.WithLabelValues(ch).Inc()
		if e.To.Valid() {
			m.statusEntered.WithLabelValues(string(e.To)).Inc()
		}
	case feedback.EventStatusChanged:
		if e.To.Valid() {
			m.statusEntered.WithLabelValues(string(e.To)).Inc()
		}
	}
}
