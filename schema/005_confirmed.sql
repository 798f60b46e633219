-- rspcat catalog schema, version 5: a catalog that costs what changed, not how long it lived.
--
-- A cron job that syncs every 15 minutes mostly finds nothing new. Such a sync no longer adds a
-- snapshot: it records on the repository's latest snapshot that the registry still listed the
-- same thing at its time. The history answers exactly as before (a listing holds from its
-- snapshot until the next one), and a ten-year catalog holds one row per change, not per sync.

-- The time of the latest sync that found the snapshot's listing unchanged, and how many did;
-- NULL and 0 until one does.
ALTER TABLE snapshots ADD COLUMN confirmed_at TEXT;
ALTER TABLE snapshots ADD COLUMN confirmations INTEGER NOT NULL DEFAULT 0;

-- The images of one digest at a time: what resolving an alias of a tag's history looks up, once
-- per entry of the timeline.
CREATE INDEX tag_history_by_digest ON tag_history (digest, repository_id, started_at);
