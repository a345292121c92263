-- Nothing to change: PostgreSQL's 0004 records the writing transaction of each event, because
-- there concurrent transactions can commit their event ids out of order. SQLite has one writer
-- at a time, so ids are committed in order and the feed follows the log by id alone (see
-- src/feed.rs). This file keeps the two migration sets numbered alike.
SELECT 1;
