package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"phananh/feedback"
)

var _ feedback.Store = (*Store)(nil)

// DBFile is the database file name inside the data directory.
const DBFile = "phananh.db"

// readConns is the size of the read-only connection pool. Reads never wait
// for the writer in WAL mode, so a few connections cover both cores.
const readConns = 4

// defaultMaxBatch caps how many queued writes share one transaction.
const defaultMaxBatch = 256

// Store is the embedded SQLite store: one file in the data directory,
// written by a single group-commit writer and read through a pool of
// read-only connections. It implements feedback.Store.
type Store struct {
	dir        string
	wdb        *sql.DB              // exactly one connection, used only by the writer goroutine
	wstmts     map[string]*sql.Stmt // hotWrites prepared on wdb; read-only after Open
	rstmts     readStmts            // statements prepared on rdb, by SQL text
	rdb        *sql.DB              // read-only pool
	cdb        *sql.DB              // one connection for background checkpoints
	log        *slog.Logger
	now        func() time.Time
	maxBatch   int
	sweepEvery time.Duration

	ops       chan *writeOp // unbuffered: a send succeeds only when the writer takes it
	stop      chan struct{} // closed by Close to stop the writer
	done      chan struct{} // closed by the writer when it has exited
	cpDone    chan struct{} // closed by the checkpointer when it has exited
	closeOnce sync.Once
	closeErr  error

	commits atomic.Int64 // transactions the writer committed or rolled back
	writes  atomic.Int64 // writes those transactions carried
	// statsStaged is set when report_stats_staged may hold rows (see
	// report_stats.go); true at Open, since a previous run may have left some.
	statsStaged atomic.Bool
}

// Option changes how Open sets up a Store.
type Option func(*Store)

// WithLogger sets the logger (default slog.Default()).
func WithLogger(log *slog.Logger) Option { return func(s *Store) { s.log = log } }

// WithClock sets the clock used for updated_at and state expiry.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// withMaxBatch caps the writes per transaction; 1 turns group commit off
// (one transaction and one fsync per write). Only the benchmark uses it.
func withMaxBatch(n int) Option { return func(s *Store) { s.maxBatch = n } }

// withSweepEvery sets how often expired state rows are deleted (tests).
func withSweepEvery(d time.Duration) Option { return func(s *Store) { s.sweepEvery = d } }

// Open creates dir if needed, opens dir/phananh.db, applies pending
// migrations and starts the writer. Close must be called to stop it.
func Open(ctx context.Context, dir string, opts ...Option) (*Store, error) {
	s := &Store{
		dir: dir, log: slog.Default(), now: time.Now, maxBatch: defaultMaxBatch, sweepEvery: defaultSweepEvery,
		ops: make(chan *writeOp), stop: make(chan struct{}), done: make(chan struct{}), cpDone: make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	s.statsStaged.Store(true)
	if err := os.MkdirAll(filepath.Join(dir, photoDir), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: create data dir: %w", err)
	}
	// A freshly created photos/ entry must survive a crash like the files
	// that will be renamed into it.
	if err := syncDir(dir); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := s.openDBs(ctx); err != nil {
		return nil, err
	}
	go s.run()
	go s.runCheckpoints()
	return s, nil
}

// openDBs opens the write connection, migrates, then opens the read pool.
func (s *Store) openDBs(ctx context.Context) (err error) {
	path := filepath.Join(s.dir, DBFile)
	if s.wdb, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetMaxIdleConns(1)
	s.wdb.SetConnMaxIdleTime(0)
	defer func() {
		if err != nil {
			s.wdb.Close()
		}
	}()
	ms, err := loadMigrations(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if err := migrate(ctx, s.wdb, ms, s.log); err != nil {
		return fmt.Errorf("sqlite: %s: %w", path, err)
	}
	if err := s.prepareWrites(ctx); err != nil {
		s.closeWrites()
		return fmt.Errorf("sqlite: %w", err)
	}
	if s.rdb, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		return fmt.Errorf("sqlite: open read pool: %w", err)
	}
	s.rdb.SetMaxOpenConns(readConns)
	s.rdb.SetMaxIdleConns(readConns)
	if err := s.rdb.PingContext(ctx); err != nil {
		s.rdb.Close()
		return fmt.Errorf("sqlite: open read pool: %w", err)
	}
	if err := s.openCheckpointer(path); err != nil {
		s.rdb.Close()
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// dsn builds the connection string. synchronous=FULL makes every commit
// fsync the WAL, so an acknowledged write survives power loss; group commit
// is what keeps that affordable.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	// Savepoint sub-journals and sorter files stay in memory: with a
	// savepoint per write they would otherwise cost a file write each.
	q.Add("_pragma", "temp_store(MEMORY)")
	// Checkpoint every ~32 MB of WAL instead of 4 MB: hot pages (index
	// tails, the event log) are copied to the database once per checkpoint
	// rather than many times, which measured ~25% more durable writes/s.
	// The WAL file is cut back to 64 MB after a checkpoint.
	q.Add("_pragma", "wal_autocheckpoint(8000)")
	q.Add("_pragma", "journal_size_limit(67108864)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		// 4 MB of page cache for the writer. Larger is slower: every commit
		// walks the cache (pcache1Truncate and friends scale with its hash
		// table), and a page it misses is one pread from the OS page cache.
		// bench intake: 32 MB 6134/6136 reports/s vs 4 MB 6794/6771.
		q.Add("_pragma", "cache_size(-4096)")
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// WriterStats returns how many transactions the writer has run since Open
// and how many writes they carried: their ratio is the group-commit batch
// size. /metrics shows both.
func (s *Store) WriterStats() (transactions, writes int64) {
	return s.commits.Load(), s.writes.Load()
}

// Ping checks that the database answers. Errors: EUNAVAILABLE.
func (s *Store) Ping(ctx context.Context) error {
	select {
	case <-s.done:
		return errClosed
	default:
	}
	var one int
	if err := s.rdb.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return &feedback.Error{Code: feedback.EUNAVAILABLE, Message: "Cơ sở dữ liệu không phản hồi.", MessageEN: "Database unavailable.", Err: err}
	}
	return nil
}

// Close stops the writer after the batch in flight commits, then closes the
// database. Writes queued after Close fail with EUNAVAILABLE.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.done
		<-s.cpDone
		// Refresh planner statistics for tables whose shape changed, as
		// SQLite recommends on close; cheap when nothing did.
		if _, err := s.wdb.Exec(`PRAGMA optimize`); err != nil {
			s.log.Warn("sqlite optimize on close failed", "err", err)
		}
		s.closeErr = errors.Join(s.closeReads(), s.closeWrites(), s.cdb.Close(), s.rdb.Close(), s.wdb.Close())
	})
	return s.closeErr
}
