// Package sqlite is the embedded default store: one SQLite file
// (modernc.org/sqlite, pure Go) in the data directory, in WAL mode with
// synchronous=FULL, so that every acknowledged write survives kill -9 and
// power loss. Photo files live beside it under photos/.
//
// # Writing: group commit
//
// One writer goroutine (started by Open, stopped by Close) owns the only
// write connection. Every write goes through
//
//	s.write(ctx, func(ctx context.Context, tx *sql.Tx) error { ... })
//
// which queues the function and returns when the transaction carrying it has
// committed. The writer takes everything queued (up to 256 writes; under
// concurrent load it waits up to 300 µs for more, see gatherWait), runs
// BEGIN IMMEDIATE, runs each function under its own SAVEPOINT, and commits
// once: one fsync for the whole batch. A function that returns an error is
// rolled back to its savepoint alone; the others still commit. Functions
// must use the ctx they are given, not the caller's, must not block on
// anything but SQL, and should do their encoding (JSON, hashing) before
// calling write, because the writer is the bottleneck. Return domain errors
// (*feedback.Error); isUnique(err) recognises UNIQUE and PRIMARY KEY
// violations for translation to ECONFLICT. A function must never call
// s.write (or a Store write method) itself: the writer would wait for
// itself. s.txExec and s.txQueryRow run SQL in the transaction through the
// statements prepared at Open (hotWrites in stmt.go) and fall back to
// tx.ExecContext for any other SQL; s.insertEvents appends events in the
// same transaction as the change they describe, in one multi-row INSERT.
//
// s.writeAtomic skips the savepoint for a function that either fails at
// its first statement (which SQLite undoes alone) or wraps later failures
// in errAbort, which fails the whole batch: CreateReport, the hot path.
// A new report's report_stats row is staged in an unindexed table and
// moved in bulk (report_stats.go): before every other write, before the
// statistics reads, and once a second. A report's doc column omits the
// fields that have their own column (id, code, status, category, ward,
// unit, assignee, priority, created_at, due_at; compactDoc), so they reach
// the WAL once; scanReport reads them back from the columns. WAL
// checkpoints run PASSIVE from a separate connection every 200 ms
// (checkpoint.go); the writer's wal_autocheckpoint remains as the backstop
// that restarts the WAL.
//
// Where the intake benchmark's time goes (bench intake, 32 clients, two
// cores): the writer's batch is on every request's critical path, and
// with 32 clients the loop is bound by latency more than by CPU (64
// clients give ~15% more reports/s). About half the writer's time is the
// commit: WAL frames, one per changed page (the random tracking-code index
// pages, the unit and ward index pages), and the fsync. Tried and dropped,
// for no gain measurable over the machine's noise: moving the fsync to a
// second goroutine so that the next batch's SQL overlaps it (batches got
// smaller and each request still waits for its own fsync), checkpointing
// every 1 s or 3 s, GOMAXPROCS=4, fdatasync.
//
// # Reading
//
// s.rdb is a pool of read-only connections (query_only); in WAL mode they
// read the last committed state without waiting for the writer.
// s.readQuery and s.readRow run a read through statements prepared once per
// SQL text (a bounded cache), which saves parsing on hot reads. scanReport
// decodes a row of reportReadColumns, s.readReports a list of them
// (readColumnsAs names them in a join). dbError turns sql.ErrNoRows into
// ENOTFOUND and other failures into domain codes.
// Times are stored as Unix nanoseconds in UTC (nanos, fromNanos).
//
// # Migrations
//
// migrations/NNNN_name.sql files are embedded and applied in version order
// at Open, each in its own transaction, and recorded in schema_migrations.
// Ranges: 0001-0099 core (reports, events, checkpoints, state, photos),
// 0100-0199 staff (users, sessions, audit), 0200-0299 petitions, 0300+ bot
// and mailbox. Never edit an applied migration; add a new file.
//
// Other store capabilities (feedback.StaffStore, ...) are added to this
// package as their own files (staff_user.go, petition.go) using these helpers.
package sqlite
