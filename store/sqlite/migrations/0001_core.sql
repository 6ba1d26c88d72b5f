-- Core schema: reports, the event log, consumer checkpoints, adapter state
-- and photo metadata. Times are Unix nanoseconds in UTC; NULL means unset.

-- One row per report. The filterable fields are columns; doc holds the
-- whole report as JSON (without version, token hash and idempotency key,
-- which live in their own columns).
CREATE TABLE reports (
    id              TEXT PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    idempotency_key TEXT,
    status          TEXT NOT NULL,
    category        TEXT NOT NULL DEFAULT '',
    ward            TEXT NOT NULL DEFAULT '',
    unit            TEXT NOT NULL DEFAULT '',
    assignee        TEXT NOT NULL DEFAULT '',
    priority        TEXT NOT NULL DEFAULT '',
    public          INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    due_at          INTEGER,
    lat             REAL,
    lng             REAL,
    text_lc         TEXT NOT NULL DEFAULT '', -- lower-cased NFC text for search
    version         INTEGER NOT NULL,
    token_hash      TEXT NOT NULL DEFAULT '',
    doc             TEXT NOT NULL
);

CREATE UNIQUE INDEX reports_idempotency_key ON reports (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- The public list and every "newest first" page.
CREATE INDEX reports_created ON reports (created_at, id);
-- Staff queues: a unit's open reports by due time.
CREATE INDEX reports_queue ON reports (unit, status, due_at);
CREATE INDEX reports_ward ON reports (ward, created_at);
CREATE INDEX reports_assignee ON reports (assignee, status) WHERE assignee <> '';

-- The event log. AUTOINCREMENT never reuses a sequence number, and with one
-- writer commit order equals seq order.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    type        TEXT NOT NULL,
    report_id   TEXT,
    petition_id TEXT,
    public      INTEGER NOT NULL DEFAULT 0,
    doc         TEXT NOT NULL
);

CREATE INDEX events_report ON events (report_id, seq) WHERE report_id IS NOT NULL;
CREATE INDEX events_petition ON events (petition_id, seq) WHERE petition_id IS NOT NULL;

-- How far each named consumer (notifiers, hubs) has processed the log.
CREATE TABLE checkpoints (
    consumer TEXT PRIMARY KEY,
    seq      INTEGER NOT NULL
);

-- Small durable key-value state for adapters, with optional expiry.
CREATE TABLE state (
    namespace  TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      BLOB NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (namespace, key)
);

CREATE INDEX state_expires ON state (expires_at) WHERE expires_at IS NOT NULL;

-- Metadata of content-addressed photo files under <dir>/photos.
CREATE TABLE photos (
    id           TEXT PRIMARY KEY, -- hex sha256 of the bytes
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
