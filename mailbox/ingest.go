package mailbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"phananh/feedback"
)

// IMAPConfig says which mailbox to watch and how.
type IMAPConfig struct {
	Addr     string // host:port
	User     string
	Password string
	Mailbox  string // default INBOX
	// TLS is "tls" (implicit, the default), "starttls" or "none".
	TLS       string
	TLSConfig *tls.Config // nil: system roots, server name from Addr
	// Poll is the interval between checks when the server has no IDLE, and
	// the safety-net re-check while idling (default 60s).
	Poll time.Duration
	// Quarantine is the folder for messages that cannot become reports
	// (default "Quarantine"); it is created when missing.
	Quarantine string
	// DoneFolder, when set, receives processed messages (created when
	// missing); otherwise they stay, flagged \Seen.
	DoneFolder string
	// MaxMessageBytes is the largest message fetched (default 75 MiB: five
	// 10 MiB photos in base64 with room to spare); larger ones are
	// quarantined unread.
	MaxMessageBytes int64
	// InitialLookback limits the very first scan of a mailbox (no
	// checkpoint yet) to messages that arrived in this window (default 7
	// days; negative: everything), so that connecting to a mailbox with
	// years of old mail files (and acknowledges) only the recent ones.
	InitialLookback time.Duration
	// Backoff bounds the reconnect delay (defaults 1s and 5m).
	BackoffMin, BackoffMax time.Duration
}

func (c *IMAPConfig) defaults() error {
	if c.Addr == "" || c.User == "" {
		return errors.New("mailbox: IMAP address and user are required")
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.Mailbox, "INBOX")
	def(&c.TLS, "tls")
	def(&c.Quarantine, "Quarantine")
	if c.TLS != "tls" && c.TLS != "starttls" && c.TLS != "none" {
		return fmt.Errorf("mailbox: IMAP TLS mode %q is not tls, starttls or none", c.TLS)
	}
	if c.Poll <= 0 {
		c.Poll = 60 * time.Second
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = 75 << 20
	}
	if c.InitialLookback == 0 {
		c.InitialLookback = 7 * 24 * time.Hour
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = time.Second
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 5 * time.Minute
	}
	return nil
}

// Watchdog limits. imapclient waits without limit for a reply once a
// command is sent; a connection that died silently (a NAT dropping it)
// would hang the ingestor, so each exchange runs under a guard that closes
// the connection when it overruns.
const (
	commandTimeout = 2 * time.Minute  // login, select, search, ending IDLE
	messageTimeout = 10 * time.Minute // fetching and processing one message
)

// guard closes c if the exchange it covers takes longer than d; call the
// returned function when the exchange is done.
func guard(c *imapclient.Client, d time.Duration) (done func()) {
	t := time.AfterFunc(d, func() { _ = c.Close() })
	return func() { t.Stop() }
}

// maxAttempts is how often one message may fail with a transient error
// before it is quarantined, so that it cannot block the mailbox forever.
const maxAttempts = 5

// Ingestor watches an IMAP mailbox and processes every new message exactly
// once. Run it as a worker.
type Ingestor struct {
	cfg   IMAPConfig
	proc  *Processor
	state feedback.StateStore
	log   *slog.Logger
	wake  chan struct{}
	// failures counts transient failures per message (uidvalidity:uid);
	// only the Run goroutine touches it.
	failures map[string]int
	// afterProcess, for tests, runs between a message's outcome and its
	// checkpoint: the window a crash must not turn into a duplicate.
	afterProcess func(uid imap.UID, res Result)
	// idling, for tests, runs once the server has accepted IDLE.
	idling func()
}

// NewIngestor returns an Ingestor for cfg that hands messages to proc and
// keeps its checkpoint in state. Errors: a missing address or user, or an
// unknown TLS mode.
func NewIngestor(cfg IMAPConfig, proc *Processor, state feedback.StateStore, log *slog.Logger) (*Ingestor, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Ingestor{cfg: cfg, proc: proc, state: state, log: log.With(slog.String("component", "mailbox")),
		wake: make(chan struct{}, 1), failures: map[string]int{}}, nil
}

