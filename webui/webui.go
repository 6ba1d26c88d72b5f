// Package webui serves phananh's server-rendered pages: the citizen's report
// form and tracking page, the public map and list, the officers' desk and the
// chairman's dashboard. Pages are html/template files embedded in the binary;
// small scripts in static/js add live updates, maps, photo resizing and
// category suggestions, but the report form and the tracking page work
// without them. Front-end libraries (Leaflet, uPlot) come from npm and are
// copied into static/vendor by `make -C webui assets`.
package webui

import (
	"context"
	"crypto/rand"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"phananh/auth"
	"phananh/city"
	"phananh/desk"
	"phananh/feedback"
	"phananh/intake"
	"phananh/ratelimit"
)

// static holds the page scripts and styles. The vendor directory (npm
// files) is gitignored; "static" embeds whatever exists, so the package
// compiles in a fresh clone and the pages degrade to no map and no chart
// until `make -C webui assets` ran.
//
//go:embed static templates
var files embed.FS

// Intake is the intake pipeline as the pages use it; *intake.Service
// implements it.
type Intake interface {
	Submit(ctx context.Context, s intake.Submission) (intake.Receipt, error)
	Nearby(ctx context.Context, lat, lng float64, category string, radiusMeters float64) ([]intake.NearbyReport, error)
	Support(ctx context.Context, code string, contact feedback.Contact, idempotencyKey string) (*feedback.Report, bool, error)
}

var _ Intake = (*intake.Service)(nil)

// Reports is what the public pages read from the store.
type Reports interface {
	Report(ctx context.Context, code string) (*feedback.Report, error)
	FindReports(ctx context.Context, f feedback.ReportFilter) (feedback.ReportPage, error)
	Events(ctx context.Context, f feedback.EventFilter) ([]feedback.Event, error)
}

// Config is what the pages need. Reports, Intake, Classifier and City are
// required; without Auth and Desk the staff pages answer 404.
type Config struct {
	Reports    Reports
	Intake     Intake
	Classifier feedback.Classifier
	City       *city.City
	Auth       *auth.Service
	Desk       *desk.Service
	// TileURL is the Leaflet tile template (PHANANH_TILE_URL); "" selects
	// OpenStreetMap.
	TileURL string
	// MapCenter is where maps open, [lat, lng]; zero selects Tuy Hòa.
	MapCenter [2]float64
	// FormSecret signs form tokens; instances behind one load balancer need
	// the same one. Nil draws a random secret (tokens die with the process).
	FormSecret []byte
	// SessionCookie and CSRFCookie are the staff cookie names the JSON API
	// reads (server.SessionCookie, server.CSRFCookie).
	SessionCookie, CSRFCookie string
	// SecureCookies marks cookies Secure (the base URL is https).
	SecureCookies bool
	Logger        *slog.Logger
	Now           func() time.Time
}

// DefaultTileURL is OpenStreetMap's standard tile layer.
const DefaultTileURL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

// UI is the web UI: call Mount to add its routes to a gin engine.
type UI struct {
	cfg      Config
	pages    map[string]*template.Template
	static   map[string]*staticFile // by path under static/
	tokens   *formTokens
	classify *ratelimit.Keyed
	csp      string
	errs     Errors
	// petitionsOn is set by MountPetitions: the navigation links them.
	petitionsOn bool
}

// Errors is how the API renders errors, shared so that the pages and the
// JSON helpers answer exactly as the rest of the API does.
type Errors struct {
	// JSON writes err as the API's JSON error body (server.RenderError).
	JSON func(c *gin.Context, err error)
	// Status maps an error code to its HTTP status (server.StatusOf).
	Status func(code string) int
}

// New parses the embedded templates and returns the UI.
func New(cfg Config) (*UI, error) {
	if cfg.Reports == nil || cfg.Intake == nil || cfg.Classifier == nil || cfg.City == nil {
		return nil, fmt.Errorf("webui: Reports, Intake, Classifier and City are required")
	}
	if cfg.TileURL == "" {
		cfg.TileURL = DefaultTileURL
	}
	if cfg.MapCenter == [2]float64{} {
		cfg.MapCenter = [2]float64{13.0955, 109.3209}
	}
	if cfg.SessionCookie == "" || cfg.CSRFCookie == "" {
		cfg.SessionCookie, cfg.CSRFCookie = "phananh_session", "phananh_csrf"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if len(cfg.FormSecret) == 0 {
		cfg.FormSecret = make([]byte, 32)
		_, _ = rand.Read(cfg.FormSecret)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(files, "static")
	if err != nil {
		return nil, err
	}
	st, err := staticFiles(sub)
	if err != nil {
		return nil, fmt.Errorf("webui: static files: %w", err)
	}
	return &UI{
		cfg: cfg, pages: pages, static: st,
		tokens:   &formTokens{key: cfg.FormSecret, now: cfg.Now, ttl: formTokenTTL},
		classify: ratelimit.New(classifyRate, classifyBurst, 0),
		csp:      contentSecurityPolicy(cfg.TileURL),
	}, nil
}

// Mount adds the pages, the static files and the small JSON endpoints the
// pages call; errs renders errors as the rest of the API does.
func (u *UI) Mount(e *gin.Engine, errs Errors) {
	u.errs = errs
	h := e.Group("", u.pageHeaders)
	h.GET("/", u.reportForm)
	h.POST("/report", u.submitReport)
	h.GET("/r", u.lookup)
	h.GET("/r/:code", u.track)
	h.POST("/r/:code/closure", u.closure)
	h.GET("/reports", u.publicList)
	if u.cfg.Auth != nil && u.cfg.Desk != nil {
		u.staffRoutes(h)
	}
	e.GET("/static/*path", u.serveStatic)
	api := e.Group("/api/v1", apiHeaders)
	u.apiRoutes(api)
}

// IsPage reports whether a request is for a page rather than the API, so
// the server can answer unknown paths with an HTML 404.
func IsPage(r *http.Request) bool {
	p := r.URL.Path
	return !(len(p) >= 5 && p[:5] == "/api/") && p != "/metrics" && p != "/healthz" && p != "/readyz"
}

// NotFound renders the HTML 404 page.
func (u *UI) NotFound(c *gin.Context) {
	u.pageHeaders(c)
	u.errorPage(c, http.StatusNotFound, feedback.NotFound("page"))
}
