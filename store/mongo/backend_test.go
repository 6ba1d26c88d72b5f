package mongo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

// envTestURI names a real MongoDB to test against; each test gets a fresh
// database on it. Without it the tests run on an embedded FerretDB.
const envTestURI = "PHANANH_TEST_MONGO_URI"

// ferret is the embedded FerretDB shared by the tests of this binary,
// started on first use and stopped by TestMain.
var ferret struct {
	once sync.Once
	uri  string
	err  error
	stop context.CancelFunc
	done chan struct{}
	dir  string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if ferret.stop != nil {
		ferret.stop()
		<-ferret.done
		_ = os.RemoveAll(ferret.dir)
	}
	os.Exit(code)
}

// envFerretLog, when set, shows FerretDB's warnings and errors on stderr.
const envFerretLog = "PHANANH_TEST_FERRETDB_LOG"

// ferretLogger discards FerretDB's logs unless envFerretLog is set: it logs
// every failed command, which would drown the test output.
func ferretLogger() *slog.Logger {
	if os.Getenv(envFerretLog) == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// startFerret runs FerretDB with its SQLite backend in a temporary
// directory, listening on a free loopback port.
func startFerret() (string, error) {
	ferret.once.Do(func() {
		dir, err := os.MkdirTemp("", "phananh-ferretdb-")
		if err != nil {
			ferret.err = err
			return
		}
		f, err := ferretdb.New(&ferretdb.Config{
			Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
			Handler:   "sqlite",
			SQLiteURL: "file:" + dir + "/",
			Logger:    ferretLogger(),
		})
		if err != nil {
			ferret.err = err
			_ = os.RemoveAll(dir)
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		ferret.dir, ferret.stop, ferret.done = dir, cancel, make(chan struct{})
		go func() {
			defer close(ferret.done)
			_ = f.Run(ctx)
		}()
		ferret.uri = f.MongoDBURI()
	})
	return ferret.uri, ferret.err
}

var dbCounter atomic.Int64

// testURI returns a URI naming a fresh database, and whether the server is
// FerretDB.
func testURI(t testing.TB) string {
	t.Helper()
	base := os.Getenv(envTestURI)
	if base == "" {
		var err error
		if base, err = startFerret(); err != nil {
			t.Fatalf("start FerretDB: %v", err)
		}
	}
	name := fmt.Sprintf("phananh_test_%d_%d", time.Now().UnixNano()%1e9, dbCounter.Add(1))
	uri, err := withDatabase(base, name)
	if err != nil {
		t.Fatalf("test URI: %v", err)
	}
	return uri
}

// withDatabase replaces the database in a MongoDB URI, keeping its options.
func withDatabase(uri, db string) (string, error) {
	if _, err := connstring.ParseAndValidate(uri); err != nil {
		return "", err
	}
	rest, query, _ := strings.Cut(uri, "?")
	scheme, hosts, _ := strings.Cut(rest, "://")
	hosts, _, _ = strings.Cut(hosts, "/")
	out := scheme + "://" + hosts + "/" + db
	if query != "" {
		out += "?" + query
	}
	return out, nil
}

// MustOpen opens a Store on a fresh database and drops it when the test
// ends.
func MustOpen(tb testing.TB) *Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, testURI(tb))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.db.Drop(ctx)
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// isFerret reports whether the store's server is FerretDB: its buildInfo
// answer carries a ferretdbVersion field.
func isFerret(tb testing.TB, s *Store) bool {
	tb.Helper()
	var info bson.M
	if err := s.db.RunCommand(context.Background(), bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		tb.Fatalf("buildInfo: %v", err)
	}
	_, ok := info["ferretdbVersion"]
	return ok
}
