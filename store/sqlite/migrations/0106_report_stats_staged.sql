-- New reports' statistics rows are staged in a plain append-only table and
-- moved into report_stats (with its seven indexes) in bulk: by the writer
-- about once a second, and before anything reads or changes report_stats
-- (report_stats.go). Each index then dirties its hot pages once per move
-- instead of once per intake transaction, which roughly halves the pages
-- every durable intake commit writes to the WAL.
CREATE TABLE report_stats_staged (
    report_id        TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    unit             TEXT NOT NULL,
    category         TEXT NOT NULL,
    ward             TEXT NOT NULL,
    status           TEXT NOT NULL,
    due_at           INTEGER,
    resolved_at      INTEGER,
    reopen_count     INTEGER NOT NULL DEFAULT 0,
    rating           INTEGER NOT NULL DEFAULT 0,
    escalation_level INTEGER NOT NULL DEFAULT 0
);

DROP TRIGGER report_stats_delete;

CREATE TRIGGER report_stats_delete AFTER DELETE ON reports
BEGIN
    DELETE FROM report_stats WHERE report_id = OLD.id;
    DELETE FROM report_stats_staged WHERE report_id = OLD.id;
END;
