-- rspcat catalog schema, version 3: an undo journal, and a listing stored in a fixed order.
--
-- `rspcat undo` removes a repository's latest snapshot and puts back exactly what it changed.
-- The history keeps most of that (tag_history rows the snapshot opened and closed); the journal
-- keeps the rest, written by every ingest: the current-state rows it overwrote, the parses it
-- rewrote and what it did to the repository. Rows are kept only for what a snapshot changed, so
-- a weekly listing that changes a few tags adds a few rows. Snapshots ingested before version 3
-- have no journal and cannot be undone.

-- One row per snapshot that can be undone.
CREATE TABLE undo_snapshots (
    snapshot_id         INTEGER PRIMARY KEY REFERENCES snapshots (id),
    last_batch          INTEGER NOT NULL,  -- the repository's last_batch before the snapshot
    last_tag_id         INTEGER NOT NULL,  -- max(tags.id) before: the snapshot made the tags above
    created_repository  INTEGER NOT NULL,  -- 1: its ingest made the repositories row
    aliases_added       TEXT NOT NULL,     -- alias tags its ingest added, space-separated
    aliases_after       TEXT NOT NULL      -- the repository's alias tags after it, sorted, space-separated
);

-- The `images` rows of the repository as they were before the snapshot changed them. A NULL
-- position: the tag had no current image. A NULL digest (and size) with a position: the digest
-- and size stayed, and a NULL batch, the batch too; only what changed is kept, as most rows of a
-- weekly listing change their position only.
CREATE TABLE undo_images (
    snapshot_id  INTEGER NOT NULL REFERENCES snapshots (id),
    tag_id       INTEGER NOT NULL,
    digest       TEXT,
    size         INTEGER,
    batch        INTEGER,
    position     INTEGER,
    PRIMARY KEY (snapshot_id, tag_id)
) WITHOUT ROWID;

-- The derived columns of `tags` rows that the snapshot's ingest parsed anew (a tag declared an
-- alias, or a parse that was not this build's), as they were before.
CREATE TABLE undo_tags (
    snapshot_id         INTEGER NOT NULL REFERENCES snapshots (id),
    tag_id              INTEGER NOT NULL,
    parse               TEXT NOT NULL,
    image_type          TEXT NOT NULL,
    type_priority       INTEGER NOT NULL,
    display_name        TEXT NOT NULL,
    version             TEXT,
    version_major       INTEGER,
    version_minor       INTEGER,
    version_patch       INTEGER,
    version_prerelease  TEXT,
    prerelease_key      BLOB,
    base                TEXT,
    cycle               INTEGER,
    cycle_build         INTEGER,
    rsp_build           INTEGER,
    architecture        TEXT,
    extra               TEXT,
    date                TEXT,
    alias_title         TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, tag_id)
) WITHOUT ROWID;

-- The refresh now stores each listing row at rowid 2 × tag_id (+ 1 for the cycle collection),
-- so that the table's order depends on what it holds and not on the writes that led there: a
-- write and its undo leave it as it was. The rows already stored are moved to those rowids.
UPDATE listing SET rowid = -rowid;
UPDATE OR REPLACE listing SET rowid = 2 * tag_id + (scope_cycle IS NOT NULL);
