package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadMigrationsRejectsMistakes(t *testing.T) {
	cases := map[string]fstest.MapFS{
		"bad name":       {"m/1_core.sql": {Data: []byte("SELECT 1")}},
		"not sql":        {"m/0001_core.txt": {Data: []byte("SELECT 1")}},
		"version zero":   {"m/0000_core.sql": {Data: []byte("SELECT 1")}},
		"shared version": {"m/0002_a.sql": {Data: []byte("SELECT 1")}, "m/0002_b.sql": {Data: []byte("SELECT 1")}},
	}
	for name, fsys := range cases {
		if _, err := loadMigrations(fsys, "m"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// migrationDB loads the migrations in fsys/m and opens an empty database.
func migrationDB(t *testing.T, fsys fstest.MapFS) (*sql.DB, []migration) {
	t.Helper()
	ms, err := loadMigrations(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(t.TempDir()+"/m.db", false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, ms
}

func TestMigrateAppliesInOrderOnce(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0010_later.sql": {Data: []byte("INSERT INTO things (name) VALUES ('second');")},
		"m/0002_first.sql": {Data: []byte("CREATE TABLE things (name TEXT);\nINSERT INTO things (name) VALUES ('first');")},
	}
	db, ms := migrationDB(t, fsys)
	for range 2 { // the second run must apply nothing
		if err := migrate(t.Context(), db, ms, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	var names string
	if err := db.QueryRow(`SELECT group_concat(name, ',') FROM things`).Scan(&names); err != nil {
		t.Fatal(err)
	}
	if names != "first,second" {
		t.Fatalf("rows = %q, want first,second (in order, once)", names)
	}
	var versions string
	if err := db.QueryRow(`SELECT group_concat(version, ',') FROM schema_migrations`).Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if versions != "2,10" {
		t.Fatalf("schema_migrations = %q, want 2,10", versions)
	}
}

func TestMigrateFailureKeepsEarlierVersions(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0001_ok.sql":  {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"m/0002_bad.sql": {Data: []byte("CREATE TABLE b (x INTEGER); CREATE TABLE a (y INTEGER);")},
	}
	db, ms := migrationDB(t, fsys)
	err := migrate(t.Context(), db, ms, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "0002_bad") {
		t.Fatalf("migrate: %v, want an error naming 0002_bad", err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'b'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("failed migration left table b (n=%d, err=%v)", n, err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(t.Context(), dir, WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	r := crashReport()
	if _, _, _, err := s.CreateReport(t.Context(), r, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpenDir(t, dir)
	if _, err := s.Report(t.Context(), r.Code); err != nil {
		t.Fatalf("report after reopen: %v", err)
	}
	var mode string
	if err := s.rdb.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q (%v), want wal", mode, err)
	}
	// synchronous=FULL (2) on the writer is what makes a commit durable
	// against power loss, not just against a killed process.
	var sync, fk int
	err = s.write(t.Context(), func(ctx context.Context, tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk)
	})
	if err != nil || sync != 2 || fk != 1 {
		t.Fatalf("writer synchronous=%d foreign_keys=%d (%v), want 2 and 1", sync, fk, err)
	}
}
