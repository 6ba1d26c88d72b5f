-- report_facts: one narrow row per report for statistics (issue 4),
-- clustered by receipt time so that a period is one contiguous range scan
-- and no JSON is parsed at query time. Triggers on reports keep the copied
-- columns current; the staff service sets the working-minute measurements
-- (time to first response, time to resolution), which need the calendar.

CREATE TABLE report_facts (
    created_at         INTEGER NOT NULL,
    report_id          TEXT NOT NULL,
    unit               TEXT NOT NULL,
    category           TEXT NOT NULL,
    ward               TEXT NOT NULL,
    status             TEXT NOT NULL,
    due_at             INTEGER,
    resolved_at        INTEGER,           -- ms precision, in nanoseconds
    reopen_count       INTEGER NOT NULL DEFAULT 0,
    rating             INTEGER NOT NULL DEFAULT 0,
    first_response_min INTEGER,           -- working minutes from receipt
    resolution_min     INTEGER,           -- working minutes from receipt
    PRIMARY KEY (created_at, report_id)
) WITHOUT ROWID;

CREATE UNIQUE INDEX report_facts_id ON report_facts (report_id);

-- resolved_at is an RFC 3339 time inside the report's JSON document.
CREATE TRIGGER report_facts_insert AFTER INSERT ON reports
BEGIN
    INSERT OR REPLACE INTO report_facts
        (created_at, report_id, unit, category, ward, status, due_at, resolved_at, reopen_count, rating)
    VALUES (NEW.created_at, NEW.id, NEW.unit, NEW.category, NEW.ward, NEW.status, NEW.due_at,
        CAST(round(unixepoch(json_extract(NEW.doc, '$.resolved_at'), 'subsec') * 1000) AS INTEGER) * 1000000,
        COALESCE(json_extract(NEW.doc, '$.reopen_count'), 0),
        COALESCE(json_extract(NEW.doc, '$.rating'), 0));
END;

CREATE TRIGGER report_facts_update AFTER UPDATE ON reports
BEGIN
    UPDATE report_facts SET
        created_at   = NEW.created_at,
        unit         = NEW.unit,
        category     = NEW.category,
        ward         = NEW.ward,
        status       = NEW.status,
        due_at       = NEW.due_at,
        resolved_at  = CAST(round(unixepoch(json_extract(NEW.doc, '$.resolved_at'), 'subsec') * 1000) AS INTEGER) * 1000000,
        reopen_count = COALESCE(json_extract(NEW.doc, '$.reopen_count'), 0),
        rating       = COALESCE(json_extract(NEW.doc, '$.rating'), 0)
    WHERE report_id = OLD.id;
END;

CREATE TRIGGER report_facts_delete AFTER DELETE ON reports
BEGIN
    DELETE FROM report_facts WHERE report_id = OLD.id;
END;

-- Reports stored before this migration.
INSERT OR REPLACE INTO report_facts
    (created_at, report_id, unit, category, ward, status, due_at, resolved_at, reopen_count, rating)
SELECT created_at, id, unit, category, ward, status, due_at,
    CAST(round(unixepoch(json_extract(doc, '$.resolved_at'), 'subsec') * 1000) AS INTEGER) * 1000000,
    COALESCE(json_extract(doc, '$.reopen_count'), 0),
    COALESCE(json_extract(doc, '$.rating'), 0)
FROM reports;
