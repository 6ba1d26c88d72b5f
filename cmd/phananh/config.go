package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of phananh, loaded from PHANANH_* environment
// variables. Secrets may instead be read from the file named by the
// variable with a _FILE suffix. The README documents each one.
type Config struct {
	Addr     string // PHANANH_ADDR
	DataDir  string // PHANANH_DATA
	MongoURI string // PHANANH_MONGO_URI (secret)
	CityFile string // PHANANH_CITY
	BaseURL  string // PHANANH_BASE_URL
	LogLevel string // PHANANH_LOG_LEVEL
	// AllowedOrigins are extra websocket origins beyond BaseURL.
	AllowedOrigins []string // PHANANH_ALLOWED_ORIGINS (comma separated)
	// TrustedProxies are reverse proxies whose X-Forwarded-For is believed,
	// so rate limits see the citizen's address, not the proxy's.
	TrustedProxies []string // PHANANH_TRUSTED_PROXIES (comma separated IPs or CIDRs)
	TileURL        string   // PHANANH_TILE_URL
	// MetricsToken is the bearer token GET /metrics requires; without it
	// only loopback clients may read metrics.
	MetricsToken string // PHANANH_METRICS_TOKEN (secret)

	ClassifierMode      string        // PHANANH_CLASSIFIER: local, llm, ensemble
	ClassifierThreshold float64       // PHANANH_CLASSIFIER_THRESHOLD
	LLMBaseURL          string        // PHANANH_LLM_BASE_URL
	LLMModel            string        // PHANANH_LLM_MODEL
	LLMAPIKey           string        // PHANANH_LLM_API_KEY (secret)
	LLMTimeout          time.Duration // PHANANH_LLM_TIMEOUT
	LLMMaxConcurrent    int           // PHANANH_LLM_MAX_CONCURRENT

	TelegramToken         string // PHANANH_TELEGRAM_TOKEN (secret)
	TelegramWebhookURL    string // PHANANH_TELEGRAM_WEBHOOK_URL
	TelegramWebhookSecret string // PHANANH_TELEGRAM_WEBHOOK_SECRET (secret)
	TelegramAPIEndpoint   string // PHANANH_TELEGRAM_API_ENDPOINT
	TelegramFileEndpoint  string // PHANANH_TELEGRAM_FILE_ENDPOINT

	IMAPAddr       string        // PHANANH_IMAP_ADDR
	IMAPUser       string        // PHANANH_IMAP_USER
	IMAPPassword   string        // PHANANH_IMAP_PASSWORD (secret)
	IMAPMailbox    string        // PHANANH_IMAP_MAILBOX
	IMAPTLS        string        // PHANANH_IMAP_TLS: tls, starttls, none
	IMAPPoll       time.Duration // PHANANH_IMAP_POLL
	IMAPQuarantine string        // PHANANH_IMAP_QUARANTINE
	IMAPDoneFolder string        // PHANANH_IMAP_DONE_FOLDER (optional)

	SMTPAddr     string // PHANANH_SMTP_ADDR
	SMTPUser     string // PHANANH_SMTP_USER
	SMTPPassword string // PHANANH_SMTP_PASSWORD (secret)
	SMTPFrom     string // PHANANH_SMTP_FROM
	SMTPTLS      string // PHANANH_SMTP_TLS: tls, starttls, none
}

