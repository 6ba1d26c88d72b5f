-- report_stats rows are now written by the store itself (report_stats.go),
-- in the same statement batch as the report, from values it already has:
-- the triggers of 0104 re-parsed the report's JSON document (json_extract
-- three to four times) inside every intake transaction, on the single
-- writer's path. The delete trigger stays: it needs no JSON.
DROP TRIGGER report_stats_insert;
DROP TRIGGER report_stats_update;