// Run connects, catches up with everything after the checkpoint, then
// waits for new mail (IDLE or polling) until ctx ends; it returns nil then.
// Connection and server failures are logged and retried with backoff.
func (in *Ingestor) Run(ctx context.Context) error {
	failures := 0
	for {
		start := time.Now()
		err := in.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(start) > in.cfg.BackoffMax {
			failures = 0
		}
		failures++
		wait := min(in.cfg.BackoffMin<<min(failures-1, 16), in.cfg.BackoffMax)
		in.log.WarnContext(ctx, "mailbox: IMAP session ended; reconnecting",
			slog.String("error", errString(err)), slog.Duration("retry_in", wait))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// session runs one connection until it fails or ctx ends.
func (in *Ingestor) session(ctx context.Context) error {
	c, err := in.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	// imapclient commands take no context: closing the connection is how
	// a blocked command learns that ctx ended.
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	sel, err := in.open(c)
	if err != nil {
		return err
	}
	in.log.InfoContext(ctx, "mailbox: watching", slog.String("mailbox", in.cfg.Mailbox),
		slog.Bool("idle", canIdle(c)), slog.Uint64("uid_validity", uint64(sel.UIDValidity)))
	for {
		if err := in.sync(ctx, c, sel.UIDValidity); err != nil {
			return err
		}
		if err := in.waitForMail(ctx, c); err != nil {
			return err
		}
	}
}

// open logs in, creates the folders and selects the mailbox.
func (in *Ingestor) open(c *imapclient.Client) (*imap.SelectData, error) {
	defer guard(c, commandTimeout)()
	if err := c.Login(in.cfg.User, in.cfg.Password).Wait(); err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	for _, f := range []string{in.cfg.Quarantine, in.cfg.DoneFolder} {
		if err := ensureFolder(c, f); err != nil {
			return nil, err
		}
	}
	sel, err := c.Select(in.cfg.Mailbox, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("select: %w", err)
	}
	return sel, nil
}

func (in *Ingestor) dial() (*imapclient.Client, error) {
	opts := &imapclient.Options{
		TLSConfig: in.cfg.TLSConfig,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					in.signal()
				}
			},
		},
	}
	var c *imapclient.Client
	var err error
	switch in.cfg.TLS {
	case "tls":
		c, err = imapclient.DialTLS(in.cfg.Addr, opts)
	case "starttls":
		c, err = imapclient.DialStartTLS(in.cfg.Addr, opts)
	default:
		c, err = imapclient.DialInsecure(in.cfg.Addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	return c, nil
}

// signal wakes the waiting loop; it never blocks (the IMAP reader calls it).
func (in *Ingestor) signal() {
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// waitForMail returns when new mail may have arrived: the server said so
// during IDLE, or Poll passed.
func (in *Ingestor) waitForMail(ctx context.Context, c *imapclient.Client) error {
	t := time.NewTimer(in.cfg.Poll)
	defer t.Stop()
	if !canIdle(c) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	}
	idle, err := c.Idle()
	if err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	if in.idling != nil {
		in.idling()
	}
	select {
	case <-ctx.Done():
	case <-in.wake:
	case <-t.C:
	case <-c.Closed():
	}
	defer guard(c, commandTimeout)()
	if err := idle.Close(); err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	if err := idle.Wait(); err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	return ctx.Err()
}

func canIdle(c *imapclient.Client) bool {
	caps := c.Caps()
	return caps.Has(imap.CapIdle) || caps.Has(imap.CapIMAP4rev2)
}

// ensureFolder creates a folder unless it exists ("" is no folder).
func ensureFolder(c *imapclient.Client, name string) error {
	if name == "" {
		return nil
	}
	boxes, err := c.List("", name, nil).Collect()
	if err != nil {
		return fmt.Errorf("list %s: %w", name, err)
	}
	if len(boxes) > 0 {
		return nil
	}
	if err := c.Create(name, nil).Wait(); err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return "closed by server"
	}
	return err.Error()
}