// loadConfig reads the configuration and reports every problem at once.
func loadConfig(getenv func(string) string) (*Config, error) {
	l := &loader{getenv: getenv}
	c := &Config{
		Addr:     l.str("PHANANH_ADDR", ":8080"),
		DataDir:  l.str("PHANANH_DATA", "./data"),
		MongoURI: l.secret("PHANANH_MONGO_URI"),
		CityFile: l.str("PHANANH_CITY", ""),
		BaseURL:  strings.TrimRight(l.str("PHANANH_BASE_URL", "http://localhost:8080"), "/"),
		LogLevel: l.oneOf("PHANANH_LOG_LEVEL", "info", "debug", "info", "warn", "error"),
		TileURL:  l.str("PHANANH_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),

		MetricsToken: l.secret("PHANANH_METRICS_TOKEN"),

		ClassifierMode:      l.oneOf("PHANANH_CLASSIFIER", "local", "local", "llm", "ensemble"),
		ClassifierThreshold: l.float("PHANANH_CLASSIFIER_THRESHOLD", 0.55, 0, 1),
		LLMBaseURL:          l.str("PHANANH_LLM_BASE_URL", ""),
		LLMModel:            l.str("PHANANH_LLM_MODEL", ""),
		LLMAPIKey:           l.secret("PHANANH_LLM_API_KEY"),
		LLMTimeout:          l.duration("PHANANH_LLM_TIMEOUT", 5*time.Second),
		LLMMaxConcurrent:    l.int("PHANANH_LLM_MAX_CONCURRENT", 4, 1, 1000),

		TelegramToken:         l.secret("PHANANH_TELEGRAM_TOKEN"),
		TelegramWebhookURL:    l.str("PHANANH_TELEGRAM_WEBHOOK_URL", ""),
		TelegramWebhookSecret: l.secret("PHANANH_TELEGRAM_WEBHOOK_SECRET"),
		TelegramAPIEndpoint:   l.str("PHANANH_TELEGRAM_API_ENDPOINT", "https://api.telegram.org/bot%s/%s"),
		TelegramFileEndpoint:  l.str("PHANANH_TELEGRAM_FILE_ENDPOINT", "https://api.telegram.org/file/bot%s/%s"),

		IMAPAddr:       l.str("PHANANH_IMAP_ADDR", ""),
		IMAPUser:       l.str("PHANANH_IMAP_USER", ""),
		IMAPPassword:   l.secret("PHANANH_IMAP_PASSWORD"),
		IMAPMailbox:    l.str("PHANANH_IMAP_MAILBOX", "INBOX"),
		IMAPTLS:        l.oneOf("PHANANH_IMAP_TLS", "tls", "tls", "starttls", "none"),
		IMAPPoll:       l.duration("PHANANH_IMAP_POLL", 60*time.Second),
		IMAPQuarantine: l.str("PHANANH_IMAP_QUARANTINE", "Quarantine"),
		IMAPDoneFolder: l.str("PHANANH_IMAP_DONE_FOLDER", ""),

		SMTPAddr:     l.str("PHANANH_SMTP_ADDR", ""),
		SMTPUser:     l.str("PHANANH_SMTP_USER", ""),
		SMTPPassword: l.secret("PHANANH_SMTP_PASSWORD"),
		SMTPFrom:     l.str("PHANANH_SMTP_FROM", ""),
		SMTPTLS:      l.oneOf("PHANANH_SMTP_TLS", "starttls", "tls", "starttls", "none"),
	}
	for _, o := range l.list("PHANANH_ALLOWED_ORIGINS") {
		c.AllowedOrigins = append(c.AllowedOrigins, strings.TrimRight(o, "/"))
	}
	for _, p := range l.list("PHANANH_TRUSTED_PROXIES") {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			l.fail("PHANANH_TRUSTED_PROXIES", fmt.Sprintf("has %q, which is neither an IP address nor a CIDR", p))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	c.validate(l)
	if len(l.errs) > 0 {
		return nil, fmt.Errorf("configuration: %w", errors.Join(l.errs...))
	}
	return c, nil
}

func (c *Config) validate(l *loader) {
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		l.fail("PHANANH_BASE_URL", "must be an absolute http(s) URL")
	}
	if c.ClassifierMode != "local" && (c.LLMBaseURL == "" || c.LLMModel == "") {
		l.fail("PHANANH_CLASSIFIER", "modes llm and ensemble need PHANANH_LLM_BASE_URL and PHANANH_LLM_MODEL")
	}
	if c.TelegramWebhookURL != "" && c.TelegramToken == "" {
		l.fail("PHANANH_TELEGRAM_WEBHOOK_URL", "needs PHANANH_TELEGRAM_TOKEN")
	}
	if c.TelegramWebhookURL != "" && c.TelegramWebhookSecret == "" {
		l.fail("PHANANH_TELEGRAM_WEBHOOK_SECRET", "is required in webhook mode")
	}
	if c.TelegramWebhookSecret != "" && !webhookSecretRE.MatchString(c.TelegramWebhookSecret) {
		l.fail("PHANANH_TELEGRAM_WEBHOOK_SECRET", "must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
	}
	if c.IMAPAddr != "" && c.IMAPUser == "" {
		l.fail("PHANANH_IMAP_USER", "is required when PHANANH_IMAP_ADDR is set")
	}
	if c.SMTPAddr != "" && c.SMTPFrom == "" {
		l.fail("PHANANH_SMTP_FROM", "is required when PHANANH_SMTP_ADDR is set")
	}
}

// webhookSecretRE is what Telegram accepts as a webhook secret token.
var webhookSecretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// SecureCookies reports whether cookies must be marked Secure.
func (c *Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// loader collects every configuration problem instead of stopping at the first.
type loader struct {
	getenv func(string) string
	errs   []error
}

func (l *loader) fail(name, msg string) { l.errs = append(l.errs, fmt.Errorf("%s %s", name, msg)) }

func (l *loader) str(name, def string) string {
	if v := strings.TrimSpace(l.getenv(name)); v != "" {
		return v
	}
	return def
}

// secret reads NAME, or the contents of the file named by NAME_FILE.
func (l *loader) secret(name string) string {
	v := l.getenv(name)
	file := l.getenv(name + "_FILE")
	if v != "" && file != "" {
		l.fail(name, "and "+name+"_FILE are both set")
	}
	if file == "" {
		return v
	}
	b, err := os.ReadFile(file)
	if err != nil {
		l.fail(name+"_FILE", "cannot be read: "+err.Error())
		return ""
	}
	return strings.TrimRight(string(b), "\r\n")
}

// list reads a comma-separated variable, dropping empty items.
func (l *loader) list(name string) []string {
	var out []string
	for _, v := range strings.Split(l.str(name, ""), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (l *loader) oneOf(name, def string, allowed ...string) string {
	v := l.str(name, def)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	l.fail(name, fmt.Sprintf("must be one of %s, not %q", strings.Join(allowed, ", "), v))
	return def
}

func (l *loader) float(name string, def, min, max float64) float64 {
	s := l.str(name, "")
	if s == "" {
		return def
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < min || f > max {
		l.fail(name, fmt.Sprintf("must be a number from %g to %g", min, max))
		return def
	}
	return f
}

func (l *loader) int(name string, def, min, max int) int {
	s := l.str(name, "")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		l.fail(name, fmt.Sprintf("must be an integer from %d to %d", min, max))
		return def
	}
	return n
}

func (l *loader) duration(name string, def time.Duration) time.Duration {
	s := l.str(name, "")
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		l.fail(name, "must be a positive duration such as 5s or 1m")
		return def
	}
	return d
}
