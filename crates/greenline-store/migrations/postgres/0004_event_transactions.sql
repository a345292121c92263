-- The transaction that wrote each event, for following the log without gaps (see src/feed.rs):
-- event ids are taken from a sequence as rows are inserted, so a long transaction holds low ids
-- and commits after others with higher ones; ordering by (tx, id) and reading only transactions
-- older than every one still running never finds an event behind what was already read.
--
-- Events written before this migration get tx 0: a constant default adds the column without
-- rewriting the table, and they all come first in the feed, in id order. New rows then take the
-- writing transaction's id.
ALTER TABLE case_events ADD COLUMN tx xid8 NOT NULL DEFAULT '0';
ALTER TABLE case_events ALTER COLUMN tx SET DEFAULT pg_current_xact_id();
CREATE INDEX case_events_feed ON case_events (tx, id);
