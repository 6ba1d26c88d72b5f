-- report_stats replaces report_facts (0102): statistics at a million
-- reports must not sort. Each grouping (unit, category, ward) has a
-- covering index ordered by (group, first-response minutes), so one index
-- scan yields, without a sort, both the group's counters and the histogram
-- of its response times; a second, partial index does the same for
-- resolution times. The counters are generated from the copied report
-- columns so that the scan only adds integers.

CREATE TABLE report_stats (
    rid          INTEGER PRIMARY KEY,
    report_id    TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    unit         TEXT NOT NULL,
    category     TEXT NOT NULL,
    ward         TEXT NOT NULL,
    status       TEXT NOT NULL,
    due_at       INTEGER,
    resolved_at  INTEGER,                 -- ms precision, in nanoseconds
    reopen_count INTEGER NOT NULL DEFAULT 0,
    rating       INTEGER NOT NULL DEFAULT 0,
    fr           INTEGER,                 -- working minutes to the first response
    rs           INTEGER,                 -- working minutes to resolution
    -- Counters packed three to an integer, 21 bits each, so that one sum()
    -- adds three of them (a histogram bucket holds fewer than 2^21 reports;
    -- the store checks). Unpacked in staff_stats.go.
    packed1      INTEGER GENERATED ALWAYS AS (
        (status IN ('resolved', 'closed'))
        + ((status IN ('received', 'triage', 'assigned', 'in_progress')) << 21)
        + ((resolved_at IS NOT NULL OR reopen_count > 0) << 42)) STORED,
    packed2      INTEGER GENERATED ALWAYS AS (
        (status IN ('resolved', 'closed') AND due_at IS NOT NULL AND resolved_at IS NOT NULL)
        + (coalesce(status IN ('resolved', 'closed') AND resolved_at <= due_at, 0) << 21)
        + ((reopen_count > 0) << 42)) STORED,
    packed3      INTEGER GENERATED ALWAYS AS ((rating > 0) + (rating << 21)) STORED,
    open_due     INTEGER GENERATED ALWAYS AS (CASE WHEN status IN ('received', 'triage', 'assigned', 'in_progress') THEN due_at END) STORED,
    resolved_f   INTEGER GENERATED ALWAYS AS (status IN ('resolved', 'closed')) STORED
);

CREATE INDEX report_stats_unit ON report_stats
    (unit, fr, created_at, packed1, packed2, packed3, open_due);
CREATE INDEX report_stats_category ON report_stats
    (category, fr, created_at, unit, packed1, packed2, packed3, open_due);
CREATE INDEX report_stats_ward ON report_stats
    (ward, fr, created_at, unit, packed1, packed2, packed3, open_due);
CREATE INDEX report_stats_unit_rs ON report_stats (unit, rs, created_at, resolved_f) WHERE rs IS NOT NULL;
CREATE INDEX report_stats_category_rs ON report_stats (category, rs, created_at, unit, resolved_f) WHERE rs IS NOT NULL;
CREATE INDEX report_stats_ward_rs ON report_stats (ward, rs, created_at, unit, resolved_f) WHERE rs IS NOT NULL;

-- Copy what is stored, keeping the measurements already recorded.
INSERT INTO report_stats (report_id, created_at, unit, category, ward, status, due_at, resolved_at, reopen_count, rating, fr, rs)
SELECT r.id, r.created_at, r.unit, r.category, r.ward, r.status, r.due_at,
    CAST(round(unixepoch(json_extract(r.doc, '$.resolved_at'), 'subsec') * 1000) AS INTEGER) * 1000000,
    coalesce(json_extract(r.doc, '$.reopen_count'), 0),
    coalesce(json_extract(r.doc, '$.rating'), 0),
    f.first_response_min, f.resolution_min
FROM reports r LEFT JOIN report_facts f ON f.report_id = r.id;

DROP TRIGGER report_facts_insert;
DROP TRIGGER report_facts_update;
DROP TRIGGER report_facts_delete;
DROP TABLE report_facts;

-- resolved_at, reopen_count and rating live in the report's JSON document.
CREATE TRIGGER report_stats_insert AFTER INSERT ON reports
BEGIN
    INSERT INTO report_stats (report_id, created_at, unit, category, ward, status, due_at, resolved_at, reopen_count, rating)
    VALUES (NEW.id, NEW.created_at, NEW.unit, NEW.category, NEW.ward, NEW.status, NEW.due_at,
        CAST(round(unixepoch(json_extract(NEW.doc, '$.resolved_at'), 'subsec') * 1000) AS INTEGER) * 1000000,
        coalesce(json_extract(NEW.doc, '$.reopen_count'), 0),
        coalesce(json_extract(NEW.doc, '$.rating'), 0));
END;

CREATE TRIGGER report_stats_update AFTER UPDATE ON reports
BEGIN
    UPDATE report_stats SET
        report_id    = NEW.id,
        created_at   = NEW.created_at,
        unit         = NEW.unit,
        category     = NEW.category,
        ward         = NEW.ward,
        status       = NEW.status,
        due_at       = NEW.due_at,
        resolved_at  = CAST(round(unixepoch(json_extract(NEW.doc, '$.resolved_at'), 'subsec') * 1000) AS INTEGER) * 1000000,
        reopen_count = coalesce(json_extract(NEW.doc, '$.reopen_count'), 0),
        rating       = coalesce(json_extract(NEW.doc, '$.rating'), 0)
    WHERE report_id = OLD.id;
END;

CREATE TRIGGER report_stats_delete AFTER DELETE ON reports
BEGIN
    DELETE FROM report_stats WHERE report_id = OLD.id;
END;
